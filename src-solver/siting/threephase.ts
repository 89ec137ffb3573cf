/**
 * The siting study (study.ts) on a three-phase feeder: the same driver — baseline, screen, size,
 * verify, greedy K — with the three-phase unbalanced OPF (src-solver/opf3) behind its two seams:
 *
 * - `threePhaseTarget`: candidates are phase nodes of load buses in OpenDSS notation — `83.3` a
 *   single-phase unit on phase 3 (phase to neutral), `83.1.2.3` a three-phase unit (dispatched
 *   balanced, a third per phase). The marginal value is per bus and phase.
 * - `threePhasePartSolver`: one horizon part of one configuration = `solveThreePhaseOpf` on the
 *   feeder (taps and capacitor states as the caller prepared them, held fixed) with the
 *   configuration's batteries as units, validated by the three-phase power flow (`validateOpf3`).
 *
 * LMPs per node and phase. The OPF balances currents, not powers: at node i, period t, the rows
 * (U1) Σ currents = 0 (real, imaginary) carry multipliers λr, λi (L = f + λᵀg), and a device's
 * current J (drawn from the node) enters them with +1. A small constant-power consumption ΔS at
 * the node is a device with J = conj(ΔS / V); J is O(ΔS), so to first order V is the solution's
 * and J is a fixed current, and the envelope theorem gives
 *   ∂f* / ∂P = (λr e + λi f) / |V|²,   ∂f* / ∂Q = (λr f − λi e) / |V|²     (V = e + j f, per unit)
 * — the per-phase LMPs of real and reactive power (÷ baseKva·Δt → USD/kWh, USD/kvarh). Test: a
 * 0.5 kW constant injection at a node changes the optimal cost by −Σ LMP·0.5·Δt
 * (threephase.test.ts, finite differences of the full OPF).
 */
import type { SolverWorkspace } from '../nlp/index';
import type { Study } from '../opf/study';
import { floatingBuses, solveThreePhaseOpf, type Opf3UnitSpec } from '../opf3/fromNetwork';
import type { Opf3LimitOptions } from '../opf3/limits';
import { opf3LossesKw } from '../opf3/losses';
import { validateOpf3 } from '../opf3/validate';
import type { UNetwork } from '../unbalanced/model';
import { BATTERY_DEFAULTS, BatterySpecError, type BatteryOptions, type BatterySpec } from './battery';
import type { Horizon, PartOutcome, PartSolver } from './evaluate';
import { OPF_BYTES_PER_BUS_PERIOD, type SitingTarget } from './study';

/**
 * Voltage-region rounds allowed per OPF (loads switching to constant Z above Vmaxpu; the solver's
 * default is 4): the app's three-phase runs allow 10 (backend/threephase/opf.ts: IEEE 123 needed 5).
 */
export const SITING_REGION_ROUNDS = 10;

const phasesOf = (net: UNetwork, bus: string): number[] =>
  (net.buses.get(bus)?.nodes ?? []).filter((n) => n >= 1 && n <= 3);

/** The source (Vsource) buses: no battery there. */
const sourceBuses = (net: UNetwork): Set<string> => new Set(net.vsources.map((v) => v.bus1.bus));

/**
 * Every (load bus, phase) as a single-phase candidate (`bus.phase`), in the script's load order,
 * phases ascending; with `threePhaseUnits`, also `bus.1.2.3` at every three-phase load bus. Buses
 * of ungrounded islands (no neutral to connect a phase-to-neutral unit to) are left out.
 */
export function threePhaseCandidates(net: UNetwork, opts: { readonly threePhaseUnits?: boolean } = {}): string[] {
  const floating = floatingBuses(net);
  const sources = sourceBuses(net);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of net.loads) {
    const bus = l.bus.bus;
    if (seen.has(bus) || floating.has(bus) || sources.has(bus)) continue;
    seen.add(bus);
    const ph = phasesOf(net, bus);
    for (const p of ph) out.push(`${bus}.${p}`);
    if (opts.threePhaseUnits && ph.length === 3) out.push(`${bus}.1.2.3`);
  }
  return out;
}

/** `bus.p[.p…]` → bus and phase nodes (null when the text is not of that form). */
export function parseCandidate(c: string): { bus: string; phases: number[] } | null {
  const [bus, ...rest] = c.toLowerCase().split('.');
  if (!bus || rest.length === 0) return null;
  const phases = rest.map(Number);
  if (phases.some((p, k) => rest[k] === '' || !Number.isInteger(p))) return null;
  return { bus, phases };
}

