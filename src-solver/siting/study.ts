/**
 * The BESS siting and sizing study (docs/siting.md): where on a feeder to put K batteries, how
 * large, and what they are worth — every number from a full multi-period OPF run (evaluate.ts).
 *
 *  1. Baseline: the feeder as it is, one OPF per horizon part, with locational marginal prices.
 *  2. Screen: each candidate bus's marginal value per kW for each battery duration (screen.ts):
 *     the unit battery's LP dispatch against the substation price, priced at the bus's LMPs
 *     (first order by the envelope theorem; the same dispatch for every bus, so it is one LP per
 *     part and duration and a dot product per bus).
 *  3. Size: the best screened site verified at every size option → the benefit-versus-size curve;
 *     the size with the best verified net benefit is the chosen size.
 *  4. Verify: the top-N screened sites at the chosen size, each a full OPF over the horizon.
 *  5. K > 1: greedily, the best verified configuration is kept, its own LMPs re-screen the
 *     remaining candidates, and the top-N additions are verified; repeated to K sites.
 *
 * The ranking is by verified annual net benefit only (the screen chooses what to verify, never a
 * number in the table). `sweepStudy` is the plain what-if sweep: a given list of configurations,
 * each verified, ranked the same way.
 *
 * Pure: the OPF runs through a `PartSolver` (in-process here, worker processes in the CLI/app).
 */
import type { Feeder } from '../model/feeder';
import { BATTERY_DEFAULTS, BatterySpecError, type BatteryOptions, type BatterySpec } from './battery';
import { checkEconomics, sizeCost, valuate, type Economics } from './economics';
import { sumParts, type ConfigTotals, type Horizon, type PartOutcome, type PartSolver } from './evaluate';
import { arbitrageValue, type UnitBattery } from './screen';

export interface SizeOption {
  readonly kw: number;
  readonly kwh: number;
  /** Inverter kVA; default 1.2 × kW. */
  readonly kva?: number;
}

/**
 * What the study needs to know about the network it sites batteries on, apart from the OPF (which
 * it reaches only through the `PartSolver`): which candidates exist, what site a candidate is, and
 * which of the OPF's marginal prices value it. `balancedTarget` (a balanced feeder: candidates are
 * buses) and `threePhaseTarget` (threephase.ts: candidates are a bus's phase nodes, `83.3`) are
 * the two kinds.
 */
export interface SitingTarget {
  readonly name: string;
  /** Why `candidate` cannot hold a battery ("not in the feeder X", …: follows "candidate C "), or null. */
  candidateError(candidate: string): string | null;
  /** The battery of `size` a candidate stands for (`phases` is the study's label for balanced sites). */
  site(candidate: string, size: SizeOption, phases: number): SiteEntry;
  /**
   * The entries of `PartOutcome.busNames` whose LMPs value a unit at this candidate, with the
   * share of the unit's power each carries (a bus: itself, 1; a three-phase unit: its phases, ⅓ each).
   */
  priceNodes(candidate: string): readonly { readonly name: string; readonly share: number }[];
  /** Memory one OPF over `periods` periods needs, bytes (estimate). */
  memoryEstimate(periods: number): number;
  /** What the memory estimate counts, for messages ("123 buses"). */
  readonly sizeLabel: string;
  /** How messages name one candidate and several ("candidate bus", "candidate buses"). */
  readonly candidateWords: readonly [string, string];
}

export interface SitingInput {
  /** The balanced feeder (when `target` is not given, the study sites on it, `balancedTarget`). */
  readonly feeder?: Feeder;
  /** The network the candidates belong to; default `balancedTarget(feeder)`. */
  readonly target?: SitingTarget;
  /** Candidates: bus names (see `loadBuses` for "every load bus"), or the target's candidate ids. */
  readonly candidates: readonly string[];
  readonly sizes: readonly SizeOption[];
  /** Number of sites K ≥ 1. */
  readonly count: number;
  readonly economics: Economics;
  readonly horizon: Horizon;
  /** Phases label of the batteries (1–3; balanced feeders model all alike). Default 3. */
  readonly phases?: number;
  /** Configurations verified per stage (top-N of the screen). Default 10. */
  readonly verifyTop?: number;
  /** SOC window, efficiencies of the added batteries (defaults: battery.ts). */
  readonly batteryOptions?: BatteryOptions;
  /** The OPF's battery-loss weight α (study.alpha), for the screen. Default 0.001. */
  readonly alpha?: number;
  /** OPF solves run at once (the worker pool's size). Default 1. */
  readonly concurrency?: number;
  /** Bytes one OPF of the longest part may use at most (the machine's memory / concurrency). */
  readonly memoryLimitBytes?: number;
}

