/**
 * The three-phase OPF on IEEE 13 (OpenDSS's model, regulators at OpenDSS's fixed taps):
 * with nothing to decide and no binding limit, the OPF is a power flow — its node voltages equal
 * the three-phase power flow's and the OpenDSS engine's (test-data/opendss-feeders/opendss-results)
 * and its substation power equals OpenDSS's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef, testDataPath } from '../../test-data/index';
import { importUnbalanced } from '../unbalanced/import';
import type { UNetwork } from '../unbalanced/model';
import { solveUnbalanced } from '../unbalanced/solve';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import type { Profile, Study } from '../opf/study';
import { checkDerivatives } from '../nlp/index';
import { looseRegions, opf3FromNetwork, solveThreePhaseOpf, type Opf3UnitSpec } from './fromNetwork';
import { buildOpf3Model } from './model';
import { solveOpf3 } from './solve';
import { validateOpf3 } from './validate';
import { hourlyProfile } from '../testing/opf/ieee123';

interface Reference {
  master: string;
  pre: string[];
  p_subs_kw: number;
  q_subs_kvar: number;
  bus_vmag_pu: Record<string, Record<string, number>>;
}

const readFs = (p: string): string => readFileSync(p, 'utf8');
const reference = (name: string): Reference =>
  JSON.parse(readFs(opendssRef('opendss-results', `${name}.json`))) as Reference;

function load(ref: Reference): UNetwork {
  const out = importUnbalanced(opendssRef(ref.master), readFs, { extraLines: ref.pre });
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return out.network;
}

describe('three-phase OPF with nothing to decide = the power flow = OpenDSS', () => {
  it('IEEE 13 (fixed taps; wye and delta loads of models 1, 2, 5; delta-wye transformer; single-phase regulators)', () => {
    const ref = reference('ieee13_fixedtaps');
    const net = load(ref);
    const pf = solveUnbalanced(net, { controls: false }).periods[0]!;
    const opfNet = opf3FromNetwork(net, { periods: 1, vMinPu: 0.5, vMaxPu: 1.5, objective: 'cost' }, [], {
      snapshot: true,
    });
    const out = solveOpf3(opfNet);
    expect(out.optimal, out.nlp.message).toBe(true);
    const p = out.periods[0]!;
    let worstPf = 0;
    let worstDss = 0;
    let compared = 0;
    for (let i = 0; i < opfNet.nFree; i++) {
      const bus = opfNet.nodeBus[i]!;
      const node = String(opfNet.nodePhase[i]);
      const dss = ref.bus_vmag_pu[bus]?.[node];
      if (dss === undefined) continue;
      compared++;
      worstPf = Math.max(worstPf, Math.abs(p.vPu[i]! - pf.nodeVoltagesPu[bus]![node]!));
      worstDss = Math.max(worstDss, Math.abs(p.vPu[i]! - dss));
    }
    expect(compared).toBeGreaterThan(30);
    expect(worstPf).toBeLessThan(1e-6);
    expect(worstDss).toBeLessThan(1e-6);
    expect(Math.abs(p.substationKw / ref.p_subs_kw - 1)).toBeLessThan(1e-6);
    expect(Math.abs(p.substationKvar / ref.q_subs_kvar - 1)).toBeLessThan(1e-6);
    // The cost objective is price × substation energy (flat 1 ¢/kWh, one hour).
    expect(Math.abs(out.objective / (0.01 * ref.p_subs_kw) - 1)).toBeLessThan(1e-6);
  });
});

/** The reference case's hourly profile (headerless `hour,value`: every row counts, from hour 0). */
function profile(rel: string): Profile {
  return hourlyProfile(readFs(testDataPath('ieee123-balanced', rel)));
}

/** PV and batteries on IEEE 13: single-phase units on single- and three-phase buses, three-phase units. */
const UNITS: Opf3UnitSpec[] = [
  { kind: 'pv', name: 'pv675b', bus: '675', phases: [2], pRatedKw: 150, sRatedKva: 180 },
  { kind: 'pv', name: 'pv611', bus: '611', phases: [3], pRatedKw: 100, sRatedKva: 120 },
  { kind: 'pv', name: 'pv671', bus: '671', phases: [1, 2, 3], pRatedKw: 400, sRatedKva: 450 },
  { kind: 'battery', name: 'bat692', bus: '692', phases: [1, 2, 3], pRatedKw: 300, sRatedKva: 350, energyKwh: 900 },
  { kind: 'battery', name: 'bat652', bus: '652', phases: [1], pRatedKw: 100, sRatedKva: 120, energyKwh: 300 },
  { kind: 'battery', name: 'bat634', bus: '634', phases: [3], pRatedKw: 50, sRatedKva: 60, energyKwh: 150 },
];

