/**
 * Exact balanced AC power flow of a radial feeder over a horizon of periods — the independent
 * check of OPF results (spec "Validation by power flow").
 *
 * Per period t (hour h = startHour + t·dtH) every bus draws, in engineering units,
 *   loads        p_L·m_L(h) + j q_L·mq_L(h)      constant power, m from the load's shape or `loadScale`
 *   capacitors   −j q_C·|V|²                     constant susceptance, rated at 1 pu (spec (2))
 *   PV           −(p_D,rated·m_D(h) + j q_D)      m from the PV's shape or `pvScale`; q_D from the dispatch
 *   batteries    −((Pd − Pc) + j qB)              from the dispatch (0 when absent)
 *   injections   −(p + j q)                      extra per-bus injections (e.g. an area's boundary)
 * with the substation bus held at its set point (angle 0). The sweep (sweep.ts) solves the
 * complex-voltage equations exactly (no DistFlow approximation), warm-started from the previous
 * period. A period that does not converge throws `PowerFlowError` naming the period, the
 * iteration, the last mismatch and the bus where it was largest.
 */
import { shapeMultiplier, type Feeder, type Shape } from '../model/feeder';
import { compileRadialNetwork, PowerFlowInputError, type RadialNetwork } from './network';
import { sweep, SweepWorkspace, COLLAPSE_VOLTAGE_PU } from './sweep';

export { PowerFlowInputError, compileRadialNetwork, type RadialNetwork } from './network';

/** An extra injection at one bus, one value per period (> 0 injects into the feeder). */
export interface PfInjection {
  readonly bus: string;
  readonly pKw: readonly number[];
  readonly qKvar: readonly number[];
}

/** Controllable set points per period `[t][i]`, `i` indexing the feeder's pv / batteries / capacitors. */
export interface PfDispatch {
  /** PV inverter reactive power q_D, kvar (> 0 injects). Default 0. */
  readonly pvKvar?: readonly (readonly number[])[];
  /** Battery net output Pd − Pc, kW (> 0 discharging into the feeder). Default 0. */
  readonly batteryKw?: readonly (readonly number[])[];
  /** Battery inverter reactive power qB, kvar (> 0 injects). Default 0. */
  readonly batteryKvar?: readonly (readonly number[])[];
  /** Capacitor switched in (true) or out. Default all in. */
  readonly capacitorOn?: readonly (readonly boolean[])[];
}

export interface PowerFlowStudy {
  /** Number of periods T ≥ 1. */
  readonly periods: number;
  /** Period length Δt, hours. Default 1. */
  readonly dtH?: number;
  /** Hour of the first period (shapes are read at startHour + t·dtH). Default 0. */
  readonly startHour?: number;
  /** Per period, the multiplier of every load's peak (P and Q). Default: each load's own shape. */
  readonly loadScale?: readonly number[];
  /** Per period, the multiplier of every PV rating. Default: each PV's own shape. */
  readonly pvScale?: readonly number[];
  readonly dispatch?: PfDispatch;
  readonly injections?: readonly PfInjection[];
  /** Per period, the substation voltage magnitude, pu. Default `feeder.substation.vSetPu`. */
  readonly vSourcePu?: readonly number[];
  /** Largest bus power mismatch accepted, pu of S_base. Default 1e-10, bounds (0, 1e-3]. */
  readonly tol?: number;
  /** Sweep iterations allowed per period. Default 100. */
  readonly maxIter?: number;
}

export interface PowerFlowPeriod {
  /** Period index t, 0-based. */
  readonly period: number;
  /** Hour of day the period starts (startHour + t·dtH). */
  readonly hour: number;
  /** Bus voltage magnitudes, pu, in `feeder.buses` order. */
  readonly vPu: Float64Array;
  /** Bus voltage angles, rad (substation 0), in `feeder.buses` order. */
  readonly angleRad: Float64Array;
  /** Sending-end real / reactive power, leaving `branchUpstreamBus`, kW / kvar, in `feeder.branches` order. */
  readonly branchPKw: Float64Array;
  readonly branchQKvar: Float64Array;
  /** Branch current magnitude, A (on the downstream bus's base). */
  readonly branchIA: Float64Array;
  /** Branch series losses r·|I|², x·|I|², kW / kvar. */
  readonly branchLossKw: Float64Array;
  readonly branchLossKvar: Float64Array;
  /** Total series losses, kW / kvar. */
  readonly lossKw: number;
  readonly lossKvar: number;
  /** Power delivered by the source at the substation bus (its own loads included), kW / kvar. */
  readonly substationKw: number;
  readonly substationKvar: number;
  readonly vmin: { readonly pu: number; readonly bus: string };
  readonly vmax: { readonly pu: number; readonly bus: string };
  readonly iterations: number;
  /** Largest bus power mismatch at the returned solution, pu of S_base. */
  readonly maxMismatchPu: number;
}