export interface SitingProgress {
  readonly stage: 'baseline' | 'screen' | 'size' | 'verify' | 'sweep';
  /** Configurations fully verified so far / planned. */
  readonly done: number;
  readonly total: number;
  readonly best?: { readonly sites: readonly SiteEntry[]; readonly netBenefitUsd: number };
}

export interface SitingHooks {
  readonly onProgress?: (p: SitingProgress) => void;
  readonly log?: (line: string) => void;
  /** Set `aborted` to stop: no new OPF starts and the study rejects with SitingCancelled. */
  readonly signal?: { readonly aborted: boolean };
}

export interface SiteEntry {
  readonly bus: string;
  readonly phases: number;
  readonly kw: number;
  readonly kwh: number;
  readonly kva: number;
  /**
   * Three-phase feeders: the phase nodes (1–3) the unit connects to — one for a single-phase
   * unit (phase to neutral), [1, 2, 3] for a three-phase unit. Absent on balanced feeders.
   */
  readonly phaseNodes?: readonly number[];
}

/** A site's candidate id: its bus, with OpenDSS's phase suffix on three-phase feeders (`83.3`). */
export const candidateOf = (s: Pick<SiteEntry, 'bus' | 'phaseNodes'>): string =>
  s.phaseNodes ? [s.bus, ...s.phaseNodes].join('.') : s.bus;

/** A site as `tessera solve --battery` takes it (balanced: BUS:KW:KWH:KVA:PHASES; three-phase: BUS.PHASES:KW:KWH:KVA). */
export const batteryArg = (s: SiteEntry): string =>
  s.phaseNodes ? `${candidateOf(s)}:${s.kw}:${s.kwh}:${s.kva}` : `${s.bus}:${s.kw}:${s.kwh}:${s.kva}:${s.phases}`;

export interface PartRecord {
  readonly label: string;
  readonly weight: number;
  readonly status: string;
  readonly objective: number;
  readonly iterations: number;
  readonly seconds: number;
  readonly validationMaxVoltageDiffPu: number;
  /** `tessera solve` options for this part's horizon; add the entry's `solveArgs` to re-run it. */
  readonly rerun?: string;
}

export interface RankedEntry {
  readonly rank: number;
  readonly sites: readonly SiteEntry[];
  readonly feasible: boolean;
  /** Infeasible: the horizon part and the binding limit. */
  readonly failure?: string;
  /** Baseline objective − this objective over the study horizon (each part once), USD. */
  readonly savingsUsd: number;
  /** The same, weighted to a year, USD/year. */
  readonly annualSavingsUsd: number;
  readonly annualEnergyCostSavingsUsd: number;
  readonly annualLossSavingsKwh: number;
  /** Baseline peak − this peak of the substation kW over the horizon. */
  readonly peakReductionKw: number;
  /** Weighted hours with a bus at its voltage limit, baseline − this. */
  readonly voltageLimitHoursRemoved: number;
  readonly capexUsd: number;
  readonly annualisedCostUsd: number;
  readonly netBenefitUsd: number;
  readonly simplePaybackYears: number | null;
  readonly npvUsd: number;
  /** What the screen estimated (annual USD), when it was screened. */
  readonly screenedAnnualValueUsd: number | null;
  /** `tessera solve` options that add these batteries (re-run any horizon part by hand). */
  readonly solveArgs: string;
  /** The verified OPF runs behind every number above. */
  readonly verification: {
    readonly objective: number;
    readonly annualObjective: number;
    readonly maxValidationDiffPu: number;
    readonly parts: readonly PartRecord[];
  };
}

export interface SitingReport {
  readonly method: 'screen-and-verify' | 'sweep';
  readonly horizon: {
    readonly kind: Horizon['kind'];
    readonly description: string;
    readonly parts: readonly { label: string; weight: number }[];
  };
  readonly economics: Economics;
  readonly candidates: readonly string[];
  readonly count: number;
  readonly baseline: {
    readonly objective: number;
    readonly annualObjective: number;
    readonly annualEnergyCostUsd: number;
    readonly annualLineLossKwh: number;
    readonly peakKw: number;
    readonly annualVoltageLimitHours: number;
    readonly parts: readonly PartRecord[];
  };
  /**
   * Marginal value map: per candidate, the screened annual value of 1 kW of storage (chosen
   * duration and inverter), the baseline's weighted mean LMP and its weighted mean per hour of the
   * day (USD/kWh; the LMPs are the OPF's real-power balance multipliers, evaluate.ts).
   */
  readonly marginalValue: readonly {
    readonly bus: string;
    /** Three-phase feeders: the candidate's phase nodes (the value is per bus and phase). */
    readonly phaseNodes?: readonly number[];
    readonly usdPerKwYear: number;
    readonly meanLmpUsdPerKwh: number;
    readonly lmpByHourUsdPerKwh?: readonly number[];
  }[];
  /** Benefit versus size at the best screened site (verified runs). */
  readonly sizeCurve: readonly {
    readonly bus: string;
    readonly kw: number;
    readonly kwh: number;
    readonly annualSavingsUsd: number;
    readonly annualisedCostUsd: number;
    readonly netBenefitUsd: number;
    readonly feasible: boolean;
  }[];
  readonly chosenSize: SizeOption | null;
  /** Per greedy stage, the buses verified (screen order). */
  readonly screened: readonly (readonly string[])[];
  readonly ranked: readonly RankedEntry[];
  /** The best configuration and its net benefit with capital cost or prices moved by ±20 %. */
  readonly sensitivity: readonly {
    readonly case: string;
    readonly capexFactor: number;
    readonly priceFactor: number;
    readonly bestSites: readonly SiteEntry[];
    readonly netBenefitUsd: number;
  }[];
  /** Configurations verified (OPF over the whole horizon each). */
  readonly configurationsVerified: number;
  readonly opfSolves: number;
}

