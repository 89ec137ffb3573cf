/**
 * A study: what the planner asks the multi-period OPF to do on a feeder — the horizon, the
 * shapes that drive loads, PV and prices, the objective and the modelling options of
 * docs/spec/mpopf-formulation.md. Every option has a documented default; `resolveStudy`
 * fills them in and `describeDefaults` lists the ones that were filled, for the solve log.
 */
import { sampleSeries } from '../model/feeder';

/** Objective (spec "Objectives"). */
export type OpfObjective =
  /** `min Σ_t Σ_ij r_ij l_ij^t` — real-power line losses (per unit). */
  | 'loss'
  /** `min Σ_t C^t P_subs^t Δt` — substation energy cost with the price forecast `C^t`. */
  | 'cost';

/** Terminal state of charge, spec (9). */
export type TerminalSoc =
  /** `B_j^T = B_j^0` as a hard equality (the source papers). */
  | 'equal'
  /** `w Σ_j (B_j^T − B_j^0)²` added to the objective (`softTerminalWeight` = w). */
  | 'soft'
  /** No terminal condition: the battery may end anywhere within its SOC limits. */
  | 'free';

/** Battery inverter limit, spec (11). */
export type BatteryLimit =
  /** `|qB| ≤ sqrt(S_BR² − P_BR²)`: the conservative box of the source papers. */
  | 'box'
  /** `(Pd − Pc)² + qB² ≤ S_BR²`: the exact apparent-power disk. */
  | 'disk';

/** A daily (or any-length, wrapping) profile sampled at the hour a period starts. */
export interface Profile {
  /** Length of one point, hours (1 for hourly shapes). */
  readonly intervalH: number;
  readonly values: readonly number[];
}

export interface Study {
  /** Number of periods T ≥ 1. Default 24. */
  readonly periods?: number;
  /** Period length Δt, hours, > 0. Default 1. */
  readonly dtH?: number;
  /** Hour of day at which period 1 starts (shapes are sampled at `startHour + t·Δt`). Default 0. */
  readonly startHour?: number;
  /**
   * Load multiplier profile overriding every load's own feeder shape (P and Q alike).
   * Default: each load's `shape` from the feeder (constant 1 when it has none).
   */
  readonly loadProfile?: Profile;
  /** PV output multiplier profile overriding every PV's own shape. Default: each PV's feeder shape. */
  readonly pvProfile?: Profile;
  /** Energy price `C^t`, cents/kWh. Required for the cost objective; default: a flat 1 ¢/kWh. */
  readonly priceCentsPerKwh?: Profile;
  /** Objective. Default 'cost'. */
  readonly objective?: OpfObjective;
  /**
   * Battery-loss weight α ≥ 0, on powers in kW: objective units (USD for 'cost', kW for 'loss')
   * per kW of (1−ηc)Pc + (1/ηd − 1)Pd in each period. Default 0.001 (spec).
   */
  readonly alpha?: number;
  /** Terminal SOC condition, spec (9). Default 'equal'. */
  readonly terminalSoc?: TerminalSoc;
  /** Weight w of the soft terminal penalty `w Σ_k (B_k^T − B_k^0)²`, B in kWh: objective units per kWh². Default 0.1. */
  readonly softTerminalWeight?: number;
  /** Battery inverter limit, spec (11). Default 'box' (the source papers, for comparison). */
  readonly batteryLimit?: BatteryLimit;
  /** Replace the branch-power equality (4) by its SOCP relaxation `l v ≥ P² + Q²`. Default false. */
  readonly relax?: boolean;
  /** Voltage limits, spec (5), pu of magnitude. Defaults 0.95 and 1.05. */
  readonly vMinPu?: number;
  readonly vMaxPu?: number;
  /** Apply spec (6) `l ≤ I_max²` on branches with an ampacity. Default false. */
  readonly currentLimits?: boolean;
}

export interface ResolvedStudy {
  readonly periods: number;
  readonly dtH: number;
  readonly startHour: number;
  readonly loadProfile: Profile | null;
  readonly pvProfile: Profile | null;
  readonly priceCentsPerKwh: Profile;
  readonly objective: OpfObjective;
  readonly alpha: number;
  readonly terminalSoc: TerminalSoc;
  readonly softTerminalWeight: number;
  readonly batteryLimit: BatteryLimit;
  readonly relax: boolean;
  readonly vMinPu: number;
  readonly vMaxPu: number;
  readonly currentLimits: boolean;
}

