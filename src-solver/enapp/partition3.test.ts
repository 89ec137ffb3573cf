/**
 * Suggested areas of a three-phase feeder (`suggestPartition3`): cut only at lines, balanced by
 * size with the balanced feeder's walk, accepted by the splitter (`checkPartition3`), and solved
 * by the distributed three-phase OPF to the centralized three-phase OPF's answer (the independent
 * reference) on IEEE 13 and IEEE 123.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import { opendssRef, testDataPath } from '../../test-data/index';
import type { Profile, Study } from '../opf/study';
import { opf3FromNetwork, type Opf3UnitSpec } from '../opf3/fromNetwork';
import { placeUnits } from '../opf3/placement';
import { solveOpf3 } from '../opf3/solve';
import { hourlyProfile } from '../testing/opf/ieee123';
import { inProcessAreas } from '../testing/enapp/in-process';
import { referenceFeeder } from '../testing/unbalanced/reference';
import type { UNetwork } from '../unbalanced/model';
import type { Clock } from './coordinator';
import { solveDistributed3 } from './distributed3';
import { busTree3, checkPartition3, suggestPartition3 } from './partition3';

const readFs = (p: string): string => readFileSync(p, 'utf8');
const load = (name: string): UNetwork => referenceFeeder(name, readFs, opendssRef);
const profile = (rel: string): Profile => hourlyProfile(readFs(testDataPath('ieee123-balanced', rel)));
const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Every suggested cut is a line (no transformer or regulator joins its buses), and the splitter takes the set. */
function expectAccepted(net: UNetwork, k: number, units: readonly Opf3UnitSpec[] = []) {
  const { cuts } = suggestPartition3(net, k, units);
  expect(cuts.length).toBe(k - 1);
  const check = checkPartition3(net, cuts);
  expect(check.errors).toEqual([]);
  expect(check.areas.length).toBe(k);
  const tree = (busTree3(net) as { tree: NonNullable<ReturnType<typeof checkPartition3>['tree']> }).tree;
  for (const c of cuts) {
    const kinds = tree.via[tree.index.get(c.to)!]!.map((e) => e.kind);
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.every((kind) => kind !== 'transformer')).toBe(true);
  }
  // balanced: the areas' bus counts within a factor 3 of each other (the walk balances phase nodes)
  const own = check.areas.map((a) => a.own.length);
  expect(Math.max(...own) / Math.min(...own)).toBeLessThan(3);
  return cuts;
}

describe('suggestPartition3', () => {
  const ieee13 = load('ieee13_fixedtaps');
  const ieee123 = load('ieee123_fixedtaps');

  it('IEEE 13: 2 and 3 areas, cut at lines only (never at the regulators 650–rg60 or the transformer 633–634)', () => {
    expect(expectAccepted(ieee13, 2)).toEqual([{ from: '632', to: '670' }]);
    const three = expectAccepted(ieee13, 3);
    for (const c of three) expect([`${c.from}–${c.to}`]).not.toContain('650–rg60');
  });

  it('IEEE 123: 2 to 6 areas, with and without units weighting the buses', () => {
    for (let k = 2; k <= 6; k++) expectAccepted(ieee123, k);
    expectAccepted(ieee123, 4, placeUnits(ieee123, 15, 10, 10));
  });

  it('the 8500-node feeder: 8 areas, none cut at its service transformers or regulators', () => {
    expectAccepted(load('ieee8500'), 8);
  }, 120_000);

  it('k = 1 is no cut; too many areas and a bad k are clear errors', () => {
    expect(suggestPartition3(ieee13, 1).cuts).toEqual([]);
    expect(() => suggestPartition3(ieee13, 40)).toThrow(
      /only \d+ lines end at a bus .* at most \d+ areas are possible \(asked for 40\)/,
    );
    expect(() => suggestPartition3(ieee13, 0)).toThrow(/positive integer/);
  });
});

describe('suggested areas solve (distributed three-phase OPF = centralized)', () => {
  const study = (periods: number, vMaxPu: number): Study => ({
    periods,
    startHour: 10,
    loadProfile: profile('profiles/load_shape_24h.csv'),
    pvProfile: profile('profiles/pv_shape_24h.csv'),
    priceCentsPerKwh: loadIeee123().price,
    vMinPu: 0.95,
    vMaxPu,
  });

  // Voltage limits loose enough not to bind at a boundary (a limit binding there does not converge
  // yet: IEEE 123 at 1.06 pu stops with an area infeasible; spec "Three-phase feeders").
  for (const [name, k, periods, vMax] of [
    ['ieee13_fixedtaps', 2, 2, 1.08],
    ['ieee123_fixedtaps', 4, 2, 1.1],
  ] as const) {
    it(`${name}: ${k} suggested areas, ${periods} h with PV and batteries`, async () => {
      const net = load(name);
      const units = placeUnits(net, 15, 4, 4);
      const { cuts } = suggestPartition3(net, k, units);
      const full = opf3FromNetwork(net, study(periods, vMax), units, { sourceModel: 'norton' });
      const central = solveOpf3(full);
      expect(central.optimal, central.nlp.message).toBe(true);
      const out = await solveDistributed3(
        net,
        full,
        units,
        cuts,
        inProcessAreas,
        { tolerancePu: 1e-3, maxRounds: 100, centralized: { objective: central.objective, periods: central.periods } },
        { clock },
      );
      expect(out.enapp.status, out.enapp.message).toBe('converged');
      console.log(
        `${name} suggested ${k} areas (${cuts.map((c) => `${c.from}–${c.to}`).join(', ')}): ${out.enapp.rounds.length} rounds, objective ${out.objective} vs ${central.objective}, max |ΔV| ${out.comparison!.maxVoltageDiffPu.toExponential(2)} pu`,
      );
      expect(Math.abs(out.objective! - central.objective) / Math.abs(central.objective)).toBeLessThan(1e-3);
      expect(out.comparison!.maxVoltageDiffPu).toBeLessThan(1e-3);
      expect(out.validation!.maxDiffPu).toBeLessThan(1e-3);
    }, 600_000);
  }
});