export class SitingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SitingError';
  }
}

export class SitingCancelled extends Error {
  constructor() {
    super('siting study cancelled');
    this.name = 'SitingCancelled';
  }
}

/** Measured: the 8760-h IEEE 123 OPF peaked at 5.3 GB, ≈ 4.8 KB per bus-period (README, issue #16). */
export const OPF_BYTES_PER_BUS_PERIOD = 4800;

/** Buses with a load, other than the substation, in feeder order: "every load bus". */
export function loadBuses(feeder: Feeder): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of feeder.loads) {
    if (l.bus === feeder.substation.bus || seen.has(l.bus)) continue;
    seen.add(l.bus);
    out.push(l.bus);
  }
  return out;
}

/** Memory one OPF over `periods` periods of this feeder needs, bytes (estimate). */
export function opfMemoryEstimate(feeder: Feeder, periods: number): number {
  return OPF_BYTES_PER_BUS_PERIOD * feeder.buses.length * periods;
}

const GB = 1024 ** 3;

/** A balanced feeder as the study's target: candidates are its buses other than the substation. */
export function balancedTarget(feeder: Feeder): SitingTarget {
  const buses = new Set(feeder.buses.map((b) => b.name));
  return {
    name: feeder.name,
    candidateError: (c) =>
      !buses.has(c)
        ? `not in the feeder ${feeder.name}`
        : c === feeder.substation.bus
          ? 'at the substation (root) bus, where the OPF places no battery'
          : null,
    site: (bus, size, phases) => ({
      bus,
      phases,
      kw: size.kw,
      kwh: size.kwh,
      kva: size.kva ?? BATTERY_DEFAULTS.inverterKvaPerKw * size.kw,
    }),
    priceNodes: (c) => [{ name: c, share: 1 }],
    memoryEstimate: (periods) => opfMemoryEstimate(feeder, periods),
    sizeLabel: `${feeder.buses.length} buses`,
    candidateWords: ['candidate bus', 'candidate buses'],
  };
}

/** The input's target (`target`, else the balanced feeder's). */
export function targetOf(input: Pick<SitingInput, 'feeder' | 'target'>): SitingTarget {
  if (input.target) return input.target;
  if (!input.feeder) throw new SitingError('the study has no network: give a feeder');
  return balancedTarget(input.feeder);
}