export interface PowerFlowResult {
  readonly busNames: readonly string[];
  readonly branchNames: readonly string[];
  /** Per branch, the bus on the substation side. */
  readonly branchUpstreamBus: readonly string[];
  readonly baseKva: number;
  readonly periods: readonly PowerFlowPeriod[];
}

/**
 * Why a period failed: `maxIterations` — the sweep ran out of iterations (slow convergence near
 * the loadability limit, or oscillation beyond it); `diverged` — voltages fell below
 * `COLLAPSE_VOLTAGE_PU` or became non-finite (voltage collapse).
 */
export type PowerFlowFailure = 'maxIterations' | 'diverged';

export class PowerFlowError extends Error {
  constructor(
    readonly reason: PowerFlowFailure,
    /** Period index t, 0-based. */
    readonly period: number,
    readonly iteration: number,
    /** Last largest bus power mismatch, pu (NaN if voltages collapsed before one was computed). */
    readonly mismatchPu: number,
    /** The bus with the largest mismatch (or the lowest voltage). */
    readonly bus: string,
    message: string,
  ) {
    super(message);
    this.name = 'PowerFlowError';
  }
}

const DEFAULT_TOL = 1e-10;
const DEFAULT_MAX_ITER = 100;

function checkTable<T>(
  name: string,
  table: readonly (readonly T[])[] | undefined,
  periods: number,
  width: number,
): void {
  if (!table) return;
  if (table.length < periods) {
    throw new PowerFlowInputError(`dispatch.${name} has ${table.length} periods; the study has ${periods}`);
  }
  for (let t = 0; t < periods; t++) {
    if (table[t].length !== width) {
      throw new PowerFlowInputError(`dispatch.${name}[${t}] has ${table[t].length} values; the feeder has ${width}`);
    }
    const bad = table[t].findIndex((v) => typeof v === 'number' && !Number.isFinite(v));
    if (bad >= 0) throw new PowerFlowInputError(`dispatch.${name}[${t}][${bad}] is not a finite number`);
  }
}

function checkSeries(name: string, series: readonly number[] | undefined, periods: number): void {
  if (!series) return;
  if (series.length < periods)
    throw new PowerFlowInputError(`${name} has ${series.length} values; the study has ${periods} periods`);
  for (let t = 0; t < periods; t++) {
    if (!Number.isFinite(series[t])) throw new PowerFlowInputError(`${name}[${t}] is not a finite number`);
  }
}

/** Everything per element the per-period fill needs, resolved once. */
interface Prepared {
  readonly loadPos: Int32Array;
  readonly loadShape: (Shape | undefined)[];
  readonly capPos: Int32Array;
  readonly pvPos: Int32Array;
  readonly pvShape: (Shape | undefined)[];
  readonly batPos: Int32Array;
  readonly injPos: Int32Array;
}

function prepare(feeder: Feeder, net: RadialNetwork, study: PowerFlowStudy): Prepared {
  const shapes = new Map(feeder.shapes.map((s) => [s.name, s]));
  const posOfBus = (what: string, bus: string): number => {
    const i = net.busIndex.get(bus);
    if (i === undefined) throw new PowerFlowInputError(`${what}: unknown bus "${bus}"`);
    return net.posOf[i];
  };
  const shapeOf = (what: string, name: string | undefined): Shape | undefined => {
    if (name === undefined) return undefined;
    const s = shapes.get(name);
    if (!s) throw new PowerFlowInputError(`${what}: unknown shape "${name}"`);
    if (s.mult.length === 0 || !(s.intervalH > 0)) throw new PowerFlowInputError(`shape "${name}" is empty`);
    return s;
  };
  return {
    loadPos: Int32Array.from(feeder.loads, (l) => posOfBus(`load "${l.name}"`, l.bus)),
    loadShape: feeder.loads.map((l) => shapeOf(`load "${l.name}"`, l.shape)),
    capPos: Int32Array.from(feeder.capacitors, (c) => posOfBus(`capacitor "${c.name}"`, c.bus)),
    pvPos: Int32Array.from(feeder.pv, (p) => posOfBus(`PV "${p.name}"`, p.bus)),
    pvShape: feeder.pv.map((p) => shapeOf(`PV "${p.name}"`, p.shape)),
    batPos: Int32Array.from(feeder.batteries, (b) => posOfBus(`battery "${b.name}"`, b.bus)),
    injPos: Int32Array.from(study.injections ?? [], (j) => posOfBus('injection', j.bus)),
  };
}

