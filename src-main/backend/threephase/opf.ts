/**
 * A centralized OPF run on a three-phase feeder: the network rebuilt from the project's scripts,
 * the scenario's PV and batteries placed on their phases, the three-phase OPF
 * (src-solver/opf3, `solveThreePhaseOpf`) solved, validated by the three-phase power flow
 * (`validateOpf3`), and the result turned into a stored run (series and stats, records.ts).
 *
 * Regulator taps and capacitor states: set once by the power flow with its controls acting at the
 * nominal load (OpenDSS's static control mode), then held fixed over the horizon by the OPF and
 * its validation (the taps are listed with the run).
 *
 * Pure of the backend's state: it runs in the base-case worker thread (basecase-worker.ts).
 */
import type { PhaseLetter, Placements, RunStatus, RunThreePhaseInfo, StudySettings } from '../../contract';
import type { IterationRecord } from '../../../src-solver/nlp/types';
import { solveThreePhaseOpf, type Opf3UnitSpec } from '../../../src-solver/opf3/fromNetwork';
import type { Opf3Network } from '../../../src-solver/opf3/network';
import type { Opf3Outcome } from '../../../src-solver/opf3/solve';
import { validateOpf3 } from '../../../src-solver/opf3/validate';
import { opf3LossesKw } from '../../../src-solver/opf3/losses';
import { sampleProfile } from '../../../src-solver/opf/study';
import type { UNetwork } from '../../../src-solver/unbalanced/model';
import { solveUnbalanced } from '../../../src-solver/unbalanced/solve';
import type { Series } from '../store/project';
import { runStatusOf, toOpfStudy, type StoredStats } from '../runs/records';
import { networkOrThrow, type FeederScripts } from './network';

export interface ThreePhaseOpfInput {
  readonly scripts: FeederScripts;
  readonly study: StudySettings;
  readonly placements: Placements;
}

export interface ThreePhaseOpfOutput {
  readonly status: RunStatus;
  /** Stats without the settings-derived fields the caller fills (busNames … are set here). */
  readonly stats: StoredStats;
  readonly series: Record<string, Series>;
  readonly log: readonly string[];
}

/**
 * Solves allowed until the loads' OpenDSS voltage regions agree with the solution (the solver's
 * default is 4). Measured on IEEE 123 (T = 24, 1 PV, 3 batteries, V 0.9–1.1 pu): 4 rounds end
 * with regions still changing and a validation discrepancy of 5.6e-6 pu (load at 85.3, hour 14);
 * the 5th round agrees and validates to 7.7e-11 pu.
 */
const MAX_REGION_ROUNDS = 10;

export type ThreePhaseOpfStage = 'building' | 'solving' | 'validating';

export interface ThreePhaseOpfHooks {
  readonly stage?: (s: ThreePhaseOpfStage) => void;
  readonly iteration?: (r: IterationRecord) => void;
  readonly signal?: { readonly aborted: boolean };
}

const LETTERS: readonly PhaseLetter[] = ['A', 'B', 'C'];

/** A placement's phases as phase nodes 1–3: the given ones (checked against the bus), else the bus's. */
function unitPhases(
  net: UNetwork,
  kind: string,
  name: string,
  busIn: string,
  phases: readonly PhaseLetter[] | undefined,
): number[] {
  const bus = net.buses.get(busIn.toLowerCase());
  if (!bus) throw new Error(`${kind} "${name}": bus ${busIn} is not in the three-phase feeder`);
  const present = bus.nodes.filter((n) => n >= 1 && n <= 3);
  if (present.length === 0)
    throw new Error(`${kind} "${name}": bus ${busIn} has no phase conductor (nodes ${bus.nodes.join('.')})`);
  if (!phases) return present;
  const want = phases.map((p) => LETTERS.indexOf(p) + 1);
  const missing = want.filter((n) => !present.includes(n));
  if (missing.length > 0)
    throw new Error(
      `${kind} "${name}": bus ${busIn} has phase${present.length === 1 ? '' : 's'} ${present.map((n) => LETTERS[n - 1]).join('')} only, not ${missing.map((n) => LETTERS[n - 1]).join('')}`,
    );
  if (want.length === 2)
    throw new Error(
      `${kind} "${name}": a unit is single-phase (one phase) or on all of its bus's phases; two of three is not supported`,
    );
  return want;
}