function validateInput(input: SitingInput, configs: number): void {
  const target = targetOf(input);
  if (input.candidates.length === 0)
    throw new SitingError('no candidate bus: give at least one (e.g. --candidates all for every load bus)');
  const bad = input.candidates.map((c) => [c, target.candidateError(c)] as const).filter(([, e]) => e !== null);
  if (bad.length) {
    const byReason = new Map<string, string[]>();
    for (const [c, e] of bad) byReason.set(e!, [...(byReason.get(e!) ?? []), c]);
    throw new SitingError(
      [...byReason]
        .map(
          ([why, cs]) =>
            `${target.candidateWords[cs.length > 1 ? 1 : 0]} ${why}: ${cs.slice(0, 10).join(', ')}${cs.length > 10 ? ` … (${cs.length})` : ''}`,
        )
        .join('; '),
    );
  }
  if (new Set(input.candidates).size !== input.candidates.length)
    throw new SitingError('a candidate bus is listed twice');
  if (!Number.isInteger(input.count) || input.count < 1)
    throw new SitingError(`the number of sites must be a whole number ≥ 1 (got ${input.count})`);
  if (input.count > input.candidates.length)
    throw new SitingError(
      `${input.count} sites asked for but only ${input.candidates.length} candidate bus${input.candidates.length > 1 ? 'es' : ''}`,
    );
  if (input.sizes.length === 0) throw new SitingError('no battery size to try (give --sizes FILE with rows kw,kwh)');
  input.sizes.forEach((s, k) => {
    if (!(s.kw > 0) || !(s.kwh > 0))
      throw new SitingError(`size ${k + 1}: kW and kWh must be > 0 (got ${s.kw}, ${s.kwh})`);
    if (s.kva !== undefined && !(s.kva >= s.kw))
      throw new SitingError(`size ${k + 1}: inverter kVA ${s.kva} is below its ${s.kw} kW`);
  });
  if (input.horizon.parts.length === 0) throw new SitingError('the study horizon is empty');
  checkEconomics(input.economics);
  if (input.memoryLimitBytes !== undefined) {
    const longest = Math.max(...input.horizon.parts.map((p) => p.study.periods ?? 24));
    const need = target.memoryEstimate(longest);
    if (need > input.memoryLimitBytes)
      throw new SitingError(
        `the horizon is too large for this machine: one OPF over ${longest} periods of ${target.sizeLabel} needs about ${(need / GB).toFixed(1)} GB, ` +
          `and ${(input.memoryLimitBytes / GB).toFixed(1)} GB are available per solver process; use representative days (--days N) or a shorter stretch`,
      );
  }
  void configs;
}

const specOf = (s: SiteEntry): BatterySpec => ({
  bus: s.bus,
  kw: s.kw,
  kwh: s.kwh,
  kva: s.kva,
  phases: s.phases,
  ...(s.phaseNodes ? { phaseNodes: s.phaseNodes } : {}),
});
const configKey = (sites: readonly SiteEntry[]): string =>
  sites
    .map((s) => `${candidateOf(s)}:${s.kw}:${s.kwh}:${s.kva}:${s.phases}`)
    .sort()
    .join('|');

/** Run `fn` over items with at most `limit` in flight; results in item order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: { readonly aborted: boolean },
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (signal?.aborted) throw new SitingCancelled();
      const k = next++;
      out[k] = await fn(items[k]!, k);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (signal?.aborted) throw new SitingCancelled();
  return out;
}

interface Verified {
  readonly sites: readonly SiteEntry[];
  readonly parts: readonly PartOutcome[];
  readonly totals: ConfigTotals;
}

/** The engine shared by the study and the sweep: verifies configurations (cached), counts, reports progress. */
class Verifier {
  private readonly cache = new Map<string, Verified>();
  opfSolves = 0;
  done = 0;
  total = 0;
  best: { sites: readonly SiteEntry[]; netBenefitUsd: number } | undefined;
  stage: SitingProgress['stage'] = 'baseline';
  baseline: Verified | undefined;

  constructor(
    private readonly input: SitingInput,
    private readonly solve: PartSolver,
    private readonly hooks: SitingHooks,
  ) {}

  progress(): void {
    // The plan is an estimate (the first site may fall outside the top list at the chosen size).
    this.total = Math.max(this.total, this.done);
    this.hooks.onProgress?.({
      stage: this.stage,
      done: this.done,
      total: this.total,
      ...(this.best ? { best: this.best } : {}),
    });
  }

  async verify(configs: readonly (readonly SiteEntry[])[]): Promise<Verified[]> {
    const todo = configs.filter((c) => !this.cache.has(configKey(c)));
    const unique = [...new Map(todo.map((c) => [configKey(c), c])).values()];
    const P = this.input.horizon.parts.length;
    const tasks = unique.flatMap((c) => Array.from({ length: P }, (_, p) => ({ c, p })));
    const results = new Map<string, PartOutcome[]>();
    const left = new Map(unique.map((c) => [configKey(c), P]));
    await mapLimit(
      tasks,
      this.input.concurrency ?? 1,
      async ({ c, p }) => {
        const key = configKey(c);
        const r = await this.solve(c.map(specOf), p, true);
        this.opfSolves++;
        let arr = results.get(key);
        if (!arr) results.set(key, (arr = new Array<PartOutcome>(P)));
        arr[p] = r;
        const n = left.get(key)! - 1;
        left.set(key, n);
        if (n === 0) {
          const v: Verified = { sites: c, parts: arr, totals: sumParts(this.input.horizon, arr) };
          this.cache.set(key, v);
          this.done++;
          if (this.baseline && v.totals.feasible && c.length > 0) {
            const net = valuate(
              this.input.economics,
              c,
              this.baseline.totals.annualObjective - v.totals.annualObjective,
            ).netBenefitUsd;
            if (!this.best || net > this.best.netBenefitUsd) this.best = { sites: c, netBenefitUsd: net };
          }
          this.progress();
        }
      },
      this.hooks.signal,
    );
    return configs.map((c) => this.cache.get(configKey(c))!);
  }
}