/** Write period t's injections (pu, by BFS position) into the workspace. */
function fillInjections(
  feeder: Feeder,
  study: PowerFlowStudy,
  prep: Prepared,
  ws: SweepWorkspace,
  t: number,
  hour: number,
): void {
  const sBase = feeder.baseKva;
  const { pPu, qPu, bPu } = ws;
  pPu.fill(0);
  qPu.fill(0);
  bPu.fill(0);
  const loadScale = study.loadScale?.[t];
  feeder.loads.forEach((l, i) => {
    const shape = prep.loadShape[i];
    const mp = loadScale ?? (shape ? shapeMultiplier(shape, hour, false) : 1);
    const mq = loadScale ?? (shape ? shapeMultiplier(shape, hour, true) : 1);
    pPu[prep.loadPos[i]] += (l.pKw * mp) / sBase;
    qPu[prep.loadPos[i]] += (l.qKvar * mq) / sBase;
  });
  const capOn = study.dispatch?.capacitorOn?.[t];
  feeder.capacitors.forEach((c, i) => {
    if (capOn && !capOn[i]) return;
    bPu[prep.capPos[i]] += c.qKvar / sBase;
  });
  const pvScale = study.pvScale?.[t];
  const pvKvar = study.dispatch?.pvKvar?.[t];
  feeder.pv.forEach((p, i) => {
    const shape = prep.pvShape[i];
    const m = pvScale ?? (shape ? shapeMultiplier(shape, hour, false) : 1);
    pPu[prep.pvPos[i]] -= (p.pRatedKw * m) / sBase;
    if (pvKvar) qPu[prep.pvPos[i]] -= pvKvar[i] / sBase;
  });
  const batKw = study.dispatch?.batteryKw?.[t];
  const batKvar = study.dispatch?.batteryKvar?.[t];
  for (let i = 0; i < feeder.batteries.length; i++) {
    if (batKw) pPu[prep.batPos[i]] -= batKw[i] / sBase;
    if (batKvar) qPu[prep.batPos[i]] -= batKvar[i] / sBase;
  }
  study.injections?.forEach((j, i) => {
    pPu[prep.injPos[i]] -= j.pKw[t] / sBase;
    qPu[prep.injPos[i]] -= j.qKvar[t] / sBase;
  });
}

/** Turn the converged workspace into the period's report (engineering units, feeder order). */
function report(
  net: RadialNetwork,
  ws: SweepWorkspace,
  t: number,
  hour: number,
  iterations: number,
  mismatch: number,
): PowerFlowPeriod {
  const { n, busAt, branchAt, parentPos, rPu, xPu, iBaseA, baseKva: sBase } = net;
  const { vRe, vIm, iRe, iIm } = ws;
  const m = n - 1;
  const vPu = new Float64Array(n);
  const angleRad = new Float64Array(n);
  const branchPKw = new Float64Array(m);
  const branchQKvar = new Float64Array(m);
  const branchIA = new Float64Array(m);
  const branchLossKw = new Float64Array(m);
  const branchLossKvar = new Float64Array(m);
  let lossKw = 0;
  let lossKvar = 0;
  let vminPos = 0;
  let vmaxPos = 0;
  for (let k = 0; k < n; k++) {
    const bus = busAt[k];
    vPu[bus] = Math.hypot(vRe[k], vIm[k]);
    angleRad[bus] = Math.atan2(vIm[k], vRe[k]);
    if (vPu[bus] < vPu[busAt[vminPos]]) vminPos = k;
    if (vPu[bus] > vPu[busAt[vmaxPos]]) vmaxPos = k;
    if (k === 0) continue;
    const e = branchAt[k];
    const up = parentPos[k];
    const ir = iRe[k];
    const ii = iIm[k];
    const iSq = ir * ir + ii * ii;
    // Sending end: V_up conj(I).
    branchPKw[e] = (vRe[up] * ir + vIm[up] * ii) * sBase;
    branchQKvar[e] = (vIm[up] * ir - vRe[up] * ii) * sBase;
    branchIA[e] = Math.sqrt(iSq) * iBaseA[k];
    branchLossKw[e] = rPu[k] * iSq * sBase;
    branchLossKvar[e] = xPu[k] * iSq * sBase;
    lossKw += branchLossKw[e];
    lossKvar += branchLossKvar[e];
  }
  return {
    period: t,
    hour,
    vPu,
    angleRad,
    branchPKw,
    branchQKvar,
    branchIA,
    branchLossKw,
    branchLossKvar,
    lossKw,
    lossKvar,
    substationKw: (vRe[0] * iRe[0] + vIm[0] * iIm[0]) * sBase,
    substationKvar: (vIm[0] * iRe[0] - vRe[0] * iIm[0]) * sBase,
    vmin: { pu: vPu[busAt[vminPos]], bus: net.busNames[busAt[vminPos]] },
    vmax: { pu: vPu[busAt[vmaxPos]], bus: net.busNames[busAt[vmaxPos]] },
    iterations,
    maxMismatchPu: mismatch,
  };
}

