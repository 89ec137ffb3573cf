/**
 * The limits (U6c)–(U6e) of the three-phase OPF (limits.ts) on a small feeder built for them: a
 * switch and a line (with charging) from the source to bus a, a single-phase load on a.1 (voltage
 * unbalance), and a delta-delta transformer to an ungrounded 0.48 kV bus b with a delta load
 * (line-to-line voltages). Each limit is made to bind, and the bound value is checked against an
 * independent computation: the three-phase power flow run with the OPF's set points — its
 * line-to-line magnitudes, its VUF from the sequence components, its element currents.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDerivatives } from '../nlp/index';
import type { Study } from '../opf/study';
import { importUnbalanced } from '../unbalanced/import';
import type { UGenerator, ULoadShape, UNetwork } from '../unbalanced/model';
import { solveUnbalanced, type UnbalancedPeriod } from '../unbalanced/solve';
import { opf3FromNetwork, solveThreePhaseOpf, type Opf3UnitSpec } from './fromNetwork';
import type { Opf3LimitOptions } from './limits';
import { buildOpf3Model } from './model';
import type { Opf3Network } from './network';
import { solveOpf3, type Opf3Period } from './solve';
import { validateOpf3 } from './validate';

const SCRIPT = `Clear
New Circuit.lim basekv=12.47 pu=1.0 phases=3 bus1=src MVAsc3=200 MVAsc1=200
New Line.sw bus1=src bus2=s0 phases=3 switch=yes normamps=90
New Line.l1 bus1=s0 bus2=a phases=3 r1=0.3 x1=0.6 r0=0.9 x0=1.8 c1=10 c0=5 length=3 units=km emergamps=92
New Transformer.t1 phases=3 windings=2 buses=[a, b] conns=[delta, delta] kvs=[12.47, 0.48] kvas=[1000, 1000] xhl=6 %r=1
New Load.lb bus1=b phases=3 conn=delta kv=0.48 kw=500 kvar=150 model=1 vminpu=0.7 vmaxpu=1.3
New Load.la bus1=a.1 phases=1 kv=7.2 kw=400 kvar=100 model=1 vminpu=0.7 vmaxpu=1.3
Set VoltageBases=[12.47, 0.48]
CalcVoltageBases
`;

function feeder(): UNetwork {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-limits-'));
  writeFileSync(join(dir, 'Master.dss'), SCRIPT);
  const out = importUnbalanced(join(dir, 'Master.dss'), (p) => readFileSync(p, 'utf8'));
  if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('; '));
  return out.network;
}

/** Two hours, cheap then dear: the battery wants to charge first and discharge after. */
const STUDY: Study = {
  periods: 2,
  priceCentsPerKwh: { intervalH: 1, values: [1, 8] },
  terminalSoc: 'equal',
  vMinPu: 0.9,
  vMaxPu: 1.1,
};

/**
 * The three-phase power flow with the OPF's set points, every period (each unit phase a generator
 * on an actual-valued daily shape carrying its kW and kvar per period), element currents included.
 */
function powerFlowAt(
  net: UNetwork,
  opf: Opf3Network,
  periods: readonly Opf3Period[],
  units: readonly Opf3UnitSpec[],
): UnbalancedPeriod[] {
  const shapes = new Map<string, ULoadShape>(net.loadShapes);
  const gens: UGenerator[] = [];
  const k = { pv: 0, battery: 0 };
  for (const u of units) {
    const idx = k[u.kind]++;
    const kw = periods.map((p, t) =>
      u.kind === 'pv' ? opf.pv[idx]!.pPu[t]! * opf.baseKva : p.batteryDischargeKw[idx]! - p.batteryChargeKw[idx]!,
    );
    const kvar = periods.map((p) => (u.kind === 'pv' ? p.pvKvar[idx]! : p.batteryKvar[idx]!));
    for (const ph of u.phases) {
      const name = `${u.name}.${ph}`;
      shapes.set(name, {
        name,
        mult: kw.map((x) => x / u.phases.length),
        qmult: kvar.map((x) => x / u.phases.length),
        intervalHours: 1,
        hours: null,
        useActual: true,
      });
      gens.push({
        kind: 'storage',
        name,
        bus: { bus: u.bus, nodes: [ph, 0] },
        phases: 1,
        conn: 'wye',
        kv: net.buses.get(u.bus)!.kvBaseLN,
        kw: 0,
        kvar: 0,
        daily: name,
        yearly: null,
        duty: null,
        at: { file: 'test', line: 0 },
      });
    }
  }
  const withUnits: UNetwork = { ...net, generators: [...net.generators, ...gens], loadShapes: shapes };
  return solveUnbalanced(withUnits, { hours: periods.length, controls: false, elementFlows: true }).periods;
}

function solve(units: Opf3UnitSpec[], study: Study, limits: Opf3LimitOptions) {
  const net = feeder();
  const run = solveThreePhaseOpf(net, study, units, { limits });
  expect(run.outcome.optimal, run.outcome.nlp.message).toBe(true);
  const v = validateOpf3(net, run.network, run.outcome.periods, units);
  expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
  return { net, run, pf: powerFlowAt(net, run.network, run.outcome.periods, units) };
}

const battery3: Opf3UnitSpec = {
  kind: 'battery',
  name: 'b3',
  bus: 'a',
  phases: [1, 2, 3],
  pRatedKw: 300,
  sRatedKva: 400,
  energyKwh: 1200,
};
const battery1: Opf3UnitSpec = {
  kind: 'battery',
  name: 'b1',
  bus: 'a',
  phases: [1],
  pRatedKw: 300,
  sRatedKva: 350,
  energyKwh: 1200,
};

