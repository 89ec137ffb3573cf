import { describe, expect, it } from 'vitest';
import { formatFactor, formatSignedInUnit, formatSignedPercent, plural } from './format';

describe('plain-words formats', () => {
  it('plural agrees with the count', () => {
    expect(plural(1, 'area')).toBe('1 area');
    expect(plural(4, 'area')).toBe('4 areas');
    expect(plural(1, 'battery', 'batteries')).toBe('1 battery');
    expect(plural(26, 'battery', 'batteries')).toBe('26 batteries');
    expect(plural(10240, 'bus', 'buses')).toBe('10,240 buses');
  });

  it('differences always carry their sign, zero carries none', () => {
    expect(formatSignedInUnit(-37.123, 'USD')).toBe('−$37.12');
    expect(formatSignedInUnit(207, 'kW')).toBe('+207.0 kW');
    expect(formatSignedInUnit(0.00001, 'kW')).toBe('0.0 kW');
    expect(formatSignedInUnit(Number.NaN, 'kW')).toBe('–');
  });

  it('percentages have one decimal and a sign', () => {
    expect(formatSignedPercent(-0.0523)).toBe('−5.2 %');
    expect(formatSignedPercent(0.16)).toBe('+16.0 %');
    expect(formatSignedPercent(12.345)).toBe('+1,234.5 %');
    expect(formatSignedPercent(0.0004)).toBe('0.0 %');
  });

  it('factors print without floating-point noise', () => {
    expect(formatFactor(1 / 3)).toBe('0.3333');
    expect(formatFactor(0.5)).toBe('0.5');
    expect(formatFactor(3)).toBe('3');
  });
});
