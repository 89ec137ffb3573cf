/**
 * The one contract between the renderer and the backend. Types only: the preload, the Electron
 * IPC binding, the Node host's WebSocket bridge and the renderer's transports all implement it.
 *
 * Commands resolve to values, never throw across the boundary: `Result<T>` carries either the
 * value or an `ApiError` with a stable `code` (Electron keeps only `message` of a thrown error).
 *
 * Types the solver defines (totals, validation, partition, placements, statuses) are the solver's
 * own, imported here, so the two cannot drift apart.
 */
import type {
  AreaInfo as SolverAreaInfo,
  CutBranch as SolverCutBranch,
  PartitionCheck as SolverPartitionCheck,
} from '../src-solver/enapp/partition';
import type { Battery, Pv } from '../src-solver/model/feeder';
import type { BulkPlacementRule as SolverBulkPlacementRule } from '../src-solver/model/placement';
import type { FeederCounts } from '../src-solver/model/counts';
import type { IgnoredElement, ImportIssue } from '../src-solver/io/types';
import type { ClassReport, UnbalancedImportReport } from '../src-solver/unbalanced/import';
import type { SolveStatus as NlpSolveStatus } from '../src-solver/nlp/status';
import type { OpfTotals, OpfValidation } from '../src-solver/opf/results';

/** How the interior-point solver ended (src-solver/nlp/status.ts). */
export type SolveStatus = NlpSolveStatus;

/** Every code an ApiError carries. */
export type ApiErrorCode =
  /** An argument failed validation (the message names it). */
  | 'invalidArgument'
  | 'badRequest'
  | 'unknownCommand'
  | 'notFound'
  | 'alreadyExists'
  /** No project is open. */
  | 'noProject'
  /** The file is not a Tessera project, is damaged, or needs a newer Tessera. */
  | 'notAProject'
  | 'corruptProject'
  | 'unsupportedProject'
  /** A bundled example folder could not be read. */
  | 'badExample'
  /** The partition does not cut the feeder into valid areas. */
  | 'cannotPartition'
  /** The run has no solution to show or export. */
  | 'notSolved'
  | 'writeFailed'
  /** The host refused the request (origin, token). */
  | 'forbidden'
  /** The connection to the backend is gone. */
  | 'disconnected'
  /** Not available in this host (e.g. a native dialog in the browser). */
  | 'unsupported'
  /** The action needs an explicit confirmation (`confirm: true`; a run is going). */
  | 'confirmRequired'
  /** Save As onto an existing file needs `overwrite: true`. */
  | 'confirmOverwrite'
  /** The project file cannot be written (read-only file, or opened read-only here). */
  | 'readOnlyFile'
  | 'readOnly'
  /** Another Tessera holds the project. */
  | 'projectLocked'
  | 'cancelled'
  | 'importFailed'
  /** The feeder is larger than the app draws and edits (NETWORK_VIEW_MAX_BUSES); the message names the command line. */
  | 'feederTooLarge'
  /** One request is larger than the browser host takes (HOST_MAX_MESSAGE_BYTES); the message says how to send it. */
  | 'requestTooLarge'
  | 'internal';

/**
 * The largest WebSocket message the browser host accepts (the `ws` server's maxPayload). The
 * renderer checks a request against it before sending, so an over-large upload (a 1,000,000-bus
 * script is ~300 MB of text) gets a specific answer instead of a dropped connection.
 */
export const HOST_MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

