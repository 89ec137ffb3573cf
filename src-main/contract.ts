/**
 * The one contract between the renderer and the backend. Types only: the preload, the Electron
 * IPC binding, the Node host's WebSocket bridge and the renderer's transports all implement it.
 *
 * Commands resolve to values, never throw across the boundary: `Result<T>` carries either the
 * value or an `ApiError` with a stable `code` (Electron keeps only `message` of a thrown error).
 */

export interface ApiError {
  /** Stable, machine-readable code, e.g. 'invalidArgument', 'notFound', 'internal'. */
  readonly code: string;
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
// Projects, feeders, scenarios (desktop app I). A project is one SQLite file (`.tessera`).
// The Feeder model itself is src-solver/model/feeder.ts (the renderer may import its types).
// ---------------------------------------------------------------------------------------------

export interface ProjectRef {
  readonly path: string;
  readonly name: string;
  /** ISO time of the last open. */
  readonly openedAt: string;
}

export interface FeederSummary {
  readonly id: number;
  readonly name: string;
  readonly buses: number;
  readonly branches: number;
  readonly loads: number;
  readonly pv: number;
  readonly batteries: number;
  readonly capacitors: number;
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

export interface PvPlacement {
  readonly name: string;
  readonly bus: string;
  readonly pRatedKw: number;
  readonly sRatedKva: number;
}

export interface BatteryPlacement {
  readonly name: string;
  readonly bus: string;
  readonly pRatedKw: number;
  readonly energyKwh: number;
  readonly sRatedKva: number;
  readonly etaCharge: number;
  readonly etaDischarge: number;
  readonly socMin: number;
  readonly socMax: number;
  readonly socInitial: number;
}

export interface Placements {
  readonly pv: readonly PvPlacement[];
  readonly batteries: readonly BatteryPlacement[];
}

/** A partition is a set of cut branches, each named by its parent-side and child-side bus. */
export interface CutBranch {
  readonly from: string;
  readonly to: string;
}

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

export interface AreaInfo {
  /** 1-based area number; area 1 holds the substation. */
  readonly id: number;
  /** The area's root: the substation bus, or the boundary bus its parent area keeps. */
  readonly rootBus: string;
  readonly parentArea: number | null;
  readonly buses: readonly string[];
  /** Problem size estimate used for balancing (variables × periods). */
  readonly sizeEstimate: number;
}

export interface PartitionCheck {
  readonly ok: boolean;
  readonly areas: readonly AreaInfo[];
  /** Specific reasons when not ok, e.g. 'cut 15–117 and 117–16 leave area {117} empty'. */
  readonly errors: readonly string[];
}

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
  readonly counts: { buses: number; branches: number; loads: number; pv: number; batteries: number; capacitors: number };
  readonly errors: readonly ImportIssueDto[];
  readonly warnings: readonly ImportIssueDto[];
  readonly ignored: readonly { file: string; line: number; element: string }[];
  /** Three-phase → balanced reduction report lines (what was approximated and by how much). */
  readonly reduction: readonly string[];
  /** The feeder for the preview graph (null when it could not be built). */
  readonly feeder: import('../src-solver/model/feeder').Feeder | null;
}

// ---------------------------------------------------------------------------------------------
// Runs, dashboards, comparisons, reports (desktop app II).
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

/** The source papers' totals over the horizon. */
export interface RunTotals {
  readonly lineLossKwh: number;
  readonly substationKwh: number;
  readonly substationKvarh: number;
  readonly pvKwh: number;
  readonly pvKvarh: number;
  /** Discharge minus charge. */
  readonly batteryKwh: number;
  readonly batteryKvarh: number;
  readonly costUsd: number;
  readonly demandKwh: number;
}

/** OPF vs independent AC power flow, per period and the largest discrepancies. */
export interface RunValidation {
  readonly maxVoltageDiffPu: number;
  readonly maxLossDiffPu: number;
  readonly maxSubstationDiffPu: number;
  readonly periods: readonly {
    readonly opfLossKw: number;
    readonly pfLossKw: number;
    readonly opfSubstationKw: number;
    readonly pfSubstationKw: number;
    readonly opfSubstationKvar: number;
    readonly pfSubstationKvar: number;
  }[];
}

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
  'projects.saveAs': { arg: { path: string }; result: ProjectSummary };
  'projects.close': { arg: null; result: null };
  /** Rename the open project or set its report settings (author, organisation). */
  'projects.update': { arg: { name?: string; author?: string; organisation?: string }; result: ProjectSummary };

  'import.preview': { arg: { files: readonly ImportFile[]; format?: 'auto' | 'dss' | 'csv-pair' | 'tessera-csv' }; result: ImportPreview };
  'import.commit': { arg: { token: string; name?: string }; result: ProjectSummary };

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
}

/** Pushed events: name → payload. */
export interface Events {
  'backend.log': { readonly level: 'info' | 'warn' | 'error'; readonly message: string };
  'project.changed': { readonly path: string };
  'run.progress': RunProgress;
  'run.finished': RunSummary;
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