describe('three-phase OPF with PV and batteries on IEEE 13', () => {
  const ref = reference('ieee13_fixedtaps');
  const study: Study = {
    periods: 6,
    startHour: 10,
    loadProfile: profile('profiles/load_shape_24h.csv'),
    pvProfile: profile('profiles/pv_shape_24h.csv'),
    priceCentsPerKwh: loadIeee123().price,
    // IEEE 13's regulators at OpenDSS's fixed taps hold rg60.3 at 1.0686 pu whatever the OPF does.
    vMinPu: 0.95,
    vMaxPu: 1.08,
  };

  it('solves, and the three-phase power flow with its set points reproduces its voltages to 1e-6 pu', () => {
    const net = load(ref);
    const { network: opfNet, outcome: out } = solveThreePhaseOpf(net, study, UNITS);
    expect(out.optimal, out.nlp.message).toBe(true);
    const v = validateOpf3(net, opfNet, out.periods, UNITS);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
    // Limits hold per phase; batteries keep their SOC limits and end where they started ('equal').
    for (const p of out.periods) {
      p.vPu.forEach((x, i) => {
        if (opfNet.limited[i]) {
          expect(x).toBeGreaterThanOrEqual(0.95 - 1e-7);
          expect(x).toBeLessThanOrEqual(1.08 + 1e-7);
        }
      });
    }
    const last = out.periods[out.periods.length - 1]!;
    UNITS.filter((u) => u.kind === 'battery').forEach((u, k) =>
      expect(last.batterySocKwh[k]!).toBeCloseTo(0.5 * u.energyKwh!, 4),
    );
    // The batteries do something: price varies over the horizon, so some charge or discharge.
    expect(
      out.periods.some((p) => p.batteryDischargeKw.some((x) => x > 1) || p.batteryChargeKw.some((x) => x > 1)),
    ).toBe(true);
  });

  it('a negative price makes burning power pay: the loads whose region relaxation (U5c) is loose are held in their region (U5b) and the OPF solved again, validated to 1e-6 pu', () => {
    const net = load(ref);
    const burn: Study = { ...study, periods: 2, priceCentsPerKwh: { intervalH: 1, values: [-5] } };
    const first = solveOpf3(opf3FromNetwork(net, burn, UNITS));
    expect(first.optimal, first.nlp.message).toBe(true);
    const loose = looseRegions(first.model, first.nlp.x);
    expect(loose.size).toBeGreaterThan(0);
    // … which the power flow would not reproduce
    const v1 = validateOpf3(net, first.model.net, first.periods, UNITS);
    expect(v1.maxDiffPu).toBeGreaterThan(1e-4);
    const run = solveThreePhaseOpf(net, burn, UNITS);
    expect(run.outcome.optimal, run.outcome.nlp.message).toBe(true);
    expect(run.rounds).toBe(2);
    expect(looseRegions(run.outcome.model, run.outcome.nlp.x).size).toBe(0);
    const v = validateOpf3(net, run.network, run.outcome.periods, UNITS);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
  });

  it('an impossible voltage limit ends infeasible with the limit named by bus, phase and hour', () => {
    const net = load(ref);
    const out = solveOpf3(opf3FromNetwork(net, { ...study, periods: 2, vMaxPu: 1.0 }, UNITS), { maxIter: 300 });
    expect(out.optimal).toBe(false);
    expect(out.diagnosis).toMatch(
      /^voltage upper limit 1 pu at bus \S+ phase [abc] \(hour 1[01]; [0-9.]+ pu at the last iterate\)/,
    );
  });

  it.each(['thevenin', 'norton'] as const)(
    'has exact derivatives on the imported model (transformers, delta and constant-current loads, %s source, region rows)',
    (sourceModel) => {
      const net = load(ref);
      const opfNet = opf3FromNetwork(net, { ...study, periods: 2, terminalSoc: 'soft', batteryLimit: 'disk' }, UNITS, {
        sourceModel,
        regionHolds: new Map([
          ['675b.1@0', 'z'],
          ['675b.1@1', 'own'],
        ]),
      });
      const model = buildOpf3Model(opfNet);
      for (const kind of ['constant-impedance region', 'own-model region', 'voltage region'])
        expect(model.problem.conNames!.some((n) => n.includes(kind))).toBe(true);
      const x = Float64Array.from(model.problem.x0, (v, k) => v + 0.01 * Math.sin(k));
      // quadratic rows: central differences are exact up to round-off, so a large step is right
      const res = checkDerivatives(model.problem, x, { step: 1e-3, tol: 1e-6 });
      expect(res.ok, res.report).toBe(true);
    },
  );

  it("the source as its EMF behind its impedance (U7'') and as a Norton injection (U7') give the same optimum; only the former has a price-sized objective gradient", () => {
    const net = load(ref);
    const thevenin = solveThreePhaseOpf(net, study, UNITS, { sourceModel: 'thevenin' });
    const norton = solveThreePhaseOpf(net, study, UNITS, { sourceModel: 'norton' });
    expect(thevenin.outcome.nlp.status, thevenin.outcome.nlp.message).toBe('solved');
    expect(norton.outcome.optimal, norton.outcome.nlp.message).toBe(true);
    expect(Math.abs(thevenin.outcome.objective / norton.outcome.objective - 1)).toBeLessThan(1e-6);
    thevenin.outcome.periods.forEach((p, t) => {
      const q = norton.outcome.periods[t]!;
      expect(Math.abs(p.substationKw - q.substationKw)).toBeLessThan(1e-3);
      p.vPu.forEach((v, i) => expect(Math.abs(v - q.vPu[i]!)).toBeLessThan(1e-6));
    });
    // ∇f at the start: the price per pu of substation power (C·Δt·S_b·|E| ≤ 0.07·1·1000·1.1)
    // with the EMF's series element, the Norton admittance's 10⁷-size entries without it
    const grad = (m: {
      problem: { n: number; x0: Float64Array; evalGradF(x: Float64Array, g: Float64Array): void };
    }): number => {
      const g = new Float64Array(m.problem.n);
      m.problem.evalGradF(m.problem.x0, g);
      return g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    };
    expect(grad(thevenin.outcome.model)).toBeLessThan(100);
    expect(grad(norton.outcome.model)).toBeGreaterThan(1e5);
  });

  it('refuses a unit on a phase its bus does not have', () => {
    const net = load(ref);
    expect(() =>
      opf3FromNetwork(net, { periods: 1 }, [
        { kind: 'pv', name: 'x', bus: '611', phases: [1], pRatedKw: 10, sRatedKva: 10 },
      ]),
    ).toThrow(/pv x: bus 611 has no phase 1/);
  });

  it('a two-phase unit (on two phases of a bus, its power split equally) solves, validated to 1e-6 pu', () => {
    const net = load(ref);
    const units: Opf3UnitSpec[] = [
      ...UNITS,
      { kind: 'battery', name: 'bat671ab', bus: '671', phases: [1, 2], pRatedKw: 200, sRatedKva: 240, energyKwh: 600 },
    ];
    const { network: opfNet, outcome: out } = solveThreePhaseOpf(net, { ...study, periods: 3 }, units);
    expect(out.optimal, out.nlp.message).toBe(true);
    const v = validateOpf3(net, opfNet, out.periods, units);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
    expect(opfNet.batteries.find((b) => b.name === 'bat671ab')!.phases.map((p) => opfNet.nodePhase[p.a])).toEqual([
      1, 2,
    ]);
  });

  it('refuses a unit with a phase given twice, or with more than three', () => {
    const net = load(ref);
    const unit = (phases: number[]): Opf3UnitSpec => ({
      kind: 'battery',
      name: 'b',
      bus: '671',
      phases,
      pRatedKw: 10,
      sRatedKva: 12,
      energyKwh: 30,
    });
    expect(() => opf3FromNetwork(net, { periods: 1 }, [unit([1, 1])])).toThrow(/battery b: .*each once; got \[1, 1\]/);
    expect(() => opf3FromNetwork(net, { periods: 1 }, [unit([1, 2, 3, 1])])).toThrow(/battery b: .*got \[1, 2, 3, 1\]/);
    expect(() => opf3FromNetwork(net, { periods: 1 }, [unit([])])).toThrow(/battery b: give one phase/);
  });
});