export interface ApiError {
  /** Stable, machine-readable code. */
  readonly code: ApiErrorCode;
  /** A sentence a planner can read. */
  readonly message: string;
  readonly detail?: unknown;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export interface SolverInfoDto {
  readonly name: string;
  readonly version: string;
}

export interface ExampleSummary {
  /** Folder name under resources/examples, e.g. 'ieee123'. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

export interface AppInfo {
  readonly solver: SolverInfoDto;
  /** Where the backend runs: 'electron' (main process) or 'node-host' (development, e2e). */
  readonly host: 'electron' | 'node-host';
  readonly examples: readonly ExampleSummary[];
}

// ---------------------------------------------------------------------------------------------
// Projects, feeders, scenarios. A project is one SQLite file (`.tessera`).
// The Feeder model itself is src-solver/model/feeder.ts (the renderer may import its types).
// ---------------------------------------------------------------------------------------------

export interface ProjectRef {
  readonly path: string;
  readonly name: string;
  /** ISO time of the last open. */
  readonly openedAt: string;
}

/** A stored feeder: its counts are the solver's (src-solver/model/counts.ts). */
export interface FeederSummary extends FeederCounts {
  readonly id: number;
  readonly name: string;
  /** Where it came from, e.g. 'OpenDSS: Master.dss' or 'CSV: linedata.csv + powerdata.csv'. */
  readonly source: string;
  readonly importedAt: string;
  /**
   * What the feeder is (absent = 'balanced'): a native balanced single-phase feeder, a three-phase
   * OpenDSS feeder kept as written (its scripts are in the project; the base-case power flow is
   * the unbalanced one), or the balanced equivalent of one, chosen explicitly at import — its
   * powers are per phase (single-phase equivalent).
   */
  readonly model?: FeederModel;
}

export type FeederModel = 'balanced' | 'three-phase' | 'balanced-equivalent';

export interface ScenarioSummary {
  readonly id: number;
  readonly feederId: number;
  readonly name: string;
  readonly updatedAt: string;
  readonly pvCount: number;
  readonly batteryCount: number;
  /** Number of areas of the partition (1 = not partitioned). */
  readonly areaCount: number;
}

export interface ProjectSummary {
  readonly path: string;
  readonly name: string;
  readonly schemaVersion: number;
  /** Project settings the report's title page shows ('' when not set). */
  readonly author?: string;
  readonly organisation?: string;
  /** The report's logo (PNG or JPEG, sanitized), or null; the image itself comes from `projects.logo`. */
  readonly logo?: {
    readonly mime: 'image/png' | 'image/jpeg';
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
  } | null;
  readonly feeders: readonly FeederSummary[];
  readonly scenarios: readonly ScenarioSummary[];
  /** Present when the project is open read-only (another Tessera has it open): why. */
  readonly readOnly?: string;
}

/** Study settings of a scenario: what the OPF solves. Units in names; defaults in the store. */
export interface StudySettings {
  /** Horizon T, number of periods. */
  readonly periods: number;
  /** Hour of day of the first period (index into the shapes). */
  readonly startHour: number;
  /** Period length Δt, hours. */
  readonly dtH: number;
  readonly objective: 'cost' | 'loss';
  /** spec (9): hard B_T = B_0, a soft penalty, or free. */
  readonly terminalSoc: 'equal' | 'soft' | 'free';
  /** spec (11): the source papers' conservative box, or the exact apparent-power disk. */
  readonly batteryLimit: 'box' | 'disk';
  /** SOCP relaxation of spec (4) instead of the exact equality. */
  readonly relax: boolean;
  readonly vMinPu: number;
  readonly vMaxPu: number;
  /** Enforce branch current limits where a branch has an ampacity. */
  readonly currentLimits: boolean;
  /** Battery-loss weight α of the objective. */
  readonly alpha: number;
  /** NLP tolerance (Ipopt's tol). */
  readonly tolerance: number;
  /** Distributed solve: boundary tolerance, pu. */
  readonly boundaryTolerancePu: number;
  /** Hourly multipliers (24 or more points; the horizon wraps around them). */
  readonly loadShape: readonly number[];
  readonly pvShape: readonly number[];
  readonly priceCentsPerKwh: readonly number[];
}

/**
 * On a three-phase feeder, the phases a placed unit connects to (each to ground, wye): one phase
 * (single-phase unit) or all of its bus's (three-phase unit, power shared equally). Absent: the
 * bus's phases. Ignored on a balanced feeder.
 */
export interface UnitPhases {
  readonly phases?: readonly PhaseLetter[];
}

/** A placed PV system (the solver's Pv; its output follows the study's PV shape); `notes`: what its import assumed. */
export type PvPlacement = Omit<Pv, 'shape'> & UnitPhases;

/** A placed battery (the solver's Battery); `notes`: what its import assumed. */
export type BatteryPlacement = Battery & UnitPhases;

export interface Placements {
  readonly pv: readonly PvPlacement[];
  readonly batteries: readonly BatteryPlacement[];
}

/** A partition is a set of cut branches, each named by its parent-side and child-side bus. */
export type CutBranch = SolverCutBranch;

export interface Partition {
  readonly cuts: readonly CutBranch[];
}

export interface Scenario {
  readonly id: number;
  readonly feederId: number;
  readonly name: string;
  readonly study: StudySettings;
  readonly placements: Placements;
  readonly partition: Partition;
  readonly updatedAt: string;
}

/** One area of a partition (src-solver/enapp/partition.ts). */
export type AreaInfo = SolverAreaInfo;

/** A partition checked: its areas, or specific reasons, e.g. 'cut 15–117 and 117–16 leave area {117} empty'. */
export type PartitionCheck = SolverPartitionCheck;

/** A repeatable what-if placement rule (source papers: batteries on 30 % of load buses, …; src-solver/model/placement.ts). */
export type BulkPlacementRule = SolverBulkPlacementRule;

/** One file handed to the import wizard: text files as text, a zip as base64. */
export interface ImportFile {
  /** Path relative to the chosen folder (or the file name), '/' separated. */
  readonly name: string;
  readonly text?: string;
  readonly base64?: string;
}

/** One located import problem (the solver's ImportIssue). */
export type ImportIssueDto = ImportIssue;

export interface ImportPreview {
  /** Hand back to `import.commit` to save exactly what was previewed. */
  readonly token: string;
  readonly ok: boolean;
  readonly format: 'dss' | 'csv-pair' | 'tessera-csv';
  readonly feederName: string;
  readonly counts: FeederCounts;
  readonly errors: readonly ImportIssueDto[];
  readonly warnings: readonly ImportIssueDto[];
  readonly ignored: readonly IgnoredElement[];
  /** Three-phase → balanced reduction report lines (what was approximated and by how much). */
  readonly reduction: readonly string[];
  /**
   * The feeder for the preview graph: null when it could not be built, or when it has more than
   * 20,000 buses (too many to draw; `counts` say what was read, and it can still be saved).
   * For a three-phase script it is the drawing of the three-phase network (loads as three-phase
   * totals), not the balanced equivalent.
   */
  readonly feeder: import('../src-solver/model/feeder').Feeder | null;
  /** OpenDSS input: every .dss file given (candidates for the master script), and the one read. */
  readonly entries?: readonly string[];
  readonly entry?: string;
  /** A three-phase script (its circuit has 2 or more phases): the three-phase import report. */
  readonly threePhase?: ThreePhaseReport;
  /** A three-phase script: whether its explicit balanced equivalent could be built, and its loads (per phase). */
  readonly balancedEquivalent?: {
    readonly ok: boolean;
    readonly counts: ImportPreview['counts'];
    readonly loadKwPerPhase: number;
    readonly loadKvarPerPhase: number;
    readonly errors: readonly ImportIssueDto[];
  };
}

/** The three-phase import report (what `tessera import --json` prints as "threePhase"). */
export interface ThreePhaseReport {
  readonly ok: boolean;
  readonly buses: number;
  readonly nodes: number;
  readonly lines: number;
  readonly transformers: number;
  readonly regulators: number;
  readonly capacitors: number;
  readonly loads: number;
  readonly generators: number;
  /** Σ load kW / kvar at nominal after allocation: three-phase totals. */
  readonly loadKw: UnbalancedImportReport['loadKw'];
  readonly loadKvar: UnbalancedImportReport['loadKvar'];
  /** Line-to-line kV of `Set VoltageBases`. */
  readonly voltageBasesKv: Readonly<UnbalancedImportReport['voltageBasesKv']>;
  /** Per element class: imported, approximated (which element, what and how), ignored (the solver's ClassReport). */
  readonly classes: Readonly<Record<string, Readonly<ClassReport>>>;
  readonly ignored: UnbalancedImportReport['ignored'];
  readonly warnings: readonly ImportIssueDto[];
  /** When `ok` is false: why the three-phase model could not be read. */
  readonly errors: readonly ImportIssueDto[];
}

/** Phases of a three-phase feeder's buses and drawn branches (letters, e.g. 'abc', 'a', 'bc'). */
export interface FeederPhases {
  readonly feederId: number;
  readonly model: FeederModel;
  readonly entry: string | null;
  readonly busPhases: Readonly<Record<string, string>>;
  /** Keyed by the drawn branch's name (parallel single-phase units between two buses are one drawn branch). */
  readonly branchPhases: Readonly<Record<string, string>>;
  readonly report: ThreePhaseReport | null;
}

// ---------------------------------------------------------------------------------------------
// Base-case power flow (before any OPF): the feeder as it is, over the study's periods.
// ---------------------------------------------------------------------------------------------

export type PhaseLetter = 'A' | 'B' | 'C';

export interface BaseCasePeriod {
  /** 0 = snapshot at nominal load; else the hour (1-based, OpenDSS daily mode). */
  readonly hour: number;
  readonly converged: boolean;
  readonly iterations: number;
  /** Three-phase totals (balanced feeders: per phase, single-phase equivalent). */
  readonly substationKw: number;
  readonly substationKvar: number;
  readonly lossKw: number;
  readonly lossKvar: number;
  /** [phase A, B, C][bus index]: line-to-neutral |V| in pu of the bus base; null where the bus has no such phase. Balanced: one row. */
  readonly vPu: readonly (readonly (number | null)[])[];
  readonly regulatorTaps: Readonly<Record<string, number>>;
  readonly capacitorStates: Readonly<Record<string, readonly number[]>>;
  /** Largest voltage unbalance factor (negative- over positive-sequence |V|) over three-phase buses, and where; null for a balanced feeder. */
  readonly vufMax: { readonly value: number; readonly bus: string } | null;
}

export interface BaseCaseViolation {
  readonly bus: string;
  readonly phase: PhaseLetter | null;
  readonly hour: number;
  readonly vPu: number;
  /** The limit crossed: Range B when outside it, else Range A. */
  readonly range: 'A' | 'B';
  readonly side: 'low' | 'high';
  readonly limitPu: number;
}

export interface BaseCaseOverload {
  readonly element: string;
  readonly phase: PhaseLetter | null;
  readonly hour: number;
  readonly amps: number;
  readonly normAmps: number;
  readonly loadingPct: number;
  /** The script gives no normamps: the rating is OpenDSS's default (400 A). */
  readonly defaultRating?: boolean;
}

export interface BaseCaseResult {
  readonly scenarioId: number;
  readonly feederId: number;
  readonly model: FeederModel;
  readonly mode: 'snapshot' | 'daily';
  readonly controls: boolean;
  /** Bus names in the order of every per-bus array. */
  readonly buses: readonly string[];
  /**
   * Distance from the substation along the feeder: km of line (three-phase: the lines' lengths,
   * transformers 0), or, for a balanced feeder (no lengths), electrical distance Σ|Z| in Ω.
   */
  readonly distance: readonly number[];
  readonly distanceUnit: 'km' | 'Ω';
  /** Phase letters per bus ('abc', 'a', …); '' for a balanced feeder. */
  readonly busPhases: readonly string[];
  /** Parent → child bus indices, for drawing the profile as lines along the feeder. */
  readonly edges: readonly (readonly [number, number])[];
  readonly periods: readonly BaseCasePeriod[];
  readonly violations: readonly BaseCaseViolation[];
  /** Total violation rows before the list was cut to its cap. */
  readonly violationCount: number;
  readonly overloads: readonly BaseCaseOverload[];
  readonly overloadCount: number;
  /**
   * Branches with a rating of their own. Three-phase: every line is checked, against its
   * `normamps` or OpenDSS's default 400 A; balanced: only branches with an ampacity.
   */
  readonly ratedBranches: number;
  readonly elapsedSeconds: number;
}

export interface BaseCaseProgress {
  readonly requestId: string;
  readonly stage: 'importing' | 'solving' | 'summarising';
  readonly done: number;
  readonly total: number;
}

// ---------------------------------------------------------------------------------------------
// Runs, dashboards, comparisons, reports.
// ---------------------------------------------------------------------------------------------

export type RunKind = 'centralized' | 'distributed';

/** 'running' while a solve is under way; the others are final. */
export type RunStatus =
  'running' | 'solved' | 'acceptable' | 'infeasible' | 'maxIterations' | 'notConverged' | 'failed' | 'cancelled';

export interface RunSummary {
  readonly id: number;
  readonly scenarioId: number;
  /** The planner's name for the run ('' when not named; the UI then shows "#id kind"). */
  readonly name?: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  /** One sentence: the solver's reason, or the specific failure ("area 3 solver stopped: …"). */
  readonly message: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Objective in engineering units (USD for cost, kWh for loss), when solved. */
  readonly objective: number | null;
  readonly iterations: number | null;
  readonly seconds: number | null;
  /** Distributed runs: number of areas and of rounds. */
  readonly areas: number | null;
  readonly rounds: number | null;
}

/** The source papers' totals over the horizon (src-solver/opf/results.ts). */
export type RunTotals = OpfTotals;

/** OPF vs independent AC power flow, per period and the largest discrepancies (src-solver/opf/results.ts). */
export type RunValidation = Omit<OpfValidation, 'error' | 'branches'>;

export interface RunRound {
  readonly round: number;
  readonly maxChangePu: number;
  readonly areaSeconds: readonly number[];
  /** Per area: CPU seconds inside its process this round (absent in runs stored before it was measured). */
  readonly areaCpuSeconds?: readonly number[];
  readonly areaIterations: readonly number[];
  readonly wallSeconds: number;
}

/**
 * How the areas of a distributed run are coordinated (src-solver/enapp/distributed.ts
 * Coordination): 'exact' exchanges boundary values and prices, so it converges to the centralized
 * optimum; 'published' is the source papers' value-only exchange, a different point, always shown
 * with its measured difference from a centralized run.
 */
export type RunCoordination = 'exact' | 'published';

/** A published-mode run against the centralized run of the same scenario and settings (the newest solved one). */
export interface RunCentralizedDifference {
  readonly runId: number;
  /** Largest relative difference over the compared totals (runs.compare's rows), and its quantity. */
  readonly maxRelDiff: number;
  readonly quantity: string;
}

export interface RunDistributedInfo {
  /** Absent in runs stored before the modes existed (they were exact). */
  readonly coordination?: RunCoordination;
  readonly areas: readonly { readonly id: number; readonly rootBus: string; readonly buses: number }[];
  readonly rounds: readonly RunRound[];
  readonly converged: boolean;
  readonly maxBoundaryChangePu: number;
  /** First round whose boundary values were damped, or null when damping was never needed. */
  readonly dampingFromRound: number | null;
  readonly wallSeconds: number;
  /**
   * Σ over rounds of the slowest area's CPU seconds: the run's time with one core per area (null
   * when an area did not measure CPU time; absent in runs stored before).
   */
  readonly criticalPathCpuSeconds?: number | null;
  /**
   * Filled in when the run is read (runs.get), never stored: a published-mode run's difference
   * from the newest solved centralized run of the same scenario with the same study settings and
   * placements; null when there is none.
   */
  readonly centralizedDifference?: RunCentralizedDifference | null;
  /** Three-phase runs: the per-phase values each boundary held at the end (absent on balanced runs). */
  readonly phaseBoundaries?: readonly RunPhaseBoundary[];
  /**
   * Three-phase exact runs: how many of `rounds` (the last ones) were consistency rounds — values
   * only, at the last prices, until both sides of every boundary agree (enapp/distributed3.ts).
   */
  readonly consistencyRounds?: number;
}

/**
 * One boundary of a three-phase distributed run at its last round: per phase node of the boundary
 * bus, the values the areas exchanged (docs/spec/mpopf-formulation.md "Three-phase feeders:
 * per-phase boundary values") — the node voltage the parent gives the child, and the power the
 * child draws there (three-phase runs exchange per-node currents; these are V·conj(I)).
 */
export interface RunPhaseBoundary {
  readonly bus: string;
  readonly parentArea: number;
  readonly childArea: number;
  /** Per node of the exchange, its phase ('A', 'B', 'C'; 'N' for a neutral conductor). */
  readonly phases: readonly string[];
  /** [node][period]: |V| in pu of the bus base; the child's draw, kW and kvar. */
  readonly vPu: readonly (readonly number[])[];
  readonly pKw: readonly (readonly number[])[];
  readonly qKvar: readonly (readonly number[])[];
}

/**
 * A stored run with everything the dashboards, comparisons and report show. `series` holds the
 * per-period results, each `T` long for system series, or `units × T` (unit-major) for per-unit
 * series. Names (units in names):
 *   system:   substationKw, substationKvar, demandKw, pvKw, lossKw, priceUsdPerKwh, costUsd
 *   per bus:  voltagePu           (busNames.length × T)
 *   per PV:   pvUnitKw, pvUnitKvar            (pvNames.length × T)
 *   per battery: batterySocKwh, batteryChargeKw, batteryDischargeKw, batteryKvar (batteryNames.length × T)
 *   per branch (from the validating AC power flow): branchCurrentA, branchPKw, branchQKvar
 *            (branchNames.length × T); branchLoadingPct = 100 × current / ampacity for the rated
 *            branches only (those with branchAmpacityA ≠ null, in branch order) — see
 *            src-shared/loading.ts
 */
export interface RunDetail extends RunSummary {
  readonly settings: StudySettings;
  readonly partition: Partition;
  readonly log: string;
  readonly periods: number;
  readonly dtH: number;
  readonly totals: RunTotals | null;
  readonly maxSimultaneousChargeDischargeKw: number | null;
  readonly validation: RunValidation | null;
  readonly busNames: readonly string[];
  readonly pvNames: readonly string[];
  readonly pvBuses: readonly string[];
  readonly batteryNames: readonly string[];
  readonly batteryBuses: readonly string[];
  /** Per battery: limits the SOC and power charts draw. */
  readonly batteryLimits: readonly {
    readonly pRatedKw: number;
    readonly energyKwh: number;
    readonly socMin: number;
    readonly socMax: number;
  }[];
  /**
   * Branches in the feeder's order with their substation-side (`branchFrom`) and far (`branchTo`)
   * bus and their ampacity, A (the feeder's normal rating: OpenDSS normamps, CSV ampacity_a), null
   * where the feeder gives none. Empty for runs stored before branch results were kept.
   */
  readonly branchNames: readonly string[];
  readonly branchFrom: readonly string[];
  readonly branchTo: readonly string[];
  readonly branchAmpacityA: readonly (number | null)[];
  readonly series: Readonly<Record<string, readonly number[]>>;
  readonly distributed: RunDistributedInfo | null;
  /** Runs of the three-phase OPF (feeder kept three-phase): per-phase layout and validation. */
  readonly threePhase?: RunThreePhaseInfo | null;
}

/**
 * A three-phase run's per-phase results. Series added to RunDetail.series:
 * `nodeVoltagePu` [nodes, T] (line-to-neutral, pu of the bus base, node order of `nodeBuses`/
 * `nodePhases`); `pvPhaseKw`/`batteryPhaseKw` [units, T] per phase of the unit (the unit's total
 * divided by its phase count: three-phase units are dispatched balanced). The balanced series keep
 * their names: `voltagePu` is each bus's worst phase (farthest from 1 pu), `substationKw`/`Kvar`,
 * `pvKw`, `lossKw`, `demandKw` and the units' kW/kvar are three-phase totals.
 */
export interface RunThreePhaseInfo {
  readonly nodeBuses: readonly string[];
  readonly nodePhases: readonly PhaseLetter[];
  readonly pvPhases: readonly (readonly PhaseLetter[])[];
  readonly batteryPhases: readonly (readonly PhaseLetter[])[];
  /** The three-phase power flow with the OPF's set points against the OPF, every node and period. */
  readonly validation: {
    readonly maxDiffPu: number;
    readonly at: string;
    readonly perPeriodMaxDiffPu: readonly number[];
    readonly converged: boolean;
  };
  /** Regulator taps and capacitor states the OPF held fixed (set by a nominal-load power flow with controls). */
  readonly regulatorTaps: Readonly<Record<string, number>>;
  /** Solves until the loads' OpenDSS voltage regions agreed with the solution. */
  readonly rounds: number;
  /**
   * Per period, the largest voltage unbalance factor |V₂|/|V₁| over the three-phase buses (the
   * line-to-neutral phasors' sequence components, as the base case) and its bus; also the series
   * `vufMax` [T]. Empty when the feeder has no three-phase bus.
   */
  readonly vufMaxBus: readonly string[];
}

/** Live progress of a run, pushed as the 'run.progress' event. */
export interface RunProgress {
  readonly runId: number;
  readonly kind: RunKind;
  readonly phase: 'building' | 'solving' | 'validating' | 'saving';
  /** Centralized: one interior-point iteration (Ipopt's columns). */
  readonly iteration?: {
    readonly iter: number;
    readonly objective: number;
    readonly infPr: number;
    readonly infDu: number;
    readonly lgMu: number;
  };
  /** Distributed: one finished round. */
  readonly round?: RunRound;
  /** Distributed: one area's state ('started', 'solving', 'solved', 'restarted', 'failed'). */
  readonly area?: { readonly id: number; readonly state: string; readonly detail: string };
  readonly elapsedSeconds: number;
}

export interface ComparisonRow {
  readonly quantity: string;
  readonly unit: string;
  readonly a: number;
  readonly b: number;
  /** b − a. */
  readonly diff: number;
  /** |b − a| / max(|a|, tiny). */
  readonly relDiff: number;
}

export interface RunComparison {
  readonly a: RunSummary;
  readonly b: RunSummary;
  /** 'method': same scenario, centralized vs distributed; 'scenario': two scenarios (siting what-if). */
  readonly mode: 'method' | 'scenario';
  readonly rows: readonly ComparisonRow[];
  readonly maxRelDiff: number;
}

// ---------------------------------------------------------------------------------------------
// BESS siting studies (src-solver/siting, docs/siting.md): kept in the project with their report.
// ---------------------------------------------------------------------------------------------

export interface SitingSettings {
  /** 'all' = every load bus, or a list of bus names. */
  readonly candidates: 'all' | readonly string[];
  /** Number of sites K. */
  readonly count: number;
  /** Sizes to try; default 4-hour batteries at 5, 10, 20, 30 % of the peak load. */
  readonly sizes?: readonly { readonly kw: number; readonly kwh: number }[];
  /** Representative days of the year (the planner's `profiles`, else the bundled year). */
  readonly days: number;
  /**
   * The planner's own year: hourly CSVs (`timestamp,value` or `hour,value`, 8760 rows or 8784 for
   * a leap year) — load in pu of peak, PV in pu of rating, price in USD/MWh — kept with the study
   * in the project. Absent: the bundled ERCOT/DFW 2023 year. Study lists return `name` only
   * (the texts emptied).
   */
  readonly profiles?: {
    readonly name: string;
    /** The files' own names, as chosen: a problem is reported in the file it is in (kept in lists). */
    readonly files?: { readonly load: string; readonly pv: string; readonly price: string };
    /**
     * The calendar year of files of `hour,value` rows, which dates the representative days; files
     * with ISO timestamps name their own year (a different one given is refused). Default 2023.
     */
    readonly year?: number;
    readonly load: string;
    readonly pv: string;
    readonly price: string;
  };
  readonly capexUsdPerKw?: number;
  readonly capexUsdPerKwh?: number;
  readonly fixedOmUsdPerKwYear?: number;
  readonly lifetimeYears?: number;
  readonly discountRate?: number;
  readonly phases?: number;
  /** Configurations verified per stage. Default 10. */
  readonly verifyTop?: number;
}

export type SitingStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface SitingStudySummary {
  readonly id: number;
  readonly scenarioId: number;
  readonly status: SitingStatus;
  readonly settings: SitingSettings;
  readonly error: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The first ranked configuration, once done. */
  readonly best: {
    readonly sites: readonly { readonly bus: string; readonly kw: number; readonly kwh: number }[];
    readonly netBenefitUsd: number;
  } | null;
}

export interface SitingStudyDetail extends SitingStudySummary {
  readonly report: import('../src-solver/siting/study').SitingReport | null;
}

/** Live progress of a siting study, pushed as 'siting.progress'. */
export interface SitingProgressEvent {
  readonly studyId: number;
  readonly stage: string;
  /** Configurations verified / planned. */
  readonly done: number;
  readonly total: number;
  readonly best: {
    readonly sites: readonly { readonly bus: string; readonly kw: number; readonly kwh: number }[];
    readonly netBenefitUsd: number;
  } | null;
  readonly elapsedSeconds: number;
}

/** Command name → argument and result. Add commands here first; the compiler finds the rest. */
export interface Commands {
  'app.info': { arg: null; result: AppInfo };
  'examples.list': { arg: null; result: readonly ExampleSummary[] };