/** Check the study's shape against the feeder before any work. */
function validateStudy(feeder: Feeder, study: PowerFlowStudy): void {
  const T = study.periods;
  if (!Number.isInteger(T) || T < 1) throw new PowerFlowInputError(`periods must be a positive integer (got ${T})`);
  if (study.dtH !== undefined && !(study.dtH > 0))
    throw new PowerFlowInputError(`dtH must be positive (got ${study.dtH})`);
  if (study.tol !== undefined && !(study.tol > 0 && study.tol <= 1e-3)) {
    throw new PowerFlowInputError(`tol must be in (0, 1e-3] pu (got ${study.tol})`);
  }
  if (study.maxIter !== undefined && !(Number.isInteger(study.maxIter) && study.maxIter >= 1)) {
    throw new PowerFlowInputError(`maxIter must be a positive integer (got ${study.maxIter})`);
  }
  checkSeries('loadScale', study.loadScale, T);
  checkSeries('pvScale', study.pvScale, T);
  checkSeries('vSourcePu', study.vSourcePu, T);
  const d = study.dispatch;
  checkTable('pvKvar', d?.pvKvar, T, feeder.pv.length);
  checkTable('batteryKw', d?.batteryKw, T, feeder.batteries.length);
  checkTable('batteryKvar', d?.batteryKvar, T, feeder.batteries.length);
  checkTable('capacitorOn', d?.capacitorOn, T, feeder.capacitors.length);
  for (const j of study.injections ?? []) {
    checkSeries(`injection at bus "${j.bus}" pKw`, j.pKw, T);
    checkSeries(`injection at bus "${j.bus}" qKvar`, j.qKvar, T);
  }
  const vSet = feeder.substation.vSetPu;
  if (!study.vSourcePu && !(vSet > 0))
    throw new PowerFlowInputError(`substation vSetPu must be positive (got ${vSet})`);
  for (let t = 0; t < T && study.vSourcePu; t++) {
    if (!(study.vSourcePu[t] > 0)) throw new PowerFlowInputError(`vSourcePu[${t}] must be positive`);
  }
}

function failureMessage(
  reason: PowerFlowFailure,
  t: number,
  hour: number,
  it: number,
  mis: number,
  bus: string,
): string {
  const where = `period ${t + 1} (hour ${hour})`;
  if (reason === 'diverged') {
    return (
      `power flow diverged in ${where} at iteration ${it}: the voltage at bus "${bus}" fell below ${COLLAPSE_VOLTAGE_PU} pu ` +
      `(voltage collapse — the load exceeds what the feeder can carry); last mismatch ${mis.toExponential(2)} pu`
    );
  }
  return (
    `power flow did not converge in ${where} after ${it} iterations: largest power mismatch ${mis.toExponential(2)} pu ` +
    `at bus "${bus}" (the feeder may be near or past its loadability limit — voltage collapse)`
  );
}

/**
 * Solve the power flow for every period of the study. Throws `PowerFlowInputError` for a feeder
 * or study that cannot be solved as given and `PowerFlowError` when a period does not converge.
 */
export function solvePowerFlow(feeder: Feeder, study: PowerFlowStudy, network?: RadialNetwork): PowerFlowResult {
  validateStudy(feeder, study);
  const net = network ?? compileRadialNetwork(feeder);
  const prep = prepare(feeder, net, study);
  const ws = new SweepWorkspace(net.n);
  const tol = study.tol ?? DEFAULT_TOL;
  const maxIter = study.maxIter ?? DEFAULT_MAX_ITER;
  const dtH = study.dtH ?? 1;
  const startHour = study.startHour ?? 0;
  const periods: PowerFlowPeriod[] = [];
  for (let t = 0; t < study.periods; t++) {
    const hour = startHour + t * dtH;
    const vSource = study.vSourcePu?.[t] ?? feeder.substation.vSetPu;
    fillInjections(feeder, study, prep, ws, t, hour);
    if (t === 0) ws.flatStart(vSource);
    const out = sweep(net, ws, vSource, tol, maxIter);
    if (out.status !== 'converged') {
      const bus = net.busNames[net.busAt[out.worstPos]];
      const message = failureMessage(out.status, t, hour, out.iterations, out.maxMismatchPu, bus);
      throw new PowerFlowError(out.status, t, out.iterations, out.maxMismatchPu, bus, message);
    }
    periods.push(report(net, ws, t, hour, out.iterations, out.maxMismatchPu));
  }
  return {
    busNames: net.busNames,
    branchNames: feeder.branches.map((b) => b.name),
    branchUpstreamBus: net.branchUpstreamBus,
    baseKva: feeder.baseKva,
    periods,
  };
}
