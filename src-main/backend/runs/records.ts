/**
 * How a run is stored and read back: scenario settings → OPF study, OPF results → the store's
 * series (Float64Array blobs) and stats JSON, and a stored run → the contract's RunSummary and
 * RunDetail (what runs.get returns and what the dashboards, comparisons, exports and the PDF
 * report all read — one source of numbers).
 *
 * Series (names and layout are the contract's, RunDetail): system series are [T]; per-unit
 * series are [units, T], unit-major (value of unit u in period t at u·T + t).
 */
import type {
  Partition,
  Placements,
  RunCoordination,
  RunDetail,
  RunDistributedInfo,
  RunKind,
  RunRound,
  RunStatus,
  RunSummary,
  StudySettings,
} from '../../contract';
import type { EnappResult, RoundRecord } from '../../../src-solver/enapp/coordinator';
import type { Feeder } from '../../../src-solver/model/feeder';
import type { OpfResults } from '../../../src-solver/opf/results';
import type { Study } from '../../../src-solver/opf/study';
import type { SolveOptions } from '../../../src-solver/nlp/options';
import type { LoadedRun, RunRecord, Series } from '../store/project';

/** Scenario study settings → the OPF's Study (shapes are hourly) and the NLP options. */
export function toOpfStudy(s: StudySettings): { study: Study; nlp: SolveOptions } {
  return {
    study: {
      periods: s.periods,
      dtH: s.dtH,
      startHour: s.startHour,
      objective: s.objective,
      terminalSoc: s.terminalSoc,
      batteryLimit: s.batteryLimit,
      relax: s.relax,
      vMinPu: s.vMinPu,
      vMaxPu: s.vMaxPu,
      currentLimits: s.currentLimits,
      alpha: s.alpha,
      loadProfile: { intervalH: 1, values: s.loadShape },
      pvProfile: { intervalH: 1, values: s.pvShape },
      priceCentsPerKwh: { intervalH: 1, values: s.priceCentsPerKwh },
    },
    nlp: { tol: s.tolerance },
  };
}

/** What a run stores in `settings_json`: what was solved, as it was when the run started. */
export interface StoredSettings {
  readonly study: StudySettings;
  readonly placements: Placements;
  readonly partition: Partition;
  readonly scenarioName: string;
  readonly feederName: string;
}

/** What a run stores in `stats_json`: the run's own fields of the contract's RunSummary/RunDetail, plus its notes. */
export interface StoredStats
  extends
    Pick<RunSummary, 'message' | 'objective' | 'iterations' | 'seconds'>,
    Pick<
      RunDetail,
      | 'periods'
      | 'dtH'
      | 'totals'
      | 'maxSimultaneousChargeDischargeKw'
      | 'validation'
      | 'busNames'
      | 'pvNames'
      | 'pvBuses'
      | 'batteryNames'
      | 'batteryBuses'
      | 'batteryLimits'
      | 'distributed'
      | 'threePhase'
    >,
    Partial<Pick<RunDetail, 'branchNames' | 'branchFrom' | 'branchTo' | 'branchAmpacityA'>> {
  /** Options and defaults the OPF used (the report's appendix). */
  readonly notes: readonly string[];
}

/** One coordinator round as stored with a run. */
export function runRound(r: RoundRecord): RunRound {
  return {
    round: r.round,
    maxChangePu: r.maxChangePu,
    areaSeconds: r.areaSeconds,
    // NaN (an area that does not measure CPU time) is stored as null by JSON: keep it null here too.
    areaCpuSeconds: r.areaCpuSeconds.map((c) => (Number.isFinite(c) ? c : (null as unknown as number))),
    areaIterations: r.areaIterations,
    wallSeconds: r.wallSeconds,
  };
}

/** A distributed run's stored coordination record (balanced and three-phase runs alike). */
export function distributedInfoOf(
  enapp: EnappResult,
  areas: RunDistributedInfo['areas'],
  coordination: RunCoordination,
): RunDistributedInfo {
  return {
    coordination,
    areas,
    rounds: enapp.rounds.map(runRound),
    converged: enapp.status === 'converged',
    maxBoundaryChangePu: enapp.rounds.at(-1)?.maxChangePu ?? NaN,
    dampingFromRound: enapp.dampingFromRound,
    wallSeconds: enapp.wallSeconds,
    criticalPathCpuSeconds: enapp.criticalPathCpuSeconds,
  };
}