  'projects.recent': { arg: null; result: readonly ProjectRef[] };
  /** Create a new empty project file (default location: the data folder's projects/). */
  'projects.create': { arg: { name: string; path?: string }; result: ProjectSummary };
  'projects.open': { arg: { path: string }; result: ProjectSummary };
  /** Open (creating on first use) the project built from a bundled example. */
  'projects.openExample': { arg: { id: string }; result: ProjectSummary };
  'projects.current': { arg: null; result: ProjectSummary | null };
  /**
   * Save a copy and continue in it. An existing file is replaced only with `overwrite: true` (the
   * UI asks first; without it the error is `confirmOverwrite`). In host mode the path is inside
   * the data folder.
   */
  'projects.saveAs': { arg: { path: string; overwrite?: boolean }; result: ProjectSummary };
  /**
   * Desktop app only: the main process shows the native Open / Save As dialog and opens or saves
   * to the file picked there (the renderer never supplies a path). `null` when the planner cancels.
   * The dialog asks before replacing an existing file. In the browser (Node host): `unsupported`.
   */
  'projects.openDialog': { arg: null; result: ProjectSummary | null };
  'projects.saveAsDialog': { arg: null; result: ProjectSummary | null };
  /** With a run going, closing needs `confirm: true` (error `confirmRequired`); the runs are then cancelled and kept as cancelled. */
  'projects.close': { arg: { confirm?: boolean } | null; result: null };
  /** Rename the open project or set its report settings (author, organisation). */
  'projects.update': { arg: { name?: string; author?: string; organisation?: string }; result: ProjectSummary };
  /**
   * Set the report's logo from an uploaded file (the browser), or remove it with null. PNG or
   * JPEG only, at most 1 MB; checked and stripped of metadata before it is stored
   * (src-main/backend/report/logo.ts). Errors say what is wrong (`invalidArgument`).
   */
  'projects.setLogo': { arg: { base64: string } | null; result: ProjectSummary };
  /** Desktop app only: pick the logo in the native Open dialog (null when cancelled). In the browser: `unsupported`. */
  'projects.logoDialog': { arg: null; result: ProjectSummary | null };
  /** The stored logo as base64 (for a preview), or null. */
  'projects.logo': { arg: null; result: { readonly mime: 'image/png' | 'image/jpeg'; readonly base64: string } | null };