/** A three-phase feeder as the study's target (see the file header). */
export function threePhaseTarget(net: UNetwork): SitingTarget {
  const floating = floatingBuses(net);
  const sources = sourceBuses(net);
  let nodes = 0;
  for (const b of net.buses.values()) nodes += b.nodes.length;
  const parse = (c: string): { bus: string; phases: number[] } => {
    const p = parseCandidate(c);
    if (!p) throw new BatterySpecError(`candidate "${c}": expected BUS.PHASE (e.g. 83.3) or BUS.1.2.3`);
    return p;
  };
  return {
    name: net.name,
    candidateError: (c) => {
      const p = parseCandidate(c);
      if (!p)
        return net.buses.has(c.toLowerCase())
          ? 'without a phase (on a three-phase feeder give BUS.PHASE, e.g. 83.3, or BUS.1.2.3 for a three-phase unit)'
          : `not in the feeder ${net.name}`;
      if (!net.buses.has(p.bus)) return `not in the feeder ${net.name}`;
      if (sources.has(p.bus)) return 'at the source bus, where the OPF places no battery';
      const has = phasesOf(net, p.bus);
      if (p.phases.some((x) => !has.includes(x)) || new Set(p.phases).size !== p.phases.length)
        return 'on a phase their bus does not have (or named twice)';
      if (p.phases.length === 2) return 'on two phases (a unit is single-phase, BUS.PHASE, or three-phase, BUS.1.2.3)';
      if (floating.has(p.bus)) return 'on an ungrounded (delta-fed) bus, where a unit has no neutral to connect to';
      return null;
    },
    site: (c, size) => {
      const p = parse(c);
      return {
        bus: p.bus,
        phases: p.phases.length,
        kw: size.kw,
        kwh: size.kwh,
        kva: size.kva ?? BATTERY_DEFAULTS.inverterKvaPerKw * size.kw,
        phaseNodes: [...p.phases].sort((a, b) => a - b),
      };
    },
    priceNodes: (c) => {
      const p = parse(c);
      return p.phases.map((x) => ({ name: `${p.bus}.${x}`, share: 1 / p.phases.length }));
    },
    // Per phase node and period, the balanced OPF's measured bytes per bus and period (an upper
    // estimate: a three-phase node carries fewer rows than a balanced bus with its branch).
    memoryEstimate: (periods) => OPF_BYTES_PER_BUS_PERIOD * nodes * periods,
    sizeLabel: `${nodes} phase nodes`,
    candidateWords: ['candidate', 'candidates'],
  };
}

/** A configuration's battery as the three-phase OPF's unit (the study's battery defaults and options). */
export function unitOfSpec(spec: BatterySpec, name: string, opts: BatteryOptions = {}): Opf3UnitSpec {
  const d = BATTERY_DEFAULTS;
  if (!spec.phaseNodes || spec.phaseNodes.length === 0)
    throw new BatterySpecError(
      `battery at bus "${spec.bus}": a three-phase feeder needs its phase (e.g. ${spec.bus}.1)`,
    );
  const socMin = opts.socMin ?? d.socMin;
  const socMax = opts.socMax ?? d.socMax;
  return {
    kind: 'battery',
    name,
    bus: spec.bus,
    phases: [...spec.phaseNodes],
    pRatedKw: spec.kw,
    sRatedKva: spec.kva ?? d.inverterKvaPerKw * spec.kw,
    energyKwh: spec.kwh,
    etaCharge: opts.etaCharge ?? d.etaCharge,
    etaDischarge: opts.etaDischarge ?? d.etaDischarge,
    socMin,
    socMax,
    socInitial: opts.socInitial ?? Math.min(Math.max(d.socInitial, socMin), socMax),
  };
}

export interface ThreePhasePartOptions {
  /** Units the feeder already has (the scenario's PV and batteries), dispatched in every run. */
  readonly baseUnits?: readonly Opf3UnitSpec[];
  readonly batteryOptions?: BatteryOptions;
  readonly limits?: Opf3LimitOptions;
  readonly maxRounds?: number;
}

/**
 * One horizon part of one configuration on the three-phase OPF (what a worker process runs).
 * `net` is the feeder with its taps and capacitor states set (held fixed by the OPF).
 */
