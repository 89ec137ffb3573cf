/**
 * A run's branch results as stored: the validating power flow's currents and flows per branch
 * and period, and loading = 100 × current / ampacity for the branches the feeder rates (and
 * only those: an unrated branch has no loading, never 0 %).
 */
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../../../src-solver/model/feeder';
import { solveOpf } from '../../../src-solver/opf/solve';
import { fromOpfResults } from './records';

const feeder: Feeder = {
  name: 'three-bus',
  baseKva: 100,
  substation: { bus: 's', vSetPu: 1 },
  buses: [
    { name: 's', vBaseKv: 2.4 },
    { name: 'a', vBaseKv: 2.4 },
    { name: 'b', vBaseKv: 2.4 },
  ],
  branches: [
    { name: 'l1', from: 'a', to: 's', rOhm: 0.5, xOhm: 1, kind: 'line', ampacityA: 200 },
    { name: 'l2', from: 'a', to: 'b', rOhm: 0.2, xOhm: 0.3, kind: 'line' },
  ],
  loads: [
    { name: 'la', bus: 'a', pKw: 150, qKvar: 40 },
    { name: 'lb', bus: 'b', pKw: 60, qKvar: 20 },
  ],
  capacitors: [],
  pv: [],
  batteries: [],
  shapes: [],
};

describe('stored branch results', () => {
  const r = solveOpf(feeder, { periods: 3, loadProfile: { intervalH: 1, values: [1, 0.6, 0.3] } }).results;
  const { stats, series } = fromOpfResults(r, { pv: [], batteries: [] }, null, feeder);
  it('solves (the voltages stay within 0.95–1.05 pu)', () => expect(r.status).toBe('solved'));

  it('names each branch with its substation-side and far bus and its rating (null when not rated)', () => {
    expect(stats.branchNames).toEqual(['l1', 'l2']);
    expect(stats.branchFrom).toEqual(['s', 'a']);
    expect(stats.branchTo).toEqual(['a', 'b']);
    expect(stats.branchAmpacityA).toEqual([200, null]);
  });

  it('stores current, P and Q per branch and period (branches × T), the power flow’s values', () => {
    const b = r.validation!.branches!;
    expect(series.branchCurrentA!.shape).toEqual([2, 3]);
    for (let e = 0; e < 2; e++)
      for (let t = 0; t < 3; t++) {
        expect(series.branchCurrentA!.data[e * 3 + t]).toBe(b.currentA[t]![e]);
        expect(series.branchPKw!.data[e * 3 + t]).toBe(b.pKw[t]![e]);
        expect(series.branchQKvar!.data[e * 3 + t]).toBe(b.qKvar[t]![e]);
      }
    // Independent check of the current: |S_sending| / |V_sending| at the substation (1 pu, 2.4 kV).
    for (let t = 0; t < 3; t++)
      expect(series.branchCurrentA!.data[t]).toBeCloseTo(Math.hypot(b.pKw[t]![0]!, b.qKvar[t]![0]!) / 2.4, 6);
  });

  it('loading is kept for the rated branch only, as 100 × I / ampacity', () => {
    expect(series.branchLoadingPct!.shape).toEqual([1, 3]);
    for (let t = 0; t < 3; t++)
      expect(series.branchLoadingPct!.data[t]).toBeCloseTo((100 * series.branchCurrentA!.data[t]!) / 200, 12);
    // Loading follows the load: the first hour is the heaviest.
    expect(series.branchLoadingPct!.data[0]).toBeGreaterThan(series.branchLoadingPct!.data[2]!);
  });

  it('without the feeder (older callers) nothing about branches is stored', () => {
    const plain = fromOpfResults(r, { pv: [], batteries: [] }, null);
    expect(plain.series.branchCurrentA).toBeUndefined();
    expect(plain.stats.branchNames).toBeUndefined();
  });
});