  /**
   * Read the files in a worker thread (the backend stays responsive); `requestId` (the caller's
   * choice) names it for `import.cancel` and the `import.progress` events.
   */
  'import.preview': {
    arg: {
      files: readonly ImportFile[];
      format?: 'auto' | 'dss' | 'csv-pair' | 'tessera-csv';
      requestId?: string;
      entry?: string;
    };
    result: ImportPreview;
  };
  /** Stop a running preview, or a commit before it writes: it then fails with `cancelled`. Unknown or finished ids are ignored. */
  'import.cancel': { arg: { requestId: string }; result: null };
  /**
   * Save a previewed feeder. A three-phase script is kept three-phase (`model` 'three-phase', the
   * default) or, chosen explicitly, as its balanced equivalent ('balanced-equivalent'). A balanced
   * feeder is parsed and written in the import worker thread; `requestId` names the save for
   * `import.progress` ('saving') and `import.cancel`, which stops it until the write begins.
   */
  'import.commit': {
    arg: { token: string; name?: string; model?: 'three-phase' | 'balanced-equivalent'; requestId?: string };
    result: ProjectSummary;
  };
  /** A feeder's phases and three-phase import report (a balanced feeder: model only, no phases). */
  'feeders.phases': { arg: { id: number }; result: FeederPhases };
  /**
   * The base-case power flow of a scenario's feeder over its study's periods (three-phase:
   * unbalanced, controls acting unless `controls` is false), in a worker thread; progress as
   * 'basecase.progress' with the caller's `requestId`.
   */
  'basecase.run': {
    arg: { scenarioId: number; mode: 'snapshot' | 'daily'; controls?: boolean; requestId?: string };
    result: BaseCaseResult;
  };
  /** Stop a running base case (it then fails with `cancelled`). */
  'basecase.cancel': { arg: { requestId: string }; result: null };