export function solveThreePhasePart(
  net: UNetwork,
  baseStudy: Study,
  horizon: Horizon,
  specs: readonly BatterySpec[],
  partIndex: number,
  wantLmp: boolean,
  options: ThreePhasePartOptions = {},
  workspace?: SolverWorkspace,
): PartOutcome {
  const part = horizon.parts[partIndex];
  if (!part) throw new Error(`no horizon part ${partIndex}`);
  const study: Study = { ...baseStudy, ...part.study, objective: 'cost' };
  const base = options.baseUnits ?? [];
  const names = new Set(base.map((u) => u.name));
  const added = specs.map((s) => {
    const id = [s.bus, ...(s.phaseNodes ?? [])].join('.');
    let name = `new-${id}`;
    for (let k = 2; names.has(name); k++) name = `new-${id}-${k}`;
    names.add(name);
    return unitOfSpec(s, name, options.batteryOptions);
  });
  const units = [...base, ...added];
  const run = solveThreePhaseOpf(net, study, units, {
    maxRounds: options.maxRounds ?? SITING_REGION_ROUNDS,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(workspace ? { hooks: { workspace } as object } : {}),
  });
  const out = run.outcome;
  const onet = run.network;
  const T = onet.periods;
  const n = onet.nFree;
  const dt = onet.study.dtH;
  const vMin = onet.study.vMinPu;
  const vMax = onet.study.vMaxPu;
  let peakKw = -Infinity;
  let cost = 0;
  let vHours = 0;
  out.periods.forEach((p, t) => {
    peakKw = Math.max(peakKw, p.substationKw);
    cost += onet.priceUsdPerKwh[t]! * p.substationKw * dt;
    let atLimit = false;
    for (let i = 0; i < n; i++)
      if (onet.limited[i] && (p.vPu[i]! <= vMin + 1e-4 || p.vPu[i]! >= vMax - 1e-4)) atLimit = true;
    if (atLimit) vHours += dt;
  });
  const losses = opf3LossesKw(out);
  const status = out.optimal ? 'solved' : out.nlp.status;
  const result: PartOutcome = {
    optimal: out.optimal,
    status,
    message: out.diagnosis ?? out.nlp.message,
    objective: out.objective,
    energyCostUsd: cost,
    lineLossKwh: losses.reduce((s, x) => s + x, 0) * dt,
    peakKw,
    voltageLimitHours: vHours,
    validationMaxVoltageDiffPu: out.optimal ? validateOpf3(net, onet, out.periods, units).maxDiffPu : NaN,
    iterations: run.totalIterations,
    seconds: out.nlp.seconds,
  };
  if (!wantLmp || !out.optimal) return result;
  const { ix } = out.model;
  const x = out.nlp.x;
  const lambda = out.nlp.lambda;
  const lmp = new Float64Array(T * n);
  const qlmp = new Float64Array(T * n);
  const scale = 1 / (onet.baseKva * dt);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) {
      const e = x[ix.e[t * n + i]!]!;
      const f = x[ix.e[t * n + i]! + 1]!;
      const v2 = e * e + f * f;
      const r = ix.balRow[t * n + i]!;
      const lr = lambda[r]!;
      const li = lambda[r + 1]!;
      lmp[t * n + i] = ((lr * e + li * f) / v2) * scale;
      qlmp[t * n + i] = ((lr * f - li * e) / v2) * scale;
    }
  }
  const busNames = Array.from({ length: n }, (_, i) => `${onet.nodeBus[i]}.${onet.nodePhase[i]}`);
  return {
    ...result,
    lmpUsdPerKwh: lmp,
    qlmpUsdPerKvarh: qlmp,
    busNames,
    referencePriceUsdPerKwh: Float64Array.from(onet.priceUsdPerKwh),
  };
}

/** The in-process part solver on the three-phase OPF (tests, benchmarks; worker processes in the CLI/app). */
export function threePhasePartSolver(
  net: UNetwork,
  baseStudy: Study,
  horizon: Horizon,
  options: ThreePhasePartOptions = {},
  workspace?: SolverWorkspace,
): PartSolver {
  return (specs, partIndex, wantLmp) =>
    Promise.resolve(solveThreePhasePart(net, baseStudy, horizon, specs, partIndex, wantLmp, options, workspace));
}
