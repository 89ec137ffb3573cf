import { describe, expect, it } from 'vitest';
import { parseCandidates, parseSizes, sitingRunsOf } from './SitingView';

describe('siting screen sizes field', () => {
  it('reads kW/kWh pairs, blank for the default, a message for anything else', () => {
    expect(parseSizes('60/240, 120 / 480')).toEqual([
      { kw: 60, kwh: 240 },
      { kw: 120, kwh: 480 },
    ]);
    expect(parseSizes('  ')).toBeUndefined();
    expect(parseSizes('60-240')).toBe('size "60-240" is not kW/kWh (e.g. 60/240)');
    expect(parseSizes('0/240')).toMatch(/is not kW\/kWh/);
  });
});

describe('siting runs per ranked line', () => {
  it('finds the runs a study opened by their names, per rank, and nothing of other studies', () => {
    const runs = [
      { id: 4, name: 'Siting #2 rank 1: 85 60 kW/240 kWh — day 2023-08-21 (×31)' },
      { id: 5, name: 'Siting #12 rank 1: 85 60 kW/240 kWh — day 2023-08-21 (×31)' },
      { id: 6, name: 'baseline' },
      { id: 7 },
      { id: 9, name: 'Siting #2 rank 1: 85 60 kW/240 kWh — day 2023-02-22 (×40)' },
      { id: 10, name: 'Siting #2 rank 3: 84 60 kW/240 kWh — day 2023-02-22 (×40)' },
    ];
    expect([...sitingRunsOf(runs, 2)]).toEqual([
      [1, [4, 9]],
      [3, [10]],
    ]);
    expect(sitingRunsOf(runs, 3).size).toBe(0);
  });
});

describe('siting screen typed candidates', () => {
  it('reads buses and bus phases split by commas, semicolons or spaces, once each; a message when empty', () => {
    expect(parseCandidates('611.3, 652.1;675.2  65\n611.3')).toEqual(['611.3', '652.1', '675.2', '65']);
    expect(parseCandidates(' , ;')).toMatch(/^Type at least one candidate bus/);
  });
});
