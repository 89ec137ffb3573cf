/**
 * The siting study on a three-phase feeder (IEEE 13, OpenDSS's script, taps set by the
 * nominal-load power flow with controls): its per-phase LMPs against finite differences of the
 * full three-phase OPF, and its answer against an exhaustive sweep over every (bus, phase).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef, readTestData } from '../../test-data/index';
import { daysHorizon, testYear } from '../testing/siting/year';
import type { Horizon } from './evaluate';
import { dayStudy } from './profiles';
import type { Study } from '../opf/study';
import { solveThreePhaseOpf } from '../opf3/fromNetwork';
import { importUnbalanced } from '../unbalanced/import';
import type { UNetwork } from '../unbalanced/model';
import { solveUnbalanced } from '../unbalanced/solve';
import { ECONOMICS_DEFAULTS } from './economics';
import { runSitingStudy, singleSiteConfigs, SitingError, sweepStudy, type SitingInput } from './study';
import {
  SITING_REGION_ROUNDS,
  solveThreePhasePart,
  threePhaseCandidates,
  threePhasePartSolver,
  threePhaseTarget,
} from './threephase';

const readFs = (p: string): string => readFileSync(p, 'utf8');

/**
 * IEEE 13 as OpenDSS has it, but with every load's Vmaxpu at 1.1 (above the OPF's 1.08 limit), so
 * no load switches to OpenDSS's constant-impedance region and the OPF's region rounds stay out of
 * this test: with the script's 1.05, the third region round of 6 of these 42 (site, day) OPFs
 * (phase b units on the December day) ends infeasible although the configuration with the
 * battery idle is feasible — the region rounds' problem (src-solver/opf3/fromNetwork.ts), not the
 * study's, reported there.
 */
function ieee13(): UNetwork {
  const out = importUnbalanced(opendssRef('feeders/13Bus/IEEE13Nodeckt.dss'), readFs, {
    extraLines: ['BatchEdit Load..* Vmaxpu=1.1'],
  });
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  // taps and capacitor states from the nominal-load power flow with the controls acting (held by the OPF)
  expect(solveUnbalanced(out.network, { controls: true }).periods[0]!.converged).toBe(true);
  return out.network;
}

const year = testYear((n) => readTestData('year-profiles', n));

/** IEEE 13's regulators hold about 1.06 pu at their outputs, so the limits are 0.9–1.08 pu. */
const STUDY: Study = { vMinPu: 0.9, vMaxPu: 1.08 };

