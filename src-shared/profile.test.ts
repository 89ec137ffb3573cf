/** The profile's whole-study markers, on a literal 3-bus, 3-period run worked out by hand. */
import { describe, expect, it } from 'vitest';
import { emptyRunDetail } from './testing/run-detail';
import { voltageExtremesByBus, voltageProfileRangeOption } from './profile';

const run = emptyRunDetail({
  periods: 3,
  busNames: ['a', 's', 'b'],
  series: { voltagePu: [0.99, 0.97, 0.98, 1.03, 1.03, 1.03, 0.96, 0.94, 1.01] },
});
const tree = { names: ['s', 'a', 'b', 'x'], parent: [-1, 0, 1, 0] };
const distance = [0, 0.5, 1.25, Number.NaN];

describe('voltage profile with the whole study', () => {
  it('lowest and highest voltage per bus over every hour, in tree order; NaN for a bus the run does not have', () => {
    const { min, max } = voltageExtremesByBus(run, tree.names);
    expect([...min.slice(0, 3)]).toEqual([1.03, 0.97, 0.94]);
    expect([...max.slice(0, 3)]).toEqual([1.03, 0.99, 1.01]);
    expect(Number.isNaN(min[3]!)).toBe(true);
  });

  it('adds both as marker series at each bus’s distance, beside the hour’s profile', () => {
    const o = voltageProfileRangeOption(run, tree, distance, 1);
    const series = o.series as { name: string; data: unknown[] }[];
    expect(series.map((s) => s.name)).toEqual([
      'Branches',
      'Bus voltage pu',
      'Lowest over the study',
      'Highest over the study',
    ]);
    // The hour's points (period 1) and the extremes.
    expect(series[1]!.data).toEqual([
      [0, 1.03, 's'],
      [0.5, 0.97, 'a'],
      [1.25, 0.94, 'b'],
    ]);
    expect(series[2]!.data).toEqual([
      [0, 1.03, 's'],
      [0.5, 0.97, 'a'],
      [1.25, 0.94, 'b'],
    ]);
    expect(series[3]!.data).toEqual([
      [0, 1.03, 's'],
      [0.5, 0.99, 'a'],
      [1.25, 1.01, 'b'],
    ]);
  });
});