function partRecords(horizon: Horizon, parts: readonly PartOutcome[]): PartRecord[] {
  return parts.map((p, k) => ({
    label: horizon.parts[k]!.label,
    weight: horizon.parts[k]!.weight,
    status: p.status,
    objective: p.objective,
    iterations: p.iterations,
    seconds: p.seconds,
    validationMaxVoltageDiffPu: p.validationMaxVoltageDiffPu,
    ...(horizon.parts[k]!.rerun !== undefined ? { rerun: horizon.parts[k]!.rerun } : {}),
  }));
}

function rankEntries(
  input: SitingInput,
  base: Verified,
  verified: readonly Verified[],
  screened: ReadonlyMap<string, number>,
): RankedEntry[] {
  const b = base.totals;
  const entries = verified.map((v) => {
    const t = v.totals;
    const annualSavingsUsd = b.annualObjective - t.annualObjective;
    const val = valuate(input.economics, v.sites, annualSavingsUsd);
    const key = configKey(v.sites);
    return {
      rank: 0,
      sites: v.sites,
      feasible: t.feasible,
      ...(t.failure !== undefined ? { failure: t.failure } : {}),
      savingsUsd: b.objective - t.objective,
      annualSavingsUsd,
      annualEnergyCostSavingsUsd: b.annualEnergyCostUsd - t.annualEnergyCostUsd,
      annualLossSavingsKwh: b.annualLineLossKwh - t.annualLineLossKwh,
      peakReductionKw: b.peakKw - t.peakKw,
      voltageLimitHoursRemoved: b.annualVoltageLimitHours - t.annualVoltageLimitHours,
      ...val,
      screenedAnnualValueUsd: screened.get(key) ?? null,
      solveArgs: v.sites.map((s) => `--battery ${batteryArg(s)}`).join(' '),
      verification: {
        objective: t.objective,
        annualObjective: t.annualObjective,
        maxValidationDiffPu: t.maxValidationDiffPu,
        parts: partRecords(input.horizon, v.parts),
      },
    };
  });
  entries.sort((x, y) =>
    x.feasible !== y.feasible
      ? x.feasible
        ? -1
        : 1
      : y.netBenefitUsd - x.netBenefitUsd || y.annualSavingsUsd - x.annualSavingsUsd,
  );
  return entries.map((e, k) => ({ ...e, rank: k + 1 }));
}

function sensitivity(input: SitingInput, ranked: readonly RankedEntry[]): SitingReport['sensitivity'] {
  const cases = [
    { case: 'capital cost −20 %', capexFactor: 0.8, priceFactor: 1 },
    { case: 'capital cost +20 %', capexFactor: 1.2, priceFactor: 1 },
    // Scaling every price by s scales the cost objective's energy term by s at the same dispatch
    // (the feasible set does not depend on prices), so the optimal savings scale by s up to the
    // small battery-loss term α.
    { case: 'energy price −20 %', capexFactor: 1, priceFactor: 0.8 },
    { case: 'energy price +20 %', capexFactor: 1, priceFactor: 1.2 },
  ];
  const feasible = ranked.filter((r) => r.feasible);
  if (feasible.length === 0) return [];
  return cases.map((c) => {
    let best = feasible[0]!;
    let bestNet = -Infinity;
    for (const r of feasible) {
      const net = r.annualSavingsUsd * c.priceFactor - r.annualisedCostUsd * c.capexFactor;
      if (net > bestNet) {
        bestNet = net;
        best = r;
      }
    }
    return { ...c, bestSites: best.sites, netBenefitUsd: bestNet };
  });
}

function baselineOf(input: SitingInput, base: Verified): SitingReport['baseline'] {
  const t = base.totals;
  if (!t.feasible)
    throw new SitingError(
      `the feeder without new batteries has no feasible OPF, so there is no baseline to compare against — ${t.failure}`,
    );
  return {
    objective: t.objective,
    annualObjective: t.annualObjective,
    annualEnergyCostUsd: t.annualEnergyCostUsd,
    annualLineLossKwh: t.annualLineLossKwh,
    peakKw: t.peakKw,
    annualVoltageLimitHours: t.annualVoltageLimitHours,
    parts: partRecords(input.horizon, base.parts),
  };
}

/**
 * Screened annual value per kW of a battery of `hours` duration and `kvaPerKw` inverter at each
 * candidate, against the LMPs of `ref`: the real-power part (the unit LP's dispatch at the
 * substation price, priced at the bus's LMPs) plus the reactive part, |reactive LMP| times the
 * inverter's reactive range sqrt(S² − P²) per kW in every period (the box limit the OPF uses by
 * default; first order, so it overstates what the battery's var support earns, but it orders the
 * buses by it — on IEEE 123 it moves the best site from 17th to 1st place of the screen).
 */
