/**
 * A project: one SQLite file (`.tessera`) a planner can copy, back up and send. It holds feeders,
 * scenarios (study settings, PV/BESS placements, area partitions), runs and their per-period
 * results (Float64Array blobs, see blobs.ts).
 *
 * Guarantees
 * - Schema: numbered migrations (migrations.ts) recorded in `schema_migrations`; a file that
 *   names a migration this build does not know is refused (`unsupportedProject`) and left
 *   untouched — not even its journal mode is changed.
 * - Durability: WAL journal, `synchronous = FULL`, foreign keys on. Every method that writes more
 *   than one row does it in one transaction, so a crash or kill at any moment leaves either the
 *   whole change or none of it (proved by store.crash.test.ts).
 * - better-sqlite3 is synchronous: each call here is one short transaction on the main thread.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, extname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  FeederSummary,
  Partition,
  Placements,
  ProjectSummary,
  Scenario,
  ScenarioSummary,
  StudySettings,
} from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { ApiFailure } from '../errors';
import { blobToFloat64, float64ToBlob } from './blobs';
import { DEFAULT_STUDY, NO_PARTITION } from './defaults';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, TESSERA_APPLICATION_ID, type Migration } from './migrations';

export const PROJECT_EXTENSION = '.tessera';

type Db = Database.Database;

export interface ProjectOptions {
  /** Clock for timestamps (tests inject one). */
  readonly now?: () => Date;
}

// ---------------------------------------------------------------------------------------------
// Runs (the store API the runs/dashboards issue builds on)
// ---------------------------------------------------------------------------------------------

export type RunKind = 'centralized' | 'distributed';

/** A run as the job runner writes it; ids and timestamps are filled by the store. */
export interface NewRun {
  readonly scenarioId: number;
  readonly kind: RunKind;
  /** e.g. 'running' | 'solved' | 'failed' | 'cancelled' — the job runner's vocabulary. */
  readonly status: string;
  readonly settings: unknown;
  readonly stats?: unknown;
  readonly log?: string;
  readonly error?: unknown;
  readonly startedAt?: string;
  readonly finishedAt?: string | null;
}

export interface RunRecord {
  readonly id: number;
  readonly scenarioId: number;
  readonly kind: RunKind;
  readonly status: string;
  readonly settings: unknown;
  readonly stats: unknown;
  readonly log: string;
  readonly error: unknown;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Names of the stored series. */
  readonly seriesNames: readonly string[];
}

