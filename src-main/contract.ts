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
import type { AreaInfo as SolverAreaInfo, CutBranch as SolverCutBranch, PartitionCheck as SolverPartitionCheck } from '../src-solver/enapp/partition';
import type { Battery, Pv } from '../src-solver/model/feeder';
import type { FeederCounts } from '../src-solver/model/counts';
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
  | 'internal';

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
}

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

/** A placed PV system (the solver's Pv; its output follows the study's PV shape). */
export type PvPlacement = Omit<Pv, 'shape'>;

/** A placed battery (the solver's Battery). */
export type BatteryPlacement = Battery;

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

/** A repeatable what-if placement rule (source papers: batteries on 30 % of load buses, …). */
export interface BulkPlacementRule {
  readonly kind: 'battery' | 'pv';
  /** Fraction of load buses that get a device, 0–1. */
  readonly fractionOfLoadBuses: number;
  /** Device power rating as a fraction of the bus's peak load kW. */
  readonly powerFractionOfPeakLoad: number;
  /** Battery energy as hours at rated power (battery only). */
  readonly energyHours?: number;
  /** Inverter kVA as a multiple of the power rating. */
  readonly inverterRatio: number;
  /** PRNG seed: the same seed picks the same buses. */
  readonly seed: number;
  /** Replace existing devices of this kind (true) or add to them (false). */
  readonly replace: boolean;
}

/** One file handed to the import wizard: text files as text, a zip as base64. */
export interface ImportFile {
  /** Path relative to the chosen folder (or the file name), '/' separated. */
  readonly name: string;
  readonly text?: string;
  readonly base64?: string;
}

export interface ImportIssueDto {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

export interface ImportPreview {
  /** Hand back to `import.commit` to save exactly what was previewed. */
  readonly token: string;
  readonly ok: boolean;
  readonly format: 'dss' | 'csv-pair' | 'tessera-csv';
  readonly feederName: string;
  readonly counts: FeederCounts;
  readonly errors: readonly ImportIssueDto[];
  readonly warnings: readonly ImportIssueDto[];
  readonly ignored: readonly { file: string; line: number; element: string }[];
  /** Three-phase → balanced reduction report lines (what was approximated and by how much). */
  readonly reduction: readonly string[];
  /**
   * The feeder for the preview graph: null when it could not be built, or when it has more than
   * 20,000 buses (too many to draw; `counts` say what was read, and it can still be saved).
   */
  readonly feeder: import('../src-solver/model/feeder').Feeder | null;
}

// ---------------------------------------------------------------------------------------------
// Runs, dashboards, comparisons, reports.
// ---------------------------------------------------------------------------------------------

export type RunKind = 'centralized' | 'distributed';

/** 'running' while a solve is under way; the others are final. */
export type RunStatus =
  | 'running'
  | 'solved'
  | 'acceptable'
  | 'infeasible'
  | 'maxIterations'
  | 'notConverged'
  | 'failed'
  | 'cancelled';

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
export type RunValidation = Omit<OpfValidation, 'error'>;

export interface RunRound {
  readonly round: number;
  readonly maxChangePu: number;
  readonly areaSeconds: readonly number[];
  readonly areaIterations: readonly number[];
  readonly wallSeconds: number;
}

export interface RunDistributedInfo {
  readonly areas: readonly { readonly id: number; readonly rootBus: string; readonly buses: number }[];
  readonly rounds: readonly RunRound[];
  readonly converged: boolean;
  readonly maxBoundaryChangePu: number;
  /** First round whose boundary values were damped, or null when damping was never needed. */
  readonly dampingFromRound: number | null;
  readonly wallSeconds: number;
}

/**
 * A stored run with everything the dashboards, comparisons and report show. `series` holds the
 * per-period results, each `T` long for system series, or `units × T` (unit-major) for per-unit
 * series. Names (units in names):
 *   system:   substationKw, substationKvar, demandKw, pvKw, lossKw, priceUsdPerKwh, costUsd
 *   per bus:  voltagePu           (busNames.length × T)
 *   per PV:   pvUnitKw, pvUnitKvar            (pvNames.length × T)
 *   per battery: batterySocKwh, batteryChargeKw, batteryDischargeKw, batteryKvar (batteryNames.length × T)
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
  readonly batteryLimits: readonly { readonly pRatedKw: number; readonly energyKwh: number; readonly socMin: number; readonly socMax: number }[];
  readonly series: Readonly<Record<string, readonly number[]>>;
  readonly distributed: RunDistributedInfo | null;
}

/** Live progress of a run, pushed as the 'run.progress' event. */
export interface RunProgress {
  readonly runId: number;
  readonly kind: RunKind;
  readonly phase: 'building' | 'solving' | 'validating' | 'saving';
  /** Centralized: one interior-point iteration (Ipopt's columns). */
  readonly iteration?: { readonly iter: number; readonly objective: number; readonly infPr: number; readonly infDu: number; readonly lgMu: number };
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
  /** Representative days of the bundled year. */
  readonly days: number;
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
  readonly best: { readonly sites: readonly { readonly bus: string; readonly kw: number; readonly kwh: number }[]; readonly netBenefitUsd: number } | null;
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
  readonly best: { readonly sites: readonly { readonly bus: string; readonly kw: number; readonly kwh: number }[]; readonly netBenefitUsd: number } | null;
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
   * Read the files in a worker thread (the backend stays responsive); `requestId` (the caller's
   * choice) names it for `import.cancel` and the `import.progress` events.
   */
  'import.preview': {
    arg: { files: readonly ImportFile[]; format?: 'auto' | 'dss' | 'csv-pair' | 'tessera-csv'; requestId?: string };
    result: ImportPreview;
  };
  /** Stop a running preview, or a commit before it writes: it then fails with `cancelled`. Unknown or finished ids are ignored. */
  'import.cancel': { arg: { requestId: string }; result: null };
  /**
   * Save the previewed feeder (parsed and written in the worker thread); `requestId` names it for
   * `import.progress` ('saving') and `import.cancel`, which stops it until the write begins.
   */
  'import.commit': { arg: { token: string; name?: string; requestId?: string }; result: ProjectSummary };

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