const minLineToLine = (pf: readonly UnbalancedPeriod[], bus: string): number =>
  Math.min(...pf.map((p) => Math.min(...p.lineVoltagesPu[bus]!)));
const maxVuf = (pf: readonly UnbalancedPeriod[]): number => Math.max(...pf.flatMap((p) => Object.values(p.vuf)));
const maxAmps = (pf: readonly UnbalancedPeriod[], element: string): number =>
  Math.max(
    ...pf.flatMap((p) =>
      p.elements!.filter((e) => e.element === element).flatMap((e) => e.terminals.flatMap((t) => t.amps)),
    ),
  );

describe('three-phase OPF limits (U6c)–(U6e)', () => {
  it('has exact derivatives with every limit row (line-to-line, VUF, series and terminal currents)', () => {
    const net = feeder();
    const opf = opf3FromNetwork(net, STUDY, [battery1], { limits: { vufMaxPct: 1, currentLimits: 'normal' } });
    const em = opf3FromNetwork(net, STUDY, [battery1], { limits: { currentLimits: 'emergency' } });
    expect(opf.limits!.lineToLine.map((p) => p.name)).toEqual([
      'bus b phases a-b',
      'bus b phases b-c',
      'bus b phases c-a',
    ]);
    expect(opf.limits!.vuf.map((v) => v.bus)).toEqual(['a', 'b', 's0', 'src']);
    expect(opf.limits!.currents.map((c) => c.kind)).toEqual(['series', 'series', 'series']);
    // emergency: sw 1.5 × 90 A (no emergamps given), l1's emergamps at both ends (it has charging)
    expect(em.limits!.currents.map((c) => c.name)).toEqual([
      'line sw conductor 1 (emergency 135 A)',
      'line sw conductor 2 (emergency 135 A)',
      'line sw conductor 3 (emergency 135 A)',
      ...[1, 2, 3].map((c) => `line l1 from end conductor ${c} (emergency 92 A)`),
      ...[1, 2, 3].map((c) => `line l1 to end conductor ${c} (emergency 92 A)`),
    ]);
    for (const o of [opf, em]) {
      const model = buildOpf3Model(o);
      const x = Float64Array.from(model.problem.x0, (v, k) => v + 0.01 * Math.sin(k));
      const res = checkDerivatives(model.problem, x, { step: 1e-3, tol: 1e-6 });
      expect(res.ok, res.report).toBe(true);
    }
  });

  it('(U6c) line-to-line limit on the ungrounded bus binds, and the power flow sees it there', () => {
    // the battery's charging in the cheap hour lowers b to 0.9676; idle with full vars it reaches 0.96998
    const study = { ...STUDY, vMinPu: 0.969 };
    const { net, run, pf } = solve([battery3], study, {});
    // The power flow's line-to-line magnitudes at b (pu of its line-to-line base): at the limit.
    expect(minLineToLine(pf, 'b')).toBeCloseTo(0.969, 6);
    expect(minLineToLine(pf, 'b')).toBeGreaterThan(0.969 - 1e-7);
    // Without the rows, the same OPF goes below it (the limit binds).
    const free = solveOpf3({ ...run.network, limits: { ...run.network.limits!, lineToLine: [] } });
    expect(free.optimal).toBe(true);
    expect(minLineToLine(powerFlowAt(net, run.network, free.periods, [battery3]), 'b')).toBeLessThan(0.969 - 1e-3);
  });

  it('(U6d) the VUF limit binds, at the value the power flow computes from its sequence components', () => {
    const free = solve([battery1], STUDY, {});
    const vuf0 = maxVuf(free.pf);
    expect(vuf0).toBeGreaterThan(0.012);
    const { pf, run } = solve([battery1], STUDY, { vufMaxPct: 1 });
    expect(run.network.limits!.vufMax).toBe(0.01);
    expect(maxVuf(pf)).toBeCloseTo(0.01, 7);
    expect(maxVuf(pf)).toBeLessThan(0.01 + 1e-8);
  });

  it('(U6e) current limits bind: the switch at its normamps (series element), the line at its emergamps (terminal currents)', () => {
    const free = solve([battery3], STUDY, {});
    expect(maxAmps(free.pf, 'line.sw')).toBeGreaterThan(95);
    const normal = solve([battery3], STUDY, { currentLimits: 'normal' });
    expect(maxAmps(normal.pf, 'line.sw')).toBeCloseTo(90, 5);
    expect(maxAmps(normal.pf, 'line.sw')).toBeLessThan(90 + 1e-5);
    const emergency = solve([battery3], STUDY, { currentLimits: 'emergency' });
    expect(maxAmps(emergency.pf, 'line.l1')).toBeCloseTo(92, 5);
    expect(maxAmps(emergency.pf, 'line.l1')).toBeLessThan(92 + 1e-5);
    expect(maxAmps(emergency.pf, 'line.sw')).toBeLessThan(135);
  });

  it('an unreachable VUF limit ends infeasible with that limit named by bus and hour', () => {
    const run = solveThreePhaseOpf(feeder(), STUDY, [battery1], { limits: { vufMaxPct: 0.1 }, nlp: { maxIter: 300 } });
    expect(run.outcome.optimal).toBe(false);
    expect(run.outcome.diagnosis).toMatch(/^voltage unbalance limit 0\.1 % at bus \S+, hour [01] \(violated by/);
  });
});
