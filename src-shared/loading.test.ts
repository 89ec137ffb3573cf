/**
 * Branch loading read from a run: rows for rated branches only, peaks, hours above the rating
 * and the plain-words summary, on a tiny literal run worked out by hand (3 branches, 3 periods).
 */
import { describe, expect, it } from 'vitest';
import { emptyRunDetail } from './testing/run-detail';
import {
  branchBetween,
  branchLoading,
  branchLoadingRows,
  branchOverloads,
  branchSeries,
  loadingSummary,
  ratedBranches,
  supplyBranch,
} from './loading';
import { branchLoadingOption, busVoltageOption } from './element-charts';

// l1 (s → a) rated 100 A, l2 (a → b) unrated, l3 (a → c) rated 50 A.
const run = emptyRunDetail({
  periods: 3,
  dtH: 1,
  settings: { startHour: 18, vMinPu: 0.95, vMaxPu: 1.05 } as never,
  busNames: ['s', 'a', 'b', 'c'],
  branchNames: ['l1', 'l2', 'l3'],
  branchFrom: ['s', 'a', 'a'],
  branchTo: ['a', 'b', 'c'],
  branchAmpacityA: [100, null, 50],
  series: {
    voltagePu: [1, 1, 1, 0.99, 0.96, 0.93, 0.98, 0.95, 0.9, 0.99, 0.97, 0.96],
    branchCurrentA: [80, 120, 90, 10, 20, 30, 40, 45, 20],
    branchPKw: [190, 280, 210, 24, 48, 72, 96, 108, 48],
    branchQKvar: [10, 20, 15, 1, 2, 3, 4, 5, 2],
    // Rated rows only: l1 then l3, 100 × I / rating.
    branchLoadingPct: [80, 120, 90, 80, 90, 40],
  },
});

describe('branch loading of a run', () => {
  it('finds rated branches, a branch between two buses (either order) and the branch feeding a bus', () => {
    expect(ratedBranches(run)).toEqual([0, 2]);
    expect(branchBetween(run, 'c', 'a')).toBe(2);
    expect(branchBetween(run, 'b', 'c')).toBe(-1);
    expect(supplyBranch(run, 'b')).toBe(1);
    expect(supplyBranch(run, 's')).toBe(-1);
    expect(branchSeries(run, 'branchCurrentA', 1)).toEqual([10, 20, 30]);
  });

  it('has loading for rated branches only — an unrated one has none, not 0 %', () => {
    expect(branchLoading(run, 0)).toEqual([80, 120, 90]);
    expect(branchLoading(run, 1)).toBeNull();
    expect(branchLoading(run, 2)).toEqual([80, 90, 40]);
  });

  it('rows: peak, its current and hour, hours above 100 %, most loaded first', () => {
    expect(branchLoadingRows(run)).toEqual([
      {
        index: 0,
        name: 'l1',
        from: 's',
        to: 'a',
        ampacityA: 100,
        peakPct: 120,
        peakA: 120,
        peakAt: '19:00',
        peakPeriod: 1,
        hoursOver: 1,
      },
      {
        index: 2,
        name: 'l3',
        from: 'a',
        to: 'c',
        ampacityA: 50,
        peakPct: 90,
        peakA: 45,
        peakAt: '19:00',
        peakPeriod: 1,
        hoursOver: 0,
      },
    ]);
    expect(branchOverloads(run).map((r) => r.name)).toEqual(['l1']);
  });

  it('says in plain words what is over, what is not checked, and why when nothing is rated', () => {
    expect(loadingSummary(run)).toBe(
      '1 branch above its rating; the worst is l1 at 120.0 % (19:00). 1 of 3 branches have no rating and are not checked.',
    );
    const unrated = { ...run, branchAmpacityA: [null, null, null], series: { ...run.series, branchLoadingPct: [] } };
    expect(loadingSummary(unrated)).toMatch(/^The feeder gives no branch rating .* loading cannot be computed/);
    expect(branchOverloads(unrated)).toEqual([]);
    expect(loadingSummary({ ...run, branchNames: [], branchFrom: [], branchTo: [], branchAmpacityA: [] })).toMatch(
      /kept no branch results/,
    );
    const within = { ...run, series: { ...run.series, branchLoadingPct: [80, 95, 90, 80, 90, 40] } };
    expect(loadingSummary(within)).toBe(
      'Every rated branch stays within its rating; the most loaded is l1 at 95.0 % (19:00). 1 of 3 branches have no rating and are not checked.',
    );
  });

  it('charts: loading against the 100 % line for a rated branch, the current (A) for an unrated one; a bus voltage in pu', () => {
    const rated = branchLoadingOption(run, 0)!;
    expect(rated.rated).toBe(true);
    const y = rated.option.yAxis as { name: string };
    expect(y.name).toBe('loading, % of rating');
    const s = (rated.option.series as { data: { value: number }[] }[])[0]!;
    expect(s.data.map((d) => d.value)).toEqual([80, 120, 90]);
    const plain = branchLoadingOption(run, 1)!;
    expect(plain.rated).toBe(false);
    expect((plain.option.yAxis as { name: string }).name).toBe('current, A');
    const v = busVoltageOption(run, 'b')!;
    expect((v.yAxis as { name: string }).name).toBe('voltage, pu');
    expect((v.series as { data: number[] }[])[0]!.data).toEqual([0.98, 0.95, 0.9]);
    expect(busVoltageOption(run, 'nowhere')).toBeNull();
  });
});