/** Defaults, one per option (see the field docs of `Study`). */
export const STUDY_DEFAULTS = {
  periods: 24,
  dtH: 1,
  startHour: 0,
  priceCentsPerKwh: { intervalH: 24, values: [1] } as Profile,
  objective: 'cost' as OpfObjective,
  alpha: 0.001,
  terminalSoc: 'equal' as TerminalSoc,
  softTerminalWeight: 0.1,
  batteryLimit: 'box' as BatteryLimit,
  relax: false,
  vMinPu: 0.95,
  vMaxPu: 1.05,
  currentLimits: false,
} as const;

/** Thrown for a study that cannot be solved as asked (bad option values). */
export class StudyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudyError';
  }
}

export function resolveStudy(study: Study = {}): ResolvedStudy {
  const d = STUDY_DEFAULTS;
  const r: ResolvedStudy = {
    periods: study.periods ?? d.periods,
    dtH: study.dtH ?? d.dtH,
    startHour: study.startHour ?? d.startHour,
    loadProfile: study.loadProfile ?? null,
    pvProfile: study.pvProfile ?? null,
    priceCentsPerKwh: study.priceCentsPerKwh ?? d.priceCentsPerKwh,
    objective: study.objective ?? d.objective,
    alpha: study.alpha ?? d.alpha,
    terminalSoc: study.terminalSoc ?? d.terminalSoc,
    softTerminalWeight: study.softTerminalWeight ?? d.softTerminalWeight,
    batteryLimit: study.batteryLimit ?? d.batteryLimit,
    relax: study.relax ?? d.relax,
    vMinPu: study.vMinPu ?? d.vMinPu,
    vMaxPu: study.vMaxPu ?? d.vMaxPu,
    currentLimits: study.currentLimits ?? d.currentLimits,
  };
  if (!Number.isInteger(r.periods) || r.periods < 1)
    throw new StudyError(`periods must be a positive integer, got ${r.periods}`);
  if (!(r.dtH > 0)) throw new StudyError(`dtH must be > 0, got ${r.dtH}`);
  if (!(r.alpha >= 0)) throw new StudyError(`alpha must be ≥ 0, got ${r.alpha}`);
  if (!(r.softTerminalWeight >= 0)) throw new StudyError(`softTerminalWeight must be ≥ 0, got ${r.softTerminalWeight}`);
  if (!(r.vMinPu > 0 && r.vMinPu < r.vMaxPu))
    throw new StudyError(`need 0 < vMinPu < vMaxPu, got ${r.vMinPu}, ${r.vMaxPu}`);
  for (const [name, p] of [
    ['loadProfile', r.loadProfile],
    ['pvProfile', r.pvProfile],
    ['priceCentsPerKwh', r.priceCentsPerKwh],
  ] as const) {
    if (p && (!(p.intervalH > 0) || p.values.length === 0))
      throw new StudyError(`${name} needs intervalH > 0 and at least one value`);
  }
  if (r.objective === 'cost' && study.priceCentsPerKwh === undefined) {
    // Allowed (a flat price makes cost = substation energy), but worth saying: see describeDefaults.
  }
  return r;
}

/** One line per option the caller left to its default, for the solve log. */
export function describeDefaults(study: Study = {}): string[] {
  const d = STUDY_DEFAULTS;
  const lines: string[] = [];
  const note = (key: keyof Study, text: string): void => {
    if (study[key] === undefined) lines.push(`${key} = ${text} (default)`);
  };
  note('periods', `${d.periods}`);
  note('dtH', `${d.dtH} h`);
  note('startHour', `${d.startHour}`);
  note('loadProfile', 'each load’s own feeder shape');
  note('pvProfile', 'each PV’s own feeder shape');
  note('priceCentsPerKwh', 'flat 1 ¢/kWh (cost objective = substation energy)');
  note('objective', d.objective);
  note('alpha', `${d.alpha}`);
  note('terminalSoc', `${d.terminalSoc} (B^T = B^0)`);
  if ((study.terminalSoc ?? d.terminalSoc) === 'soft') note('softTerminalWeight', `${d.softTerminalWeight}`);
  note('batteryLimit', `${d.batteryLimit} (|qB| ≤ sqrt(S² − P²))`);
  note('relax', 'false (exact branch-power equality)');
  note('vMinPu', `${d.vMinPu}`);
  note('vMaxPu', `${d.vMaxPu}`);
  note('currentLimits', 'off');
  return lines;
}

/** The profile value at a given hour (wrapping around the profile's length). */
export function sampleProfile(p: Profile, hour: number): number {
  return sampleSeries(p.values, p.intervalH, hour);
}