describe('siting on three-phase IEEE 13', () => {
  const net = ieee13();
  const target = threePhaseTarget(net);

  it('candidates are every (load bus, phase); bad candidates are refused by name', () => {
    const c = threePhaseCandidates(net);
    // 671, 634, 675, 670 and 692 are three-phase load buses; 645, 646 (b, c), 611 (c), 652 (a) are not
    expect(c).toContain('675.1');
    expect(c).toContain('611.3');
    expect(c).toContain('652.1');
    expect(c).not.toContain('611.1');
    expect(c.filter((x) => x.startsWith('675.'))).toEqual(['675.1', '675.2', '675.3']);
    expect(threePhaseCandidates(net, { threePhaseUnits: true })).toContain('675.1.2.3');
    expect(target.candidateError('611.1')).toMatch(/phase their bus does not have/);
    expect(target.candidateError('675')).toMatch(/without a phase/);
    expect(target.candidateError('675.1.2')).toMatch(/two phases/);
    expect(target.candidateError('nowhere.1')).toMatch(/not in the feeder/);
    expect(target.candidateError('sourcebus.1')).toMatch(/source bus/);
    expect(target.candidateError('675.1.2.3')).toBeNull();
    expect(target.site('611.3', { kw: 60, kwh: 240 }, 3)).toEqual({
      bus: '611',
      phases: 1,
      kw: 60,
      kwh: 240,
      kva: 72,
      phaseNodes: [3],
    });
  });

  it('per-phase LMPs predict the cost change of a 0.5 kW injection at a node (finite differences of the full OPF)', () => {
    const horizon = daysHorizon(year, 2);
    const part = 0;
    const base = solveThreePhasePart(net, STUDY, horizon, [], part, true);
    expect(base.optimal, base.message).toBe(true);
    const names = base.busNames!;
    const T = base.lmpUsdPerKwh!.length / names.length;
    const study: Study = { ...STUDY, ...horizon.parts[part]!.study, objective: 'cost' };
    const values: number[] = [];
    for (const node of ['675.1', '611.3', '634.2']) {
      const [bus, ph] = node.split('.');
      const dp = 0.5;
      // a PV whose rating equals its output (no reactive range) and a flat shape: a constant injection
      const run = solveThreePhaseOpf(
        net,
        study,
        [
          {
            kind: 'pv',
            name: 'probe',
            bus: bus!,
            phases: [Number(ph)],
            pRatedKw: dp,
            sRatedKva: dp,
            shape: new Array<number>(T).fill(1),
          },
        ],
        { maxRounds: SITING_REGION_ROUNDS },
      );
      expect(run.outcome.optimal).toBe(true);
      const k = names.indexOf(node);
      expect(k).toBeGreaterThanOrEqual(0);
      let predicted = 0;
      for (let t = 0; t < T; t++) predicted -= base.lmpUsdPerKwh![t * names.length + k]! * dp;
      const actual = run.outcome.objective - base.objective;
      expect(Math.abs(actual - predicted)).toBeLessThan(2e-3 * Math.abs(predicted));
      values.push(predicted / dp);
    }
    // the phases and buses are priced differently (the screen has something to rank)
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(1e-3 * Math.abs(values[0]!));
  }, 600_000);

  it('single-phase candidates per phase, one 4-hour battery: the first-ranked site is the best of the exhaustive (bus, phase) sweep, same savings to 1e-6', async () => {
    const horizon = daysHorizon(year, 2);
    const candidates = threePhaseCandidates(net);
    expect(candidates.length).toBeGreaterThanOrEqual(15);
    const input: SitingInput = {
      target,
      candidates,
      sizes: [{ kw: 60, kwh: 240 }],
      count: 1,
      economics: ECONOMICS_DEFAULTS,
      horizon,
      verifyTop: 5,
    };
    const solver = threePhasePartSolver(net, STUDY, horizon);
    const study = await runSitingStudy(input, solver);
    const sweep = await sweepStudy(input, singleSiteConfigs(candidates, input.sizes, 1, target), solver);
    expect(sweep.ranked).toHaveLength(candidates.length);
    expect(sweep.ranked.every((r) => r.feasible)).toBe(true);
    const best = study.ranked[0]!;
    expect(best.sites).toEqual(sweep.ranked[0]!.sites);
    expect(best.sites[0]!.phaseNodes).toHaveLength(1);
    expect(Math.abs(best.savingsUsd - sweep.ranked[0]!.savingsUsd)).toBeLessThanOrEqual(
      1e-6 * Math.abs(sweep.ranked[0]!.savingsUsd),
    );
    expect(best.solveArgs).toBe(`--battery ${best.sites[0]!.bus}.${best.sites[0]!.phaseNodes![0]}:60:240:72`);
    // the map: one value per candidate, per bus and phase
    expect(study.marginalValue).toHaveLength(candidates.length);
    expect(study.marginalValue.every((m) => m.phaseNodes?.length === 1)).toBe(true);
    // every verified line is validated by the three-phase power flow
    expect(best.verification.maxValidationDiffPu).toBeLessThan(1e-6);
  }, 3_600_000);

  it('refuses candidates the feeder cannot take, before any OPF', async () => {
    const horizon = daysHorizon(year, 1);
    const never = (): Promise<never> => Promise.reject(new Error('no OPF should run'));
    const input: SitingInput = {
      target,
      candidates: ['611.1', '675.2'],
      sizes: [{ kw: 60, kwh: 240 }],
      count: 1,
      economics: ECONOMICS_DEFAULTS,
      horizon,
    };
    await expect(runSitingStudy(input, never)).rejects.toThrow(SitingError);
    await expect(runSitingStudy(input, never)).rejects.toThrow(/611\.1/);
  });
});

describe('siting on three-phase IEEE 123 with the script taps (the bench case)', () => {
  function ieee123(extraLines: string[]): UNetwork {
    const out = importUnbalanced(opendssRef('feeders/123Bus/IEEE123Master.dss'), readFs, { extraLines });
    if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
    expect(solveUnbalanced(out.network, { controls: false }).periods[0]!.converged).toBe(true);
    return out.network;
  }
  const horizon: Horizon = {
    kind: 'representative-days',
    parts: [{ label: 'day 181', weight: 1, study: dayStudy(year, 180) }],
    annualFactor: 1,
    description: 'one day',
  };
  const limits: Study = { vMinPu: 0.9, vMaxPu: 1.1 };

  it("a summer afternoon's baseline is infeasible because of the loads' Vminpu 0.95, and says so (not the study's 0.9 pu limit); with Vminpu at 0.9 it solves, validated", () => {
    // 30 June at 15:00 (load 0.85 pu): with the script's taps bus 114 cannot be held at 0.95 pu,
    // below which OpenDSS makes its load a constant impedance, a region the OPF does not model.
    // Which afternoon hour the diagnosis names comes from the infeasible solve's last iterate (it
    // moves with the KKT path: 15 on the AMD ordering, 13 on the stable one), so only the load is pinned.
    const script = solveThreePhasePart(ieee123([]), limits, horizon, [], 0, false);
    expect(script.optimal).toBe(false);
    expect(script.message).toMatch(
      /^load s114a\.1 at its Vminpu, 0\.949\d pu \(hour 1[2-7]; .* a Vminpu at or below the study's lower limit 0\.9 pu lifts this$/,
    );
    const low = solveThreePhasePart(ieee123(['BatchEdit Load..* Vminpu=0.9']), limits, horizon, [], 0, false);
    expect(low.optimal).toBe(true);
    expect(low.validationMaxVoltageDiffPu).toBeLessThan(1e-6);
  }, 300_000);
});