  'feeders.get': { arg: { id: number }; result: import('../src-solver/model/feeder').Feeder };
  /** Deleting needs `confirm: true` (the UI asks first). */
  'feeders.delete': { arg: { id: number; confirm: boolean }; result: ProjectSummary };

  'scenarios.get': { arg: { id: number }; result: Scenario };
  'scenarios.update': {
    arg: { id: number; patch: Partial<Pick<Scenario, 'name' | 'study' | 'placements' | 'partition'>> };
    result: Scenario;
  };
  'scenarios.duplicate': { arg: { id: number; name?: string }; result: Scenario };
  'scenarios.delete': { arg: { id: number; confirm: boolean }; result: ProjectSummary };

  'partition.check': { arg: { feederId: number; cuts: readonly CutBranch[] }; result: PartitionCheck };
  'partition.suggest': { arg: { feederId: number; k: number }; result: Partition };
  'placements.bulk': { arg: { scenarioId: number; rule: BulkPlacementRule }; result: Scenario };

  /**
   * Start a solve off the UI thread; progress arrives as 'run.progress', the end as 'run.finished'.
   * `coordination`: distributed runs only (default 'exact').
   */
  'runs.start': { arg: { scenarioId: number; kind: RunKind; coordination?: RunCoordination }; result: RunSummary };
  'runs.cancel': { arg: { runId: number }; result: null };
  'runs.list': { arg: { scenarioId: number }; result: readonly RunSummary[] };
  /**
   * A run with its series, except the per-branch ones (src-shared/loading.ts BRANCH_SERIES: they would triple a large
   * feeder's transfer and only the Voltages view reads them): those come from `runs.branchSeries`.
   */
  'runs.get': { arg: { runId: number }; result: RunDetail };
  /** The run's per-branch series (branchCurrentA, branchPKw, branchQKvar, branchLoadingPct); empty for runs stored without them. */
  'runs.branchSeries': {
    arg: { runId: number };
    result: { readonly series: Readonly<Record<string, readonly number[]>> };
  };
  'runs.delete': { arg: { runId: number; confirm: boolean }; result: null };
  /** Name a run ('' removes the name). */
  'runs.rename': { arg: { runId: number; name: string }; result: RunSummary };
  /** Side by side totals and key figures; `mode` follows from the runs' scenarios. */
  'runs.compare': { arg: { a: number; b: number }; result: RunComparison };
  /** All result series as one CSV or JSON text (the renderer saves it). */
  'runs.export': { arg: { runId: number; format: 'csv' | 'json' }; result: { fileName: string; text: string } };
  /** Render the PDF study report (Chromium); also written under the data folder's reports/. */
  /** `sitingStudyId` adds that BESS siting study's section (ranked table, size curve, map, sensitivity). */
  'report.pdf': {
    arg: { runId: number; compareWith?: number; sitingStudyId?: number };
    result: { fileName: string; path: string; base64: string; pages: number };
  };