export function screenValues(
  input: Pick<SitingInput, 'candidates' | 'horizon' | 'batteryOptions' | 'alpha' | 'feeder' | 'target'>,
  ref: { readonly parts: readonly PartOutcome[] },
  hours: number,
  kvaPerKw: number,
): Map<string, number> {
  const o = { ...BATTERY_DEFAULTS, ...input.batteryOptions };
  const unit: UnitBattery = {
    hours,
    etaCharge: o.etaCharge,
    etaDischarge: o.etaDischarge,
    socMin: o.socMin,
    socMax: o.socMax,
    socInitial: Math.min(Math.max(o.socInitial, o.socMin), o.socMax),
  };
  const alpha = input.alpha ?? 0.001;
  const target = input.target ?? (input.feeder ? balancedTarget(input.feeder) : null);
  const priceNodes = (c: string): readonly { name: string; share: number }[] =>
    target ? target.priceNodes(c) : [{ name: c, share: 1 }];
  const value = new Map(input.candidates.map((c) => [c, 0]));
  input.horizon.parts.forEach((part, p) => {
    const out = ref.parts[p]!;
    const lmp = out.lmpUsdPerKwh;
    const qlmp = out.qlmpUsdPerKvarh;
    const names = out.busNames;
    if (!lmp || !qlmp || !names) throw new Error('screening needs the LMPs of the reference run');
    const qPerKw = Math.sqrt(Math.max(0, kvaPerKw * kvaPerKw - 1));
    const nBus = names.length;
    const T = lmp.length / nBus;
    const dt = part.study.dtH ?? 1;
    const root = out.referencePriceUsdPerKwh ?? Float64Array.from({ length: T }, (_, t) => lmp[t * nBus]!);
    const lp = arbitrageValue(root, dt, unit, alpha);
    if (!lp.ok) return;
    const w = part.weight * input.horizon.annualFactor;
    const index = new Map(names.map((n, k) => [n, k]));
    for (const c of input.candidates) {
      const nodes = priceNodes(c).map(({ name, share }) => {
        const b = index.get(name);
        if (b === undefined) throw new Error(`no LMP for ${name} (candidate ${c}) in the reference run`);
        return { b, share };
      });
      let v = 0;
      for (let t = 0; t < T; t++) {
        const pc = lp.chargeKw[t]!;
        const pd = lp.dischargeKw[t]!;
        v -= alpha * ((1 - unit.etaCharge) * pc + (1 / unit.etaDischarge - 1) * pd);
        for (const { b, share } of nodes) {
          v += share * lmp[t * nBus + b]! * dt * (pd - pc);
          v += share * Math.abs(qlmp[t * nBus + b]!) * dt * qPerKw;
        }
      }
      value.set(c, value.get(c)! + w * v);
    }
  });
  return value;
}

function describeHorizon(h: Horizon): SitingReport['horizon'] {
  return {
    kind: h.kind,
    description: h.description,
    parts: h.parts.map((p) => ({ label: p.label, weight: p.weight })),
  };
}