/** The solver's status → the run's status. */
export function runStatusOf(solverStatus: string): RunStatus {
  switch (solverStatus) {
    case 'solved':
    case 'acceptable':
    case 'infeasible':
    case 'maxIterations':
    case 'cancelled':
      return solverStatus;
    default:
      return 'notConverged';
  }
}

export function emptyStats(message: string, settings: StoredSettings): StoredStats {
  return {
    message,
    objective: null,
    iterations: null,
    seconds: null,
    periods: settings.study.periods,
    dtH: settings.study.dtH,
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

/**
 * The validating power flow's branch results as stored series (branches × T, unit-major) and the
 * branch facts the dashboards need. Loading is 100 × I / ampacity against the branch's normal
 * rating, stored only for the branches that have one (in branch order; a branch without a rating
 * has no loading, never 0 %).
 */
function branchSeries(
  r: OpfResults,
  feeder: Feeder,
): {
  facts: Required<Pick<StoredStats, 'branchNames' | 'branchFrom' | 'branchTo' | 'branchAmpacityA'>>;
  series: Record<string, Series>;
} | null {
  const b = r.validation?.branches;
  if (!b || b.currentA.length !== r.periods.length) return null;
  const T = b.currentA.length;
  const byName = new Map(feeder.branches.map((br) => [br.name, br]));
  const ampacity = b.names.map((name) => byName.get(name)?.ampacityA ?? null);
  const all = b.names.map((_, e) => e);
  const rated = all.filter((e) => ampacity[e] !== null);
  const rows = (
    units: readonly number[],
    get: (t: number) => Float64Array,
    f: (x: number, e: number) => number = (x) => x,
  ): Series => {
    const data = new Float64Array(units.length * T);
    for (let t = 0; t < T; t++) {
      const v = get(t);
      // + 0: a branch with no flow is 0, not −0 (JSON writes −0 as 0, and exports must read back equal).
      units.forEach((e, u) => (data[u * T + t] = f(v[e]!, e) + 0));
    }
    return { shape: [units.length, T], data };
  };
  return {
    facts: {
      branchNames: b.names,
      branchFrom: b.upstreamBus,
      branchTo: b.names.map((name, e) => {
        const br = byName.get(name);
        return br ? (br.from === b.upstreamBus[e] ? br.to : br.from) : '';
      }),
      branchAmpacityA: ampacity,
    },
    series: {
      branchCurrentA: rows(all, (t) => b.currentA[t]!),
      branchPKw: rows(all, (t) => b.pKw[t]!),
      branchQKvar: rows(all, (t) => b.qKvar[t]!),
      branchLoadingPct: rows(
        rated,
        (t) => b.currentA[t]!,
        (i, e) => (100 * i) / ampacity[e]!,
      ),
    },
  };
}

/** The OPF's results as stored series (contract names) and stats; `feeder` (placements applied) gives the branches' ratings. */
export function fromOpfResults(
  r: OpfResults,
  placements: Placements,
  distributed: RunDistributedInfo | null,
  feeder?: Feeder,
): { stats: StoredStats; series: Record<string, Series> } {
  const T = r.periods.length;
  const system = (get: (p: OpfResults['periods'][number]) => number): Series => {
    const data = new Float64Array(T);
    r.periods.forEach((p, t) => (data[t] = get(p)));
    return { shape: [T], data };
  };
  const perUnit = (units: number, get: (p: OpfResults['periods'][number]) => Float64Array): Series => {
    const data = new Float64Array(units * T);
    r.periods.forEach((p, t) => {
      const v = get(p);
      for (let u = 0; u < units; u++) data[u * T + t] = v[u]!;
    });
    return { shape: [units, T], data };
  };
  const sum = (a: Float64Array): number => a.reduce((s, x) => s + x, 0);
  const nBus = r.busNames.length;
  const nPv = r.pvNames.length;
  const nBat = r.batteryNames.length;
  const series: Record<string, Series> = {
    substationKw: system((p) => p.substationKw),
    substationKvar: system((p) => p.substationKvar),
    demandKw: system((p) => p.demandKw),
    pvKw: system((p) => sum(p.pvKw)),
    lossKw: system((p) => p.lossKw),
    priceUsdPerKwh: system((p) => p.priceUsdPerKwh),
    costUsd: system((p) => p.costUsd),
    voltagePu: perUnit(nBus, (p) => p.vPu),
    pvUnitKw: perUnit(nPv, (p) => p.pvKw),
    pvUnitKvar: perUnit(nPv, (p) => p.pvKvar),
    batterySocKwh: perUnit(nBat, (p) => p.batterySocKwh),
    batteryChargeKw: perUnit(nBat, (p) => p.batteryChargeKw),
    batteryDischargeKw: perUnit(nBat, (p) => p.batteryDischargeKw),
    batteryKvar: perUnit(nBat, (p) => p.batteryKvar),
  };
  const branches = feeder ? branchSeries(r, feeder) : null;
  if (branches) Object.assign(series, branches.series);
  const byName = new Map(placements.batteries.map((b) => [b.name, b]));
  const v = r.validation;
  const stats: StoredStats = {
    message: v?.error ? `${r.message} Power-flow validation failed: ${v.error}` : r.message,
    objective: r.objective,
    iterations: r.solver.iterations,
    seconds: r.solver.seconds,
    periods: T,
    dtH: r.dtH,
    totals: { ...r.totals },
    maxSimultaneousChargeDischargeKw: r.maxSimultaneousChargeDischargeKw,
    validation:
      v && !v.error
        ? {
            maxVoltageDiffPu: v.maxVoltageDiffPu,
            maxLossDiffPu: v.maxLossDiffPu,
            maxSubstationDiffPu: v.maxSubstationDiffPu,
            periods: v.periods,
          }
        : null,
    busNames: r.busNames,
    pvNames: r.pvNames,
    pvBuses: r.pvBuses,
    batteryNames: r.batteryNames,
    batteryBuses: r.batteryBuses,
    batteryLimits: r.batteryNames.map((name) => {
      const b = byName.get(name);
      return b
        ? { pRatedKw: b.pRatedKw, energyKwh: b.energyKwh, socMin: b.socMin, socMax: b.socMax }
        : { pRatedKw: NaN, energyKwh: NaN, socMin: NaN, socMax: NaN };
    }),
    ...(branches?.facts ?? {}),
    distributed,
    notes: r.notes,
  };
  return { stats, series };
}

/** A run still marked 'running' that no job owns was interrupted (the app closed mid-solve). */
export function summaryOf(rec: RunRecord, active: boolean): RunSummary {
  const stats = (rec.stats ?? {}) as Partial<StoredStats>;
  const interrupted = rec.status === 'running' && !active;
  return {
    id: rec.id,
    scenarioId: rec.scenarioId,
    kind: rec.kind as RunKind,
    status: interrupted ? 'failed' : (rec.status as RunStatus),
    message: interrupted ? 'interrupted: the application closed during the solve' : (stats.message ?? ''),
    startedAt: rec.startedAt,
    finishedAt: rec.finishedAt,
    objective: stats.objective ?? null,
    iterations: stats.iterations ?? null,
    seconds: stats.seconds ?? null,
    areas: stats.distributed ? stats.distributed.areas.length : null,
    rounds: stats.distributed ? stats.distributed.rounds.length : null,
  };
}

/** Typed array → plain array without the per-element overhead of Array.from's iterator path. */
function toArray(a: Float64Array): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
}

export function detailOf(loaded: LoadedRun, active: boolean): RunDetail {
  const rec = loaded.run;
  const settings = rec.settings as StoredSettings;
  const s = { ...emptyStats('', settings), ...(rec.stats as Partial<StoredStats>) };
  const series: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(loaded.series)) series[name] = toArray(v.data);
  return {
    ...summaryOf(rec, active),
    settings: settings.study,
    partition: settings.partition,
    log: rec.log,
    periods: s.periods,
    dtH: s.dtH,
    totals: s.totals,
    maxSimultaneousChargeDischargeKw: s.maxSimultaneousChargeDischargeKw,
    validation: s.validation,
    busNames: s.busNames,
    pvNames: s.pvNames,
    pvBuses: s.pvBuses,
    batteryNames: s.batteryNames,
    batteryBuses: s.batteryBuses,
    batteryLimits: s.batteryLimits,
    branchNames: s.branchNames ?? [],
    branchFrom: s.branchFrom ?? [],
    branchTo: s.branchTo ?? [],
    branchAmpacityA: s.branchAmpacityA ?? [],
    series,
    distributed: s.distributed,
    threePhase: s.threePhase ?? null,
  };
}