  /** Start a siting study on a scenario; progress as 'siting.progress', the end as 'siting.finished'. */
  'siting.start': { arg: { scenarioId: number; settings: SitingSettings }; result: SitingStudySummary };
  'siting.cancel': { arg: { studyId: number }; result: null };
  'siting.list': { arg: { scenarioId: number }; result: readonly SitingStudySummary[] };
  'siting.get': { arg: { studyId: number }; result: SitingStudyDetail };
  /**
   * A ranked line's verified OPF of one horizon part (a representative day) as a normal run of the
   * study's scenario: its placements plus the line's batteries, the day's profiles; listed in Runs.
   */
  'siting.openRun': { arg: { studyId: number; rank: number; part: number }; result: RunSummary };
}

/** Pushed events: name → payload. */
export interface Events {
  'backend.log': { readonly level: 'info' | 'warn' | 'error'; readonly message: string };
  'project.changed': { readonly path: string };
  'run.progress': RunProgress;
  'run.finished': RunSummary;
  'import.progress': ImportProgress;
  'siting.progress': SitingProgressEvent;
  'siting.finished': SitingStudySummary;
  'basecase.progress': BaseCaseProgress;
}

/** A stage of a running `import.preview` (unpacking, parsing, summarising) or `import.commit` (saving). */
export interface ImportProgress {
  readonly requestId: string;
  readonly stage: 'unpacking' | 'parsing' | 'summarising' | 'saving';
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;
export type CommandArg<K extends CommandName> = Commands[K]['arg'];
export type CommandResult<K extends CommandName> = Commands[K]['result'];

/** What the renderer sees as `window.tessera` (Electron preload) or gets from the WebSocket transport. */
export interface TesseraApi {
  invoke<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<Result<CommandResult<K>>>;
  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void;
}

/** Wire format of the Node host's WebSocket bridge. */
export type WireRequest = { readonly id: number; readonly command: string; readonly arg: unknown };
export type WireMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly result: Result<unknown> }
  | { readonly kind: 'event'; readonly event: string; readonly payload: unknown };