/** The scenario's placements as the three-phase OPF's units (phases resolved). */
export function unitsOf(net: UNetwork, placements: Placements): Opf3UnitSpec[] {
  return [
    ...placements.pv.map((p): Opf3UnitSpec => ({
      kind: 'pv',
      name: p.name,
      bus: p.bus.toLowerCase(),
      phases: unitPhases(net, 'PV', p.name, p.bus, p.phases),
      pRatedKw: p.pRatedKw,
      sRatedKva: p.sRatedKva,
    })),
    ...placements.batteries.map((b): Opf3UnitSpec => ({
      kind: 'battery',
      name: b.name,
      bus: b.bus.toLowerCase(),
      phases: unitPhases(net, 'Battery', b.name, b.bus, b.phases),
      pRatedKw: b.pRatedKw,
      sRatedKva: b.sRatedKva,
      energyKwh: b.energyKwh,
      etaCharge: b.etaCharge,
      etaDischarge: b.etaDischarge,
      socMin: b.socMin,
      socMax: b.socMax,
      socInitial: b.socInitial,
    })),
  ];
}

/**
 * The network with its taps and capacitor states set by the nominal-load power flow (controls
 * acting), and those taps. Shared by the run and the tests that solve the same inputs directly.
 */
export function preparedNetwork(scripts: FeederScripts): { net: UNetwork; taps: Record<string, number> } {
  const { network } = networkOrThrow(scripts);
  const pf = solveUnbalanced(network, { controls: true });
  return { net: network, taps: { ...(pf.periods[0]?.regulatorTaps ?? {}) } };
}

/** Line losses (U15's Y_net part and the series elements), kW, per period. */
const lossesKw = (o: Opf3Outcome): number[] => opf3LossesKw(o);

/**
 * Per period, the largest voltage unbalance factor |V₂|/|V₁| over buses with phases A, B and C,
 * from the OPF's line-to-neutral phasors (V₁ = (Va + a Vb + a² Vc)/3, V₂ = (Va + a² Vb + a Vc)/3,
 * a = 1∠120°; the bases of a bus's phases are equal, so pu phasors give the same ratio).
 */
function unbalance(net: Opf3Network, o: Pick<ThreePhaseSolved, 'periods'>): { value: number[]; bus: string[] } {
  const byBus = new Map<string, number[]>();
  for (let i = 0; i < net.nFree; i++) {
    const ph = net.nodePhase[i]!;
    if (ph < 1 || ph > 3) continue;
    const row = byBus.get(net.nodeBus[i]!) ?? [-1, -1, -1];
    row[ph - 1] = i;
    byBus.set(net.nodeBus[i]!, row);
  }
  const three = [...byBus].filter(([, r]) => r.every((i) => i >= 0));
  if (three.length === 0) return { value: [], bus: [] };
  const value: number[] = [];
  const bus: string[] = [];
  for (const p of o.periods) {
    let best = -1;
    let at = '';
    for (const [name, [a, b, c]] of three) {
      const ph = (i: number, shiftDeg: number): [number, number] => {
        const ang = ((p.angleDeg[i]! + shiftDeg) * Math.PI) / 180;
        return [p.vPu[i]! * Math.cos(ang), p.vPu[i]! * Math.sin(ang)];
      };
      const [ar, ai] = ph(a!, 0);
      const [b1r, b1i] = ph(b!, 120);
      const [c1r, c1i] = ph(c!, 240);
      const [b2r, b2i] = ph(b!, 240);
      const [c2r, c2i] = ph(c!, 120);
      const v1 = Math.hypot(ar + b1r + c1r, ai + b1i + c1i);
      const v2 = Math.hypot(ar + b2r + c2r, ai + b2i + c2i);
      const f = v1 > 0 ? v2 / v1 : 0;
      if (f > best) {
        best = f;
        at = name;
      }
    }
    value.push(best);
    bus.push(at);
  }
  return { value, bus };
}

