import { describe, expect, it } from 'vitest';
import { parseSizes } from './SitingView';

describe('siting screen sizes field', () => {
  it('reads kW/kWh pairs, blank for the default, a message for anything else', () => {
    expect(parseSizes('60/240, 120 / 480')).toEqual([{ kw: 60, kwh: 240 }, { kw: 120, kwh: 480 }]);
    expect(parseSizes('  ')).toBeUndefined();
    expect(parseSizes('60-240')).toBe('size "60-240" is not kW/kWh (e.g. 60/240)');
    expect(parseSizes('0/240')).toMatch(/is not kW\/kWh/);
  });
});
