/**
 * Three-phase unbalanced OPF (src-solver/opf3, docs/spec/unbalanced-opf.md) on OpenDSS's own
 * feeders, regulators at OpenDSS's fixed taps, with 10 PV and 10 batteries placed by the seeded
 * rule (opf3/placement.ts, seed 15; single- and three-phase units), T = 24, cost objective with
 * the bundled hourly price, load and PV profiles. Target (issue #15): IEEE 123 under 3 s.
 * Reports the NLP iterations and seconds of the final solve, the region rounds (loads' OpenDSS
 * constant-Z region re-decided at the solution), the total seconds including import and the
 * start power flows, the largest discrepancy of the validating three-phase power flow, and the
 * objective's relative change when the tolerance is tightened tenfold.
 */
import { readFileSync } from 'node:fs';
import { loadIeee123 } from '../ipopt-ref/export-data';
import { opendssRef, testDataPath } from '../../test-data/index';
import type { Profile, Study } from '../../src-solver/opf/study';
import { solveThreePhaseOpf } from '../../src-solver/opf3/fromNetwork';
import { OPF3_NLP_DEFAULTS } from '../../src-solver/opf3/solve';
import { placeUnits } from '../../src-solver/opf3/placement';
import { validateOpf3 } from '../../src-solver/opf3/validate';
import { importUnbalanced } from '../../src-solver/unbalanced/import';
import type { BenchCase } from '../types';

const PERIODS = 24;
const TARGET_S = 3;
const readFs = (p: string): string => readFileSync(p, 'utf8');

function profile(rel: string): Profile {
  const values = readFs(testDataPath('ieee123-balanced', rel))
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => Number(l.split(',')[1]));
  return { intervalH: 1, values };
}

function runFeeder(refName: string, vMaxPu: number, tighten: boolean): Record<string, unknown> {
  const t0 = performance.now();
  const ref = JSON.parse(readFs(opendssRef('opendss-results', `${refName}.json`))) as { master: string; pre: string[] };
  const out = importUnbalanced(opendssRef(ref.master), readFs, { extraLines: ref.pre });
  if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('; '));
  const net = out.network;
  const units = placeUnits(net, 15, 10, 10);
  const study: Study = {
    periods: PERIODS,
    loadProfile: profile('profiles/load_shape_24h.csv'),
    pvProfile: profile('profiles/pv_shape_24h.csv'),
    priceCentsPerKwh: loadIeee123().price,
    objective: 'cost',
    vMinPu: 0.95,
    vMaxPu,
  };
  const run = solveThreePhaseOpf(net, study, units);
  const totalSeconds = (performance.now() - t0) / 1000;
  const o = run.outcome;
  const validation = o.optimal ? validateOpf3(net, run.network, o.periods, units) : null;
  let objectiveTightRel: number | null = null;
  if (tighten && o.optimal) {
    const tight = solveThreePhaseOpf(net, study, units, { nlp: { tol: (OPF3_NLP_DEFAULTS.tol ?? 1e-10) / 10 } });
    objectiveTightRel = tight.outcome.optimal ? Math.abs(tight.outcome.objective / o.objective - 1) : null;
  }
  return {
    iterations: o.nlp.iterations,
    status: o.nlp.status,
    objectiveUsd: o.objective,
    nlpSeconds: o.nlp.seconds,
    regionRounds: run.rounds,
    totalSeconds,
    targetSeconds: TARGET_S,
    underTarget: totalSeconds < TARGET_S,
    variables: o.model.problem.n,
    constraints: o.model.problem.m,
    nodes: run.network.nFree,
    units: units.map((u) => `${u.name}@${u.bus}.${u.phases.join('')}`).join(' '),
    validationMaxDiffPu: validation?.maxDiffPu ?? null,
    validationAt: validation?.at ?? null,
    objectiveTightRel,
    ...(o.diagnosis ? { diagnosis: o.diagnosis } : {}),
  };
}

const cases: BenchCase[] = [
  {
    name: 'opf3: IEEE 123 three-phase (OpenDSS, fixed taps), 10 PV + 10 batteries, T = 24, cost',
    size: { periods: PERIODS, pv: 10, batteries: 10 },
    run: () => runFeeder('ieee123_fixedtaps', 1.06, true),
  },
  {
    name: 'opf3: IEEE 13 three-phase (OpenDSS, fixed taps), 10 PV + 10 batteries, T = 24, cost',
    size: { periods: PERIODS, pv: 10, batteries: 10 },
    // the fixed regulator taps hold rg60.3 at 1.0686 pu whatever the OPF does
    run: () => runFeeder('ieee13_fixedtaps', 1.08, false),
  },
];

export default cases;