function perUnitSeries(values: readonly (readonly number[])[], T: number): Series {
  const data = new Float64Array(values.length * T);
  values.forEach((row, u) => row.forEach((v, t) => (data[u * T + t] = v)));
  return { shape: [values.length, T], data };
}

/**
 * The solver names period t by its start hour (startHour + t·Δt); the app numbers hours as the
 * base case and OpenDSS's daily mode do — the period's loads are the shapes' at hour start + 1 —
 * so "hour 0" in a solver message is the screens' hour 1.
 */
export const openDssHours = (text: string): string =>
  text.replace(/\(hour (\d+(?:\.\d+)?)/g, (_, h: string) => `(hour ${Number(h) + 1}`);

const systemSeries = (values: readonly number[]): Series => ({
  shape: [values.length],
  data: Float64Array.from(values),
});

export function runThreePhaseOpf(input: ThreePhaseOpfInput, hooks: ThreePhaseOpfHooks = {}): ThreePhaseOpfOutput {
  hooks.stage?.('building');
  const log: string[] = [];
  const { net, taps } = preparedNetwork(input.scripts);
  const units = unitsOf(net, input.placements);
  const { study, nlp } = toOpfStudy(input.study);
  log.push(
    `three-phase OPF: ${net.buses.size} buses, ${units.filter((u) => u.kind === 'pv').length} PV, ${units.filter((u) => u.kind === 'battery').length} batteries; ` +
      `taps held at ${
        Object.entries(taps)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      } (nominal-load power flow with controls)`,
  );
  hooks.stage?.('solving');
  const t0 = performance.now();
  const solved = solveThreePhaseOpf(net, study, units, {
    nlp,
    maxRounds: MAX_REGION_ROUNDS,
    hooks: {
      ...(hooks.iteration ? { onIteration: hooks.iteration } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    },
  });
  // Wall time of every round (loads' voltage regions re-decided), not only the last solve's.
  const seconds = (performance.now() - t0) / 1000;
  const { network, outcome } = solved;
  const r = outcome.nlp;
  log.push(`solver: ${r.status} after ${r.iterations} iterations, ${solved.rounds} round(s) of load voltage regions`);
  const base = emptyThreePhaseStats(input.study.periods, input.study.dtH);
  const status = runStatusOf(r.status);
  if (!outcome.optimal) {
    const message = `${r.message}${outcome.diagnosis ? `; binding: ${openDssHours(outcome.diagnosis)}` : ''}`;
    return { status, stats: { ...base, message, iterations: r.iterations, seconds }, series: {}, log };
  }
  hooks.stage?.('validating');
  const checked = validateOpf3(net, network, outcome.periods, units);
  const validation = { ...checked, at: openDssHours(checked.at) };
  log.push(
    `validation: largest node-voltage discrepancy ${validation.maxDiffPu.toExponential(2)} pu at ${validation.at}${validation.converged ? '' : ' (a power flow did not converge)'}`,
  );
  const { stats, series } = threePhaseResults(
    network,
    { objective: outcome.objective, periods: outcome.periods, message: r.message, iterations: r.iterations },
    lossesKw(outcome),
    units,
    taps,
    validation,
    solved.rounds,
    input.study.priceCentsPerKwh,
  );
  return { status, stats: { ...stats, seconds }, series, log };
}

export function emptyThreePhaseStats(periods: number, dtH: number): StoredStats {
  return {
    message: '',
    objective: null,
    iterations: null,
    seconds: null,
    periods,
    dtH,
    totals: null,
    maxSimultaneousChargeDischargeKw: null,
    validation: null,
    busNames: [],
    pvNames: [],
    pvBuses: [],
    batteryNames: [],
    batteryBuses: [],
    batteryLimits: [],
    distributed: null,
    notes: [],
  };
}

/** What a stored three-phase run needs of a solve: a centralized one's outcome, or a distributed one's merged periods. */
export interface ThreePhaseSolved {
  readonly objective: number;
  readonly periods: readonly Opf3Outcome['periods'][number][];
  /** The solver's (or the coordinator's) closing message. */
  readonly message: string;
  readonly iterations: number;
}

/** A solved three-phase OPF as a stored run's stats and series (`lossKw`: the network losses per period). */
export function threePhaseResults(
  net: Opf3Network,
  o: ThreePhaseSolved,
  lossKw: readonly number[],
  units: readonly Opf3UnitSpec[],
  taps: Record<string, number>,
  validation: ReturnType<typeof validateOpf3>,
  rounds: number,
  priceCents: readonly number[],
): { stats: StoredStats; series: Record<string, Series> } {
  const T = net.periods;
  const dt = net.study.dtH;
  const nodes: number[] = [];
  for (let i = 0; i < net.nFree; i++) if (net.nodePhase[i]! >= 1 && net.nodePhase[i]! <= 3) nodes.push(i);
  const busNames = [...new Set(nodes.map((i) => net.nodeBus[i]!))];
  const busIndex = new Map(busNames.map((b, k) => [b, k]));
  // each bus's worst phase (farthest from 1 pu), per period
  const worst = busNames.map(() => new Array<number>(T).fill(NaN));
  const nodeV = nodes.map(() => new Array<number>(T).fill(0));
  o.periods.forEach((p, t) => {
    nodes.forEach((i, k) => {
      const v = p.vPu[i]!;
      nodeV[k]![t] = v;
      const row = worst[busIndex.get(net.nodeBus[i]!)!]!;
      if (Number.isNaN(row[t]!) || Math.abs(v - 1) > Math.abs(row[t]! - 1)) row[t] = v;
    });
  });
  const vuf = unbalance(net, o);
  const pvSpecs = units.filter((u) => u.kind === 'pv');
  const batSpecs = units.filter((u) => u.kind === 'battery');
  const pvKw = net.pv.map((u) => Array.from(u.pPu, (v) => v * net.baseKva));
  const pvKvar = net.pv.map((_, k) => o.periods.map((p) => p.pvKvar[k]!));
  const charge = net.batteries.map((_, k) => o.periods.map((p) => p.batteryChargeKw[k]!));
  const discharge = net.batteries.map((_, k) => o.periods.map((p) => p.batteryDischargeKw[k]!));
  const batKvar = net.batteries.map((_, k) => o.periods.map((p) => p.batteryKvar[k]!));
  const soc = net.batteries.map((_, k) => o.periods.map((p) => p.batterySocKwh[k]!));
  const subKw = o.periods.map((p) => p.substationKw);
  const subKvar = o.periods.map((p) => p.substationKvar);
  const price = o.periods.map((p) => sampleProfile({ intervalH: 1, values: priceCents }, p.hour) / 100);
  const pvTotal = Array.from({ length: T }, (_, t) => pvKw.reduce((s, u) => s + u[t]!, 0));
  const batNet = Array.from({ length: T }, (_, t) => discharge.reduce((s, u, k) => s + u[t]! - charge[k]![t]!, 0));
  const demandKw = subKw.map((p, t) => p + pvTotal[t]! + batNet[t]! - lossKw[t]!);
  const costUsd = subKw.map((p, t) => p * dt * price[t]!);
  const sum = (a: readonly number[]): number => a.reduce((s, x) => s + x, 0);
  const letters = (u: Opf3UnitSpec): PhaseLetter[] => u.phases.map((n) => LETTERS[n - 1]!);
  const perPhase = (rows: readonly (readonly number[])[], specs: readonly Opf3UnitSpec[]) =>
    rows.map((row, k) => row.map((v) => v / specs[k]!.phases.length));
  const threePhase: RunThreePhaseInfo = {
    nodeBuses: nodes.map((i) => net.nodeBus[i]!),
    nodePhases: nodes.map((i) => LETTERS[net.nodePhase[i]! - 1]!),
    pvPhases: pvSpecs.map(letters),
    batteryPhases: batSpecs.map(letters),
    validation: {
      maxDiffPu: validation.maxDiffPu,
      at: validation.at,
      perPeriodMaxDiffPu: validation.perPeriodMaxDiffPu,
      converged: validation.converged,
    },
    regulatorTaps: taps,
    rounds,
    vufMaxBus: vuf.bus,
  };
  let maxSim = 0;
  charge.forEach((row, k) => row.forEach((c, t) => (maxSim = Math.max(maxSim, Math.min(c, discharge[k]![t]!)))));
  const series: Record<string, Series> = {
    substationKw: systemSeries(subKw),
    substationKvar: systemSeries(subKvar),
    demandKw: systemSeries(demandKw),
    pvKw: systemSeries(pvTotal),
    lossKw: systemSeries(lossKw),
    priceUsdPerKwh: systemSeries(price),
    costUsd: systemSeries(costUsd),
    voltagePu: perUnitSeries(worst, T),
    nodeVoltagePu: perUnitSeries(nodeV, T),
    ...(vuf.bus.length > 0 ? { vufMax: systemSeries(vuf.value) } : {}),
    pvUnitKw: perUnitSeries(pvKw, T),
    pvUnitKvar: perUnitSeries(pvKvar, T),
    pvPhaseKw: perUnitSeries(perPhase(pvKw, pvSpecs), T),
    batterySocKwh: perUnitSeries(soc, T),
    batteryChargeKw: perUnitSeries(charge, T),
    batteryDischargeKw: perUnitSeries(discharge, T),
    batteryKvar: perUnitSeries(batKvar, T),
    batteryPhaseKw: perUnitSeries(
      perPhase(
        discharge.map((row, k) => row.map((d, t) => d - charge[k]![t]!)),
        batSpecs,
      ),
      T,
    ),
  };
  const v = validation;
  const stats: StoredStats = {
    ...emptyThreePhaseStats(T, dt),
    message:
      `${o.message} Three-phase OPF, validated by the three-phase power flow: largest node-voltage discrepancy ` +
      `${v.maxDiffPu.toExponential(2)} pu at ${v.at || '—'}${v.converged ? '' : ' (a validation power flow did not converge)'}. ` +
      `Powers are three-phase totals.`,
    objective: o.objective,
    iterations: o.iterations,
    totals: {
      lineLossKwh: sum(lossKw) * dt,
      substationKwh: sum(subKw) * dt,
      substationKvarh: sum(subKvar) * dt,
      pvKwh: sum(pvTotal) * dt,
      pvKvarh: sum(pvKvar.flat()) * dt,
      batteryKwh: sum(batNet) * dt,
      batteryKvarh: sum(batKvar.flat()) * dt,
      costUsd: sum(costUsd),
      demandKwh: sum(demandKw) * dt,
    },
    maxSimultaneousChargeDischargeKw: maxSim,
    busNames,
    pvNames: pvSpecs.map((u) => u.name),
    pvBuses: pvSpecs.map((u) => u.bus),
    batteryNames: batSpecs.map((u) => u.name),
    batteryBuses: batSpecs.map((u) => u.bus),
    batteryLimits: batSpecs.map((u) => ({
      pRatedKw: u.pRatedKw,
      energyKwh: u.energyKwh ?? NaN,
      socMin: u.socMin ?? NaN,
      socMax: u.socMax ?? NaN,
    })),
    notes: [
      "Three-phase OPF (src-solver/opf3): powers are three-phase totals; per-phase unit powers are the total divided by the unit's phases (three-phase units dispatched balanced).",
      `Regulator taps and capacitor states held as set by the nominal-load power flow with controls.`,
    ],
    threePhase,
  };
  return { stats, series };
}
