/**
 * One configuration (the feeder plus a set of added batteries) evaluated over a study horizon by
 * the full multi-period OPF, validated by AC power flow: the number every siting result comes
 * from. A horizon is a list of parts, each an independent OPF (a representative day with its own
 * terminal-SOC condition, or a contiguous stretch) with the weight that scales it to a year.
 *
 * The OPF is the balanced one (src-solver/opf) here; `PartSolver` is the seam the three-phase OPF
 * plugs into (threephase.ts): anything that turns (added batteries, horizon part) into a `PartOutcome`.
 */
import type { Feeder } from '../model/feeder';
import {
  createSolverWorkspace,
  type SolveHooks,
  type SolveOptions,
  type SolverWorkspace,
  type SolveTiming,
} from '../nlp/index';
import { solveOpf } from '../opf/solve';
import type { Study } from '../opf/study';
import { withBatteries, type BatteryOptions, type BatterySpec } from './battery';

export interface HorizonPart {
  /** e.g. "day 2023-08-21 (×31)" or "hours 0–8759". */
  readonly label: string;
  /** Days (or years) this part stands for: annual value = Σ weight · part value / `perYear`. */
  readonly weight: number;
  /** Horizon and profile fields of the OPF study (periods, dtH, startHour, load/PV/price profiles). */
  readonly study: Study;
  /** `tessera solve` options that give this part's horizon and profiles (e.g. "--year-day 234"). */
  readonly rerun?: string;
}

export interface Horizon {
  readonly kind: 'representative-days' | 'contiguous';
  readonly parts: readonly HorizonPart[];
  /** Annual value = (Σ_p weight_p · value_p) · annualFactor (1 for days weighted by cluster size). */
  readonly annualFactor: number;
  readonly description: string;
}

/** What one part's OPF says about a configuration. */
export interface PartOutcome {
  readonly optimal: boolean;
  readonly status: string;
  /** Solver message, with the binding limit when not optimal. */
  readonly message: string;
  /** OPF objective, USD (cost objective, battery-loss term included). */
  readonly objective: number;
  readonly energyCostUsd: number;
  readonly lineLossKwh: number;
  /** Largest substation real power, kW. */
  readonly peakKw: number;
  /** Periods in which some bus voltage sits at its OPF limit (within 1e-4 pu). */
  readonly voltageLimitHours: number;
  /** AC power-flow cross-check: largest |V_opf − V_pf|, pu (NaN when not validated). */
  readonly validationMaxVoltageDiffPu: number;
  readonly iterations: number;
  readonly seconds: number;
  /** Where the solver's time went (factorizations, solves, evaluations; clock of `hooks.now`). */
  readonly timing?: SolveTiming;
  /**
   * Locational marginal price of real power, USD/kWh, per period and bus (lmp[t·nBus + b], buses
   * in `busNames` order), from the multipliers of the real-power balance rows; when asked for.
   */
  readonly lmpUsdPerKwh?: Float64Array;
  /** The same for reactive power (USD/kvarh), from the reactive balance rows. */
  readonly qlmpUsdPerKvarh?: Float64Array;
  readonly busNames?: readonly string[];
  /**
   * The energy price the screen's unit battery is dispatched against, USD/kWh per period; when
   * absent, the LMP of `busNames[0]` (the balanced OPF's root, whose LMP is the price).
   */
  readonly referencePriceUsdPerKwh?: Float64Array;
}

export type PartSolver = (specs: readonly BatterySpec[], partIndex: number, wantLmp: boolean) => Promise<PartOutcome>;

/**
 * The in-process part solver on the balanced OPF: `baseStudy` (objective, limits, α, …) overlaid by
 * each part's horizon and profiles, the configuration's batteries added with `batteryOptions`.
 */
export function balancedPartSolver(
  feeder: Feeder,
  baseStudy: Study,
  horizon: Horizon,
  batteryOptions: BatteryOptions = {},
): PartSolver {
  const workspace = createSolverWorkspace();
  return (specs, partIndex, wantLmp) =>
    Promise.resolve(solvePart(feeder, baseStudy, horizon, batteryOptions, specs, partIndex, wantLmp, workspace));
}

/**
 * Synchronous body of `balancedPartSolver` (also what a worker process runs).
 *
 * `workspace` keeps the KKT pattern and its symbolic LDLᵀ analysis between solves of the same
 * structure (nlp/workspace.ts): every horizon part of one configuration has the same NLP
 * structure (the same batteries, the same number of periods), so a solver that takes the parts of
 * a configuration one after another builds it once instead of once per part (IEEE 123, 24 h: the
 * setup was ~20 % of a day-OPF's CPU). The results do not depend on it. `hooks` reach the
 * interior-point solver (e.g. a CPU-time clock as `now` for the timing split, a cancel signal);
 * `nlpOptions` its options beyond the OPF's defaults (e.g. `stepLengths`, for measurements).
 */