/** The study: screen, size, verify (see the file header). */
export async function runSitingStudy(
  input: SitingInput,
  solve: PartSolver,
  hooks: SitingHooks = {},
): Promise<SitingReport> {
  const N = input.verifyTop ?? 10;
  const K = input.count;
  const phases = input.phases ?? BATTERY_DEFAULTS.phases;
  if (!(N >= 1)) throw new SitingError(`verifyTop must be ≥ 1 (got ${N})`);
  if (![1, 2, 3].includes(phases)) throw new BatterySpecError(`phases must be 1, 2 or 3 (got ${phases})`);
  validateInput(input, 0);
  const target = targetOf(input);
  const siteOf = (c: string, s: SizeOption, ph: number): SiteEntry => target.site(c, s, ph);
  const v = new Verifier(input, solve, hooks);
  const nTop = Math.min(N, input.candidates.length);
  v.total = 1 + input.sizes.length + (nTop - 1) + (K - 1) * Math.min(N, input.candidates.length - 1);
  v.progress();
  const log = hooks.log ?? ((): void => undefined);

  // 1. Baseline.
  const [base] = await v.verify([[]]);
  v.baseline = base!;
  const baseline = baselineOf(input, base!);
  log(
    `baseline: ${baseline.objective.toFixed(2)} USD over the horizon, ${baseline.annualObjective.toFixed(0)} USD/year`,
  );

  // 2. Screen per duration; 3. size at the best screened site.
  v.stage = 'screen';
  v.progress();
  const kvaPerKw = (s: SizeOption): number => (s.kva ?? BATTERY_DEFAULTS.inverterKvaPerKw * s.kw) / s.kw;
  const kindOf = (s: SizeOption): string => `${s.kwh / s.kw}:${kvaPerKw(s)}`;
  const perKw = new Map<string, Map<string, number>>();
  for (const s of input.sizes)
    if (!perKw.has(kindOf(s))) perKw.set(kindOf(s), screenValues(input, base!, s.kwh / s.kw, kvaPerKw(s)));
  const screenNet = (bus: string, s: SizeOption): number =>
    perKw.get(kindOf(s))!.get(bus)! * s.kw - sizeCost(input.economics, s.kw, s.kwh).annualisedCostUsd;
  let first = input.candidates[0]!;
  let firstNet = -Infinity;
  for (const c of input.candidates)
    for (const s of input.sizes)
      if (screenNet(c, s) > firstNet) {
        firstNet = screenNet(c, s);
        first = c;
      }
  v.stage = 'size';
  const curveRuns = await v.verify(input.sizes.map((s) => [siteOf(first, s, phases)]));
  const sizeCurve = curveRuns.map((r, k) => {
    const s = input.sizes[k]!;
    const sav = base!.totals.annualObjective - r.totals.annualObjective;
    const val = valuate(input.economics, [s], sav);
    return {
      bus: first,
      kw: s.kw,
      kwh: s.kwh,
      annualSavingsUsd: sav,
      annualisedCostUsd: val.annualisedCostUsd,
      netBenefitUsd: val.netBenefitUsd,
      feasible: r.totals.feasible,
    };
  });
  let chosen = 0;
  sizeCurve.forEach((c, k) => {
    const cur = sizeCurve[chosen]!;
    if (c.feasible && (!cur.feasible || c.netBenefitUsd > cur.netBenefitUsd)) chosen = k;
  });
  const size = input.sizes[chosen]!;
  log(`size: ${size.kw} kW / ${size.kwh} kWh (best verified net benefit at bus ${first})`);

  // 4. Verify the top-N at the chosen size; 5. greedy stages for K > 1.
  v.stage = 'verify';
  const screened: string[][] = [];
  const screenedValue = new Map<string, number>();
  let kept: readonly SiteEntry[] = [];
  let ref = base!;
  let stageRuns: Verified[] = [];
  for (let k = 0; k < K; k++) {
    const values = k === 0 ? perKw.get(kindOf(size))! : screenValues(input, ref, size.kwh / size.kw, kvaPerKw(size));
    const taken = new Set(kept.map(candidateOf));
    const order = input.candidates
      .filter((c) => !taken.has(c))
      .sort((a, b) => values.get(b)! - values.get(a)! || input.candidates.indexOf(a) - input.candidates.indexOf(b));
    const top = order.slice(0, N);
    screened.push(top);
    const configs = top.map((c) => [...kept, siteOf(c, size, phases)]);
    const baseValue = k === 0 ? 0 : (screenedValue.get(configKey(kept)) ?? 0);
    top.forEach((c, j) => screenedValue.set(configKey(configs[j]!), baseValue + values.get(c)! * size.kw));
    stageRuns = await v.verify(configs);
    const bestRun = stageRuns
      .filter((r) => r.totals.feasible)
      .sort((a, b) => a.totals.annualObjective - b.totals.annualObjective)[0];
    if (!bestRun) {
      log(`stage ${k + 1}: no feasible configuration among the ${top.length} screened`);
      break;
    }
    kept = bestRun.sites;
    ref = bestRun;
  }
  const ranked = rankEntries(
    input,
    base!,
    K === 1 ? [...new Map([...curveRuns, ...stageRuns].map((r) => [configKey(r.sites), r])).values()] : stageRuns,
    screenedValue,
  );
  /** Weighted mean LMP over the horizon and per hour of the day (period t of a part at hour t·Δt mod 24). */
  const lmpOf = (candidate: string): { mean: number; byHour: number[] } => {
    let s = 0;
    let n = 0;
    const hs = new Array<number>(24).fill(0);
    const hn = new Array<number>(24).fill(0);
    const nodes = target.priceNodes(candidate);
    base!.parts.forEach((p, k) => {
      const idx = nodes.map((x) => ({ i: p.busNames!.indexOf(x.name), share: x.share }));
      const nBus = p.busNames!.length;
      const w = input.horizon.parts[k]!.weight;
      const dt = input.horizon.parts[k]!.study.dtH ?? 1;
      for (let t = 0; t < p.lmpUsdPerKwh!.length / nBus; t++) {
        let v = 0;
        for (const { i, share } of idx) v += share * p.lmpUsdPerKwh![t * nBus + i]!;
        s += w * v;
        n += w;
        const h = Math.floor(t * dt) % 24;
        hs[h]! += w * v;
        hn[h]! += w;
      }
    });
    return { mean: s / n, byHour: hs.map((v, h) => (hn[h]! > 0 ? v / hn[h]! : NaN)).filter((v) => Number.isFinite(v)) };
  };
  const mv = perKw.get(kindOf(size))!;
  return {
    method: 'screen-and-verify',
    horizon: describeHorizon(input.horizon),
    economics: input.economics,
    candidates: input.candidates,
    count: K,
    baseline,
    marginalValue: input.candidates
      .map((c) => {
        const l = lmpOf(c);
        const site = target.site(c, size, phases);
        return {
          bus: site.bus,
          ...(site.phaseNodes ? { phaseNodes: site.phaseNodes } : {}),
          usdPerKwYear: mv.get(c)!,
          meanLmpUsdPerKwh: l.mean,
          lmpByHourUsdPerKwh: l.byHour,
        };
      })
      .sort((a, b) => b.usdPerKwYear - a.usdPerKwYear),
    sizeCurve,
    chosenSize: size,
    screened,
    ranked,
    sensitivity: sensitivity(input, ranked),
    configurationsVerified: v.done,
    opfSolves: v.opfSolves,
  };
}