  /** Start a solve off the UI thread; progress arrives as 'run.progress', the end as 'run.finished'. */
  'runs.start': { arg: { scenarioId: number; kind: RunKind }; result: RunSummary };
  'runs.cancel': { arg: { runId: number }; result: null };
  'runs.list': { arg: { scenarioId: number }; result: readonly RunSummary[] };
  'runs.get': { arg: { runId: number }; result: RunDetail };
  'runs.delete': { arg: { runId: number; confirm: boolean }; result: null };
  /** Name a run ('' removes the name). */
  'runs.rename': { arg: { runId: number; name: string }; result: RunSummary };
  /** Side by side totals and key figures; `mode` follows from the runs' scenarios. */
  'runs.compare': { arg: { a: number; b: number }; result: RunComparison };
  /** All result series as one CSV or JSON text (the renderer saves it). */
  'runs.export': { arg: { runId: number; format: 'csv' | 'json' }; result: { fileName: string; text: string } };
  /** Render the PDF study report (Chromium); also written under the data folder's reports/. */
  'report.pdf': { arg: { runId: number; compareWith?: number }; result: { fileName: string; path: string; base64: string; pages: number } };

  /** Start a siting study on a scenario; progress as 'siting.progress', the end as 'siting.finished'. */
  'siting.start': { arg: { scenarioId: number; settings: SitingSettings }; result: SitingStudySummary };
  'siting.cancel': { arg: { studyId: number }; result: null };
  'siting.list': { arg: { scenarioId: number }; result: readonly SitingStudySummary[] };
  'siting.get': { arg: { studyId: number }; result: SitingStudyDetail };
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