export function solvePart(
  feeder: Feeder,
  baseStudy: Study,
  horizon: Horizon,
  batteryOptions: BatteryOptions,
  specs: readonly BatterySpec[],
  partIndex: number,
  wantLmp: boolean,
  workspace?: SolverWorkspace,
  hooks: SolveHooks = {},
  nlpOptions: SolveOptions = {},
): PartOutcome {
  const part = horizon.parts[partIndex];
  if (!part) throw new Error(`no horizon part ${partIndex}`);
  const study: Study = { ...baseStudy, ...part.study, objective: 'cost' };
  // solveOpf hands its hooks to solveNlp unchanged, which takes the workspace among them.
  const nlpHooks: SolveHooks & { workspace?: SolverWorkspace } = workspace ? { ...hooks, workspace } : hooks;
  const out = solveOpf(withBatteries(feeder, specs, batteryOptions), study, { nlp: nlpOptions }, nlpHooks);
  const r = out.results;
  const vMin = out.model.net.study.vMinPu;
  const vMax = out.model.net.study.vMaxPu;
  let peakKw = -Infinity;
  let vHours = 0;
  for (const p of r.periods) {
    peakKw = Math.max(peakKw, p.substationKw);
    let atLimit = false;
    for (const v of p.vPu) if (v <= vMin + 1e-4 || v >= vMax - 1e-4) atLimit = true;
    if (atLimit) vHours += r.dtH;
  }
  const base: PartOutcome = {
    optimal: out.optimal,
    status: r.status,
    message: r.message,
    objective: r.objective,
    energyCostUsd: r.totals.costUsd,
    lineLossKwh: r.totals.lineLossKwh,
    peakKw,
    voltageLimitHours: vHours,
    validationMaxVoltageDiffPu: r.validation ? r.validation.maxVoltageDiffPu : NaN,
    iterations: r.solver.iterations,
    seconds: r.solver.seconds,
    timing: out.nlp.timing,
  };
  if (!wantLmp || !out.optimal) return base;
  const { net, ix } = out.model;
  const T = net.periods;
  const lmp = new Float64Array(T * net.nBus);
  const qlmp = new Float64Array(T * net.nBus);
  for (let t = 0; t < T; t++) {
    // Envelope theorem with L = f + λᵀg and the load entering rows (1), (2) with +1: ∂f*/∂p_L = λ.
    const scale = 1 / (net.baseKva * net.study.dtH);
    for (let e = 0; e < net.nBus - 1; e++) {
      lmp[t * net.nBus + e + 1] = out.nlp.lambda[ix.realBalance(e, t)]! * scale;
      qlmp[t * net.nBus + e + 1] = out.nlp.lambda[ix.reactiveBalance(e, t)]! * scale;
    }
    lmp[t * net.nBus] = net.priceUsdPerKwh[t]!;
  }
  return { ...base, lmpUsdPerKwh: lmp, qlmpUsdPerKvarh: qlmp, busNames: net.busNames };
}

/** A configuration's parts summed: horizon totals (each part once) and annual (weighted). */
export interface ConfigTotals {
  readonly feasible: boolean;
  /** For an infeasible configuration: the first failing part and its binding limit. */
  readonly failure?: string;
  readonly objective: number;
  readonly annualObjective: number;
  readonly annualEnergyCostUsd: number;
  readonly annualLineLossKwh: number;
  readonly peakKw: number;
  readonly annualVoltageLimitHours: number;
  readonly maxValidationDiffPu: number;
  readonly seconds: number;
}

export function sumParts(horizon: Horizon, parts: readonly PartOutcome[]): ConfigTotals {
  let objective = 0;
  let ann = 0;
  let cost = 0;
  let loss = 0;
  let peak = -Infinity;
  let vh = 0;
  let vd = 0;
  let sec = 0;
  let failure: string | undefined;
  parts.forEach((p, k) => {
    const w = horizon.parts[k]!.weight * horizon.annualFactor;
    if (!p.optimal && failure === undefined) failure = `${horizon.parts[k]!.label}: ${p.status} — ${p.message}`;
    objective += p.objective;
    ann += w * p.objective;
    cost += w * p.energyCostUsd;
    loss += w * p.lineLossKwh;
    peak = Math.max(peak, p.peakKw);
    vh += w * p.voltageLimitHours;
    if (Number.isFinite(p.validationMaxVoltageDiffPu)) vd = Math.max(vd, p.validationMaxVoltageDiffPu);
    sec += p.seconds;
  });
  return {
    feasible: failure === undefined,
    ...(failure !== undefined ? { failure } : {}),
    objective,
    annualObjective: ann,
    annualEnergyCostUsd: cost,
    annualLineLossKwh: loss,
    peakKw: peak,
    annualVoltageLimitHours: vh,
    maxValidationDiffPu: vd,
    seconds: sec,
  };
}