/** The plain what-if sweep: every configuration verified, ranked by net benefit. */
export async function sweepStudy(
  input: SitingInput,
  configs: readonly (readonly SiteEntry[])[],
  solve: PartSolver,
  hooks: SitingHooks = {},
): Promise<SitingReport> {
  if (configs.length === 0) throw new SitingError('no configuration to sweep');
  validateInput(
    { ...input, count: 1, candidates: [...new Set(configs.flatMap((c) => c.map(candidateOf)))] },
    configs.length,
  );
  const v = new Verifier(input, solve, hooks);
  v.total = 1 + configs.length;
  v.stage = 'baseline';
  v.progress();
  const [base] = await v.verify([[]]);
  v.baseline = base!;
  const baseline = baselineOf(input, base!);
  v.stage = 'sweep';
  const runs = await v.verify(configs);
  const ranked = rankEntries(input, base!, runs, new Map());
  return {
    method: 'sweep',
    horizon: describeHorizon(input.horizon),
    economics: input.economics,
    candidates: input.candidates,
    count: input.count,
    baseline,
    marginalValue: [],
    sizeCurve: [],
    chosenSize: null,
    screened: [],
    ranked,
    sensitivity: sensitivity(input, ranked),
    configurationsVerified: v.done,
    opfSolves: v.opfSolves,
  };
}

/** Every candidate × every size, one battery each: the exhaustive single-site sweep. */
export function singleSiteConfigs(
  candidates: readonly string[],
  sizes: readonly SizeOption[],
  phases = 3,
  target?: SitingTarget,
): SiteEntry[][] {
  const siteOf = target ? target.site : plainSite;
  return candidates.flatMap((c) => sizes.map((s) => [siteOf(c, s, phases)]));
}

const plainSite = (bus: string, size: SizeOption, phases: number): SiteEntry => ({
  bus,
  phases,
  kw: size.kw,
  kwh: size.kwh,
  kva: size.kva ?? BATTERY_DEFAULTS.inverterKvaPerKw * size.kw,
});

/**
 * The K-site configurations a greedy study's screen put within reach: one bus from each stage's
 * screened list (its first `top` entries), every bus different, each set once (in first-found
 * order), all at the chosen size — the sweep its answer is compared with (K = 3 target: within
 * 1 % of the best of these). Needs a screen-and-verify report with a chosen size.
 */
export function screenedCombinations(
  report: SitingReport,
  top = 10,
  phases?: number,
  target?: SitingTarget,
): SiteEntry[][] {
  const siteOf = target ? target.site : plainSite;
  if (report.chosenSize === null)
    throw new SitingError('the report has no chosen size (a sweep report has no screened stages)');
  const size = report.chosenSize;
  const ph = phases ?? report.ranked[0]?.sites[0]?.phases ?? BATTERY_DEFAULTS.phases;
  const lists = report.screened.map((l) => l.slice(0, top));
  const seen = new Set<string>();
  const out: SiteEntry[][] = [];
  const walk = (k: number, acc: string[]): void => {
    if (k === lists.length) {
      const key = [...acc].sort().join('|');
      if (!seen.has(key)) {
        seen.add(key);
        out.push(acc.map((bus) => siteOf(bus, size, ph)));
      }
      return;
    }
    for (const b of lists[k]!) if (!acc.includes(b)) walk(k + 1, [...acc, b]);
  };
  walk(0, []);
  return out;
}