/** A per-period result: row-major values of the given shape (e.g. [buses, periods]). */
export interface Series {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** A bare Float64Array is a 1-D series of its own length. */
export type SeriesInput = Float64Array | Series;

export interface LoadedRun {
  readonly run: RunRecord;
  readonly series: Record<string, Series>;
}

export interface RunUpdate {
  readonly status?: string;
  readonly stats?: unknown;
  readonly log?: string;
  readonly error?: unknown;
  readonly finishedAt?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Schema: ledger, refusal, migrations
// ---------------------------------------------------------------------------------------------

export interface LedgerRow {
  readonly version: number;
  readonly name: string;
  readonly applied_at: string;
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Read the ledger and check every row against the migrations this build knows. Throws
 * `notAProject` for a SQLite file that is not a Tessera project and `unsupportedProject` for one
 * written by a newer (or different) Tessera. Returns the current version (0 = empty file).
 */
export function checkSchema(db: Db, path: string): number {
  let tableCount: number;
  try {
    tableCount = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  } catch (err) {
    throw new ApiFailure('notAProject', `${path} is not a Tessera project (${(err as Error).message})`);
  }
  if (!hasTable(db, 'schema_migrations')) {
    if (tableCount === 0) return 0;
    throw new ApiFailure(
      'notAProject',
      `${path} is an SQLite database but not a Tessera project (it has no schema_migrations table)`,
    );
  }
  const rows = db
    .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all() as LedgerRow[];
  const known = new Map(MIGRATIONS.map((m) => [m.version, m]));
  const unknown = rows.filter((r) => known.get(r.version)?.name !== r.name);
  if (unknown.length > 0) {
    const names = unknown.map((r) => `${String(r.version).padStart(4, '0')} "${r.name}"`).join(', ');
    throw new ApiFailure(
      'unsupportedProject',
      `${path} was written by a newer or different version of Tessera: it has schema migration ${names}, ` +
        `which this version does not know (it knows up to ${MIGRATIONS[MIGRATIONS.length - 1]!.name}). ` +
        'Open it with a newer Tessera. The file was not changed.',
      { unknown: unknown.map((r) => ({ version: r.version, name: r.name })), latestKnown: LATEST_SCHEMA_VERSION },
    );
  }
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.version !== i + 1) {
      throw new ApiFailure(
        'unsupportedProject',
        `${path}: schema ledger has a gap before migration ${rows[i]!.name}; the file was not changed.`,
      );
    }
  }
  return rows.length;
}

/** Apply the migrations after `from` up to `upTo`, each in its own transaction with its ledger row. */
export function applyMigrations(
  db: Db,
  from: number,
  upTo: number = LATEST_SCHEMA_VERSION,
  now: () => Date = () => new Date(),
): void {
  const pending: Migration[] = MIGRATIONS.filter((m) => m.version > from && m.version <= upTo);
  for (const m of pending) {
    db.transaction(() => {
      if (m.version === 1) {
        db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`);
        db.pragma(`application_id = ${TESSERA_APPLICATION_ID}`);
      }
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now().toISOString(),
      );
    })();
  }
}

function configure(db: Db): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

// ---------------------------------------------------------------------------------------------
// Row ↔ DTO
// ---------------------------------------------------------------------------------------------

interface FeederRow {
  id: number;
  name: string;
  source: string;
  bus_count: number;
  branch_count: number;
  load_count: number;
  pv_count: number;
  battery_count: number;
  capacitor_count: number;
  created_at: string;
}

interface ScenarioRow {
  id: number;
  feeder_id: number;
  name: string;
  study_json: string;
  placements_json: string;
  partition_json: string;
  updated_at: string;
}

interface RunRow {
  id: number;
  scenario_id: number;
  kind: RunKind;
  status: string;
  settings_json: string;
  stats_json: string;
  log_text: string;
  error_json: string | null;
  started_at: string;
  finished_at: string | null;
  series_names: string | null;
}

function feederSummary(r: FeederRow): FeederSummary {
  return {
    id: r.id,
    name: r.name,
    buses: r.bus_count,
    branches: r.branch_count,
    loads: r.load_count,
    pv: r.pv_count,
    batteries: r.battery_count,
    capacitors: r.capacitor_count,
    source: r.source,
    importedAt: r.created_at,
  };
}

function scenarioFromRow(r: ScenarioRow): Scenario {
  // Settings added by later versions get their defaults when an older scenario is read.
  const study = { ...DEFAULT_STUDY, ...(JSON.parse(r.study_json) as Partial<StudySettings>) };
  return {
    id: r.id,
    feederId: r.feeder_id,
    name: r.name,
    study,
    placements: JSON.parse(r.placements_json) as Placements,
    partition: { ...NO_PARTITION, ...(JSON.parse(r.partition_json) as Partial<Partition>) },
    updatedAt: r.updated_at,
  };
}

function runFromRow(r: RunRow): RunRecord {
  return {
    id: r.id,
    scenarioId: r.scenario_id,
    kind: r.kind,
    status: r.status,
    settings: JSON.parse(r.settings_json),
    stats: JSON.parse(r.stats_json),
    log: r.log_text,
    error: r.error_json === null ? null : JSON.parse(r.error_json),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    seriesNames: r.series_names ? (JSON.parse(r.series_names) as string[]).sort() : [],
  };
}

function toSeries(name: string, input: SeriesInput): Series {
  const s: Series = input instanceof Float64Array ? { shape: [input.length], data: input } : input;
  const count = s.shape.reduce((a, b) => a * b, 1);
  if (!s.shape.every((d) => Number.isInteger(d) && d >= 0) || count !== s.data.length) {
    throw new ApiFailure(
      'invalidArgument',
      `series "${name}": shape [${s.shape.join(', ')}] does not hold ${s.data.length} values`,
    );
  }
  return s;
}

/** The placements a feeder brings with it: its own PV and batteries. */
export function feederPlacements(feeder: Feeder): Placements {
  return {
    pv: feeder.pv.map((p) => ({ name: p.name, bus: p.bus, pRatedKw: p.pRatedKw, sRatedKva: p.sRatedKva })),
    batteries: feeder.batteries.map((b) => ({ ...b })),
  };
}

// ---------------------------------------------------------------------------------------------
// Project
// ---------------------------------------------------------------------------------------------

export class Project {
  private closed = false;

  private constructor(
    private db: Db,
    private filePath: string,
    private readonly now: () => Date,
  ) {}

  get path(): string {
    return this.filePath;
  }

  /** Create a new project file; refuses to overwrite an existing file. */
  static create(path: string, name: string, options: ProjectOptions = {}): Project {
    if (existsSync(path)) throw new ApiFailure('alreadyExists', `A file already exists at ${path}`);
    const now = options.now ?? (() => new Date());
    const db = new Database(path);
    try {
      configure(db);
      applyMigrations(db, 0, LATEST_SCHEMA_VERSION, now);
      db.prepare("INSERT INTO project_meta (key, value) VALUES ('name', ?)").run(name);
    } catch (err) {
      db.close();
      rmSync(path, { force: true });
      throw err;
    }
    return new Project(db, path, now);
  }

  /** Open an existing project, upgrading older schemas; refuses unknown migrations untouched. */
  static open(path: string, options: ProjectOptions = {}): Project {
    if (!existsSync(path)) throw new ApiFailure('notFound', `No project file at ${path}`);
    const now = options.now ?? (() => new Date());
    let db: Db;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch (err) {
      throw new ApiFailure('notAProject', `${path} could not be opened (${(err as Error).message})`);
    }
    try {
      db.pragma('busy_timeout = 5000');
      const version = checkSchema(db, path);
      if (version === 0) throw new ApiFailure('notAProject', `${path} is an empty database, not a Tessera project`);
      configure(db);
      applyMigrations(db, version, LATEST_SCHEMA_VERSION, now);
      const integrity = db.pragma('quick_check', { simple: true });
      if (integrity !== 'ok') throw new ApiFailure('corruptProject', `${path} is damaged: ${String(integrity)}`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new Project(db, path, now);
  }

  /** The underlying connection, for tests and tools (read-only use, please). */
  get database(): Db {
    this.assertOpen();
    return this.db;
  }

  private assertOpen(): void {
    if (this.closed) throw new ApiFailure('noProject', 'The project is closed');
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  get name(): string {
    this.assertOpen();
    const row = this.db.prepare("SELECT value FROM project_meta WHERE key = 'name'").get() as
      { value: string } | undefined;
    return row?.value ?? basename(this.filePath, extname(this.filePath));
  }

  /** A project setting (project_meta), or '' when never set. */
  meta(key: 'author' | 'organisation'): string {
    this.assertOpen();
    const row = this.db.prepare('SELECT value FROM project_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? '';
  }

  /** Set the name and report settings; undefined leaves a setting as it is. */
  setMeta(values: { name?: string; author?: string; organisation?: string }): void {
    this.assertOpen();
    const put = this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) if (v !== undefined) put.run(k, v);
    })();
  }

  schemaVersion(): number {
    this.assertOpen();
    return (this.db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  summary(): ProjectSummary {
    this.assertOpen();
    return {
      path: this.filePath,
      name: this.name,
      schemaVersion: this.schemaVersion(),
      author: this.meta('author'),
      organisation: this.meta('organisation'),
      feeders: this.listFeeders(),
      scenarios: this.listScenarios(),
    };
  }

  // --- feeders --------------------------------------------------------------------------------

  listFeeders(): FeederSummary[] {
    this.assertOpen();
    const rows = this.db
      .prepare(
        'SELECT id, name, source, bus_count, branch_count, load_count, pv_count, battery_count, capacitor_count, created_at FROM feeders ORDER BY id',
      )
      .all() as FeederRow[];
    return rows.map(feederSummary);
  }

  /** Insert a feeder only (no scenario). Prefer `addFeeder`, which also makes the base case. */
  private insertFeeder(feeder: Feeder, source: string, importReport: unknown): number {
    const info = this.db
      .prepare(
        `INSERT INTO feeders (name, source, feeder_json, import_report_json, bus_count, branch_count, load_count,
           pv_count, battery_count, capacitor_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        feeder.name,
        source,
        JSON.stringify(feeder),
        JSON.stringify(importReport ?? {}),
        feeder.buses.length,
        feeder.branches.length,
        feeder.loads.length,
        feeder.pv.length,
        feeder.batteries.length,
        feeder.capacitors.length,
        this.stamp(),
      );
    return Number(info.lastInsertRowid);
  }

  /**
   * Save a feeder and its "Base case" scenario (the feeder's own PV and batteries, the given or
   * default study, the given or no partition) in one transaction.
   */
  addFeeder(
    feeder: Feeder,
    options: {
      source: string;
      importReport?: unknown;
      scenarioName?: string;
      study?: StudySettings;
      partition?: Partition;
    },
  ): { feederId: number; scenarioId: number } {
    this.assertOpen();
    return this.db.transaction(() => {
      const feederId = this.insertFeeder(feeder, options.source, options.importReport);
      const scenarioId = this.insertScenario(feederId, options.scenarioName ?? 'Base case', {
        study: options.study ?? DEFAULT_STUDY,
        placements: feederPlacements(feeder),
        partition: options.partition ?? NO_PARTITION,
      });
      return { feederId, scenarioId };
    })();
  }

  getFeeder(id: number): Feeder {
    this.assertOpen();
    const row = this.db.prepare('SELECT feeder_json FROM feeders WHERE id = ?').get(id) as
      { feeder_json: string } | undefined;
    if (!row) throw new ApiFailure('notFound', `No feeder with id ${id} in this project`);
    return JSON.parse(row.feeder_json) as Feeder;
  }

  getImportReport(id: number): unknown {
    this.assertOpen();
    const row = this.db.prepare('SELECT import_report_json FROM feeders WHERE id = ?').get(id) as
      { import_report_json: string } | undefined;
    if (!row) throw new ApiFailure('notFound', `No feeder with id ${id} in this project`);
    return JSON.parse(row.import_report_json);
  }

  hasFeeder(id: number): boolean {
    this.assertOpen();
    return this.db.prepare('SELECT 1 FROM feeders WHERE id = ?').get(id) !== undefined;
  }

  /** Delete a feeder with its scenarios, runs and results (foreign keys cascade, one statement). */
  deleteFeeder(id: number): void {
    this.assertOpen();
    const info = this.db.prepare('DELETE FROM feeders WHERE id = ?').run(id);
    if (info.changes === 0) throw new ApiFailure('notFound', `No feeder with id ${id} in this project`);
  }

  // --- scenarios ------------------------------------------------------------------------------

  listScenarios(feederId?: number): ScenarioSummary[] {
    this.assertOpen();
    const rows = this.db
      .prepare(
        `SELECT id, feeder_id, name, updated_at,
                json_array_length(placements_json, '$.pv') AS pv_count,
                json_array_length(placements_json, '$.batteries') AS battery_count,
                coalesce(json_array_length(partition_json, '$.cuts'), 0) + 1 AS area_count
           FROM scenarios ${feederId === undefined ? '' : 'WHERE feeder_id = ?'} ORDER BY id`,
      )
      .all(...(feederId === undefined ? [] : [feederId])) as {
      id: number;
      feeder_id: number;
      name: string;
      updated_at: string;
      pv_count: number;
      battery_count: number;
      area_count: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      feederId: r.feeder_id,
      name: r.name,
      updatedAt: r.updated_at,
      pvCount: r.pv_count,
      batteryCount: r.battery_count,
      areaCount: r.area_count,
    }));
  }

  private insertScenario(
    feederId: number,
    name: string,
    content: { study: StudySettings; placements: Placements; partition: Partition },
  ): number {
    const info = this.db
      .prepare(
        'INSERT INTO scenarios (feeder_id, name, study_json, placements_json, partition_json, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        feederId,
        name,
        JSON.stringify(content.study),
        JSON.stringify(content.placements),
        JSON.stringify(content.partition),
        this.stamp(),
      );
    return Number(info.lastInsertRowid);
  }

  createScenario(
    feederId: number,
    name: string,
    content: Partial<Pick<Scenario, 'study' | 'placements' | 'partition'>> = {},
  ): Scenario {
    this.assertOpen();
    return this.db.transaction(() => {
      const feeder = this.getFeeder(feederId);
      const id = this.insertScenario(feederId, name, {
        study: content.study ?? DEFAULT_STUDY,
        placements: content.placements ?? feederPlacements(feeder),
        partition: content.partition ?? NO_PARTITION,
      });
      return this.getScenario(id);
    })();
  }

  getScenario(id: number): Scenario {
    this.assertOpen();
    const row = this.db.prepare('SELECT * FROM scenarios WHERE id = ?').get(id) as ScenarioRow | undefined;
    if (!row) throw new ApiFailure('notFound', `No scenario with id ${id} in this project`);
    return scenarioFromRow(row);
  }

  hasScenario(id: number): boolean {
    this.assertOpen();
    return this.db.prepare('SELECT 1 FROM scenarios WHERE id = ?').get(id) !== undefined;
  }

  /**
   * Persist an edit at once (one transaction: read, merge, write). A `study` patch may be partial;
   * it is merged over the scenario's current settings.
   */
  updateScenario(
    id: number,
    patch: { name?: string; study?: Partial<StudySettings>; placements?: Placements; partition?: Partition },
    check?: (next: Scenario) => void,
  ): Scenario {
    this.assertOpen();
    return this.db.transaction(() => {
      const current = this.getScenario(id);
      const next: Scenario = {
        ...current,
        name: patch.name ?? current.name,
        study: patch.study ? { ...current.study, ...patch.study } : current.study,
        placements: patch.placements ?? current.placements,
        partition: patch.partition ?? current.partition,
        updatedAt: this.stamp(),
      };
      check?.(next);
      this.db
        .prepare(
          'UPDATE scenarios SET name = ?, study_json = ?, placements_json = ?, partition_json = ?, updated_at = ? WHERE id = ?',
        )
        .run(
          next.name,
          JSON.stringify(next.study),
          JSON.stringify(next.placements),
          JSON.stringify(next.partition),
          next.updatedAt,
          id,
        );
      return next;
    })();
  }

  /** Clone a scenario in SQL (no JSON round trip): settings, placements and partition, not runs. */
  duplicateScenario(id: number, name?: string): Scenario {
    this.assertOpen();
    return this.db.transaction(() => {
      const source = this.getScenario(id);
      const taken = new Set(
        (
          this.db.prepare('SELECT name FROM scenarios WHERE feeder_id = ?').all(source.feederId) as { name: string }[]
        ).map((r) => r.name),
      );
      let newName = name ?? `${source.name} (copy)`;
      for (let i = 2; name === undefined && taken.has(newName); i++) newName = `${source.name} (copy ${i})`;
      const info = this.db
        .prepare(
          `INSERT INTO scenarios (feeder_id, name, study_json, placements_json, partition_json, updated_at)
           SELECT feeder_id, ?, study_json, placements_json, partition_json, ? FROM scenarios WHERE id = ?`,
        )
        .run(newName, this.stamp(), id);
      return this.getScenario(Number(info.lastInsertRowid));
    })();
  }

  deleteScenario(id: number): void {
    this.assertOpen();
    const info = this.db.prepare('DELETE FROM scenarios WHERE id = ?').run(id);
    if (info.changes === 0) throw new ApiFailure('notFound', `No scenario with id ${id} in this project`);
  }

  // --- runs -----------------------------------------------------------------------------------

  private writeSeries(runId: number, series: Record<string, SeriesInput>): void {
    const insert = this.db.prepare(
      'INSERT INTO run_series (run_id, name, shape_json, data) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET shape_json = excluded.shape_json, data = excluded.data',
    );
    for (const [name, input] of Object.entries(series)) {
      const s = toSeries(name, input);
      insert.run(runId, name, JSON.stringify(s.shape), float64ToBlob(s.data));
    }
  }

  /** Save a run and its series in one transaction; returns the run id. */
  saveRun(run: NewRun, series: Record<string, SeriesInput> = {}): number {
    this.assertOpen();
    return this.db.transaction(() => {
      if (!this.hasScenario(run.scenarioId))
        throw new ApiFailure('notFound', `No scenario with id ${run.scenarioId} in this project`);
      const info = this.db
        .prepare(
          `INSERT INTO runs (scenario_id, kind, status, settings_json, stats_json, log_text, error_json, started_at, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.scenarioId,
          run.kind,
          run.status,
          JSON.stringify(run.settings ?? null),
          JSON.stringify(run.stats ?? {}),
          run.log ?? '',
          run.error === undefined || run.error === null ? null : JSON.stringify(run.error),
          run.startedAt ?? this.stamp(),
          run.finishedAt ?? null,
        );
      const id = Number(info.lastInsertRowid);
      this.writeSeries(id, series);
      return id;
    })();
  }

  /** Update a run's status/stats/log/error and add (or replace) series, in one transaction. */
  updateRun(id: number, update: RunUpdate, series: Record<string, SeriesInput> = {}): void {
    this.assertOpen();
    this.db.transaction(() => {
      const columns: [string, unknown][] = [];
      if (update.status !== undefined) columns.push(['status', update.status]);
      if (update.stats !== undefined) columns.push(['stats_json', JSON.stringify(update.stats)]);
      if (update.log !== undefined) columns.push(['log_text', update.log]);
      if (update.error !== undefined)
        columns.push(['error_json', update.error === null ? null : JSON.stringify(update.error)]);
      if (update.finishedAt !== undefined) columns.push(['finished_at', update.finishedAt]);
      const sets = columns.map(([c]) => `${c} = ?`);
      const values = columns.map(([, v]) => v);
      const exists = this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
      if (!exists) throw new ApiFailure('notFound', `No run with id ${id} in this project`);
      if (sets.length > 0) this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      this.writeSeries(id, series);
    })();
  }

  private static readonly runSelect = `SELECT r.*, (SELECT json_group_array(name) FROM run_series s WHERE s.run_id = r.id) AS series_names FROM runs r`;

  listRuns(scenarioId: number): RunRecord[] {
    this.assertOpen();
    const rows = this.db
      .prepare(`${Project.runSelect} WHERE r.scenario_id = ? ORDER BY r.id`)
      .all(scenarioId) as RunRow[];
    return rows.map(runFromRow);
  }

  /** Load a run with all its series, or only the named ones. */
  loadRun(id: number, only?: readonly string[]): LoadedRun {
    this.assertOpen();
    return this.db.transaction(() => {
      const row = this.db.prepare(`${Project.runSelect} WHERE r.id = ?`).get(id) as RunRow | undefined;
      if (!row) throw new ApiFailure('notFound', `No run with id ${id} in this project`);
      const rows = this.db
        .prepare('SELECT name, shape_json, data FROM run_series WHERE run_id = ? ORDER BY name')
        .all(id) as {
        name: string;
        shape_json: string;
        data: Buffer;
      }[];
      const series: Record<string, Series> = {};
      for (const r of rows) {
        if (only && !only.includes(r.name)) continue;
        series[r.name] = { shape: JSON.parse(r.shape_json) as number[], data: blobToFloat64(r.data) };
      }
      return { run: runFromRow(row), series };
    })();
  }

  deleteRun(id: number): void {
    this.assertOpen();
    const info = this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    if (info.changes === 0) throw new ApiFailure('notFound', `No run with id ${id} in this project`);
  }

  /**
   * The planner's names of runs, by run id. Kept in project_meta (no schema change) under
   * `run-name:<id>@<started_at>`: run ids are reused after deletions (a scenario's runs go with
   * it), and the start time keeps a new run from inheriting an old run's name.
   */
  runNames(): Map<number, string> {
    this.assertOpen();
    const rows = this.db
      .prepare("SELECT r.id AS id, m.value AS value FROM runs r JOIN project_meta m ON m.key = 'run-name:' || r.id || '@' || r.started_at")
      .all() as { id: number; value: string }[];
    return new Map(rows.map((r) => [r.id, r.value]));
  }

  /** Name a run ('' removes the name); names of runs that no longer exist are dropped. */
  setRunName(id: number, name: string): void {
    this.assertOpen();
    const run = this.db.prepare('SELECT started_at FROM runs WHERE id = ?').get(id) as { started_at: string } | undefined;
    if (!run) throw new ApiFailure('notFound', `No run with id ${id} in this project`);
    const key = `run-name:${id}@${run.started_at}`;
    this.db.transaction(() => {
      this.db
        .prepare("DELETE FROM project_meta WHERE key LIKE 'run-name:%' AND key NOT IN (SELECT 'run-name:' || id || '@' || started_at FROM runs)")
        .run();
      if (name === '') this.db.prepare('DELETE FROM project_meta WHERE key = ?').run(key);
      else this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, name);
    })();
  }

  // --- file -----------------------------------------------------------------------------------

  /**
   * Write a consistent copy to `path` (VACUUM INTO a temporary file beside it, then an atomic
   * rename), and continue working in the copy. The original file is left as it was.
   */
  saveAs(path: string, name?: string): void {
    this.assertOpen();
    if (path === this.filePath)
      throw new ApiFailure('invalidArgument', 'Save as needs a different file than the open project');
    const temp = `${path}.tmp-${process.pid}`;
    rmSync(temp, { force: true });
    try {
      this.db.prepare('VACUUM INTO ?').run(temp);
      renameSync(temp, path);
    } catch (err) {
      rmSync(temp, { force: true });
      throw new ApiFailure('writeFailed', `Could not save the project to ${path}: ${(err as Error).message}`);
    }
    const next = Project.open(path, { now: this.now });
    next.db
      .prepare(
        "INSERT INTO project_meta (key, value) VALUES ('name', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(name ?? basename(path, extname(path)));
    this.db.close();
    this.db = next.db;
    this.filePath = path;
  }

  /** Close the connection (checkpoints the WAL into the file, so the file alone is complete). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
