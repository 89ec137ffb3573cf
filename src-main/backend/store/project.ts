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
 *   whole change or none of it (proved by crash.test.ts).
 * - Write transactions begin IMMEDIATE (they take the write lock before reading), so a second
 *   connection waits out `busy_timeout` instead of failing at once with "database is locked".
 * - One editor: opening takes the project lock (lock.ts); a project open elsewhere opens
 *   read-only (`readOnly` says why) and every edit is refused with that reason.
 * - Save As never replaces the open project's own file (real paths and inodes are compared), never
 *   a file another connection holds, and never without `overwrite`; it writes VACUUM INTO a
 *   temporary file, removes the replaced file's stale -wal/-shm, then renames atomically.
 * - Open says what is wrong: `readOnlyFile`, `corruptProject` (with SQLite's integrity-check
 *   message), `notAProject`, `unsupportedProject` (a newer Tessera).
 * - better-sqlite3 is synchronous: each call here is one short transaction on the main thread.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from './sqlite';
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
import { feederCounts, type FeederCounts } from '../../../src-solver/model/counts';
import { ApiFailure } from '../errors';
import { blobToFloat64, float64ToBlob } from './blobs';
import { DEFAULT_STUDY, NO_PARTITION } from './defaults';
import { acquireProjectLock, describeOwner } from './lock';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, TESSERA_APPLICATION_ID, type Migration } from './migrations';

export const PROJECT_EXTENSION = '.tessera';

type Db = Database.Database;

export interface ProjectOptions {
  /** Clock for timestamps (tests inject one). */
  readonly now?: () => Date;
  /**
   * SQLite's quick_check has just passed on this file (`quickCheckProjectFile`, run by a worker
   * thread: on a large project it reads every page), so opening skips it.
   */
  readonly checked?: boolean;
}

export interface SaveAsOptions {
  /** Replace an existing file (the UI asks the planner first); without it an existing file is refused. */
  readonly overwrite?: boolean;
  /** The copy's project name; default: the file name. */
  readonly name?: string;
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** What the file's first bytes say: an SQLite database (and whether Tessera wrote it), or not. */
function sniff(path: string): { sqlite: boolean; tessera: boolean; size: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(100);
    const n = readSync(fd, head, 0, 100, 0);
    const sqlite = n >= 16 && head.toString('latin1', 0, 16) === SQLITE_HEADER;
    return {
      sqlite,
      tessera: sqlite && n >= 72 && head.readUInt32BE(68) === TESSERA_APPLICATION_ID,
      size: statSync(path).size,
    };
  } finally {
    closeSync(fd);
  }
}

function sqliteCode(err: unknown): string {
  return String((err as { code?: unknown }).code ?? '');
}

/** Whether two paths name the same file: same real path, or (hard links, case-insensitive disks) the same inode. */
function sameFile(a: string, b: string): boolean {
  try {
    const ra = realpathSync(a);
    const rb = existsSync(b) ? realpathSync(b) : join(realpathSync(dirname(resolve(b))), basename(b));
    if (ra === rb) return true;
    if (!existsSync(b)) return false;
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return resolve(a) === resolve(b);
  }
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
    // A damaged SQLite file is not "not a project": the caller names the damage (explainOpenFailure).
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode(err))) throw err;
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
    }).immediate();
  }
}

/** SQLite's own account of a damaged file (integrity_check on a separate read-only connection). */
function integrityMessage(path: string, fallback: string): string {
  let db: Db | null = null;
  try {
    db = openDatabase(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check(5)', { simple: false }) as { integrity_check: string }[];
    const text = rows.map((r) => r.integrity_check).join('; ');
    return text && text !== 'ok' ? text : fallback;
  } catch (err) {
    return (err as Error).message || fallback;
  } finally {
    db?.close();
  }
}

/** Turn an SQLite failure while opening into what is wrong with the file. */
function explainOpenFailure(err: unknown, path: string, tesseraHeader: boolean): unknown {
  if (err instanceof ApiFailure) return err;
  const code = sqliteCode(err);
  const message = (err as Error).message ?? String(err);
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new ApiFailure(
      'corruptProject',
      `${path} is damaged${tesseraHeader ? ' (it is a Tessera project)' : ''}: SQLite's integrity check says "${integrityMessage(path, message)}". ` +
        'Restore it from a backup; the file was not changed.',
      { sqlite: code },
    );
  }
  if (/^SQLITE_(READONLY|CANTOPEN|PERM)/.test(code))
    return new ApiFailure(
      'readOnlyFile',
      `${path} cannot be written (${message}): copy it to a folder you can write to`,
    );
  if (/^SQLITE_BUSY/.test(code))
    return new ApiFailure(
      'projectLocked',
      `${path} is busy in another program (${message}); try again when it is closed`,
    );
  return err;
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

/** An OpenDSS feeder's script files (path → text), its master script and which model the project uses. */
export interface StoredFeederScripts {
  readonly model: 'three-phase' | 'balanced-equivalent';
  readonly entry: string;
  readonly files: Readonly<Record<string, string>>;
  readonly report?: unknown;
}

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
  model: 'three-phase' | 'balanced-equivalent' | null;
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
    model: r.model ?? 'balanced',
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
    pv: feeder.pv.map((p) => ({
      name: p.name,
      bus: p.bus,
      pRatedKw: p.pRatedKw,
      sRatedKva: p.sRatedKva,
      ...(p.notes ? { notes: p.notes } : {}),
    })),
    batteries: feeder.batteries.map((b) => ({ ...b })),
  };
}

/** A stored siting study: settings and (when finished) the report, as JSON values. */
export interface SitingStudyRecord {
  readonly id: number;
  readonly scenarioId: number;
  readonly status: string;
  readonly settings: unknown;
  readonly report: unknown;
  readonly error: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

interface SitingRow {
  id: number;
  scenario_id: number;
  status: string;
  settings_json: string;
  report_json: string | null;
  error_text: string | null;
  started_at: string;
  finished_at: string | null;
}

function sitingFromRow(r: SitingRow): SitingStudyRecord {
  return {
    id: r.id,
    scenarioId: r.scenario_id,
    status: r.status,
    settings: JSON.parse(r.settings_json) as unknown,
    report: r.report_json === null ? null : (JSON.parse(r.report_json) as unknown),
    error: r.error_text,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

// ---------------------------------------------------------------------------------------------
// Feeder rows (shared by Project and the import worker's own connection)
// ---------------------------------------------------------------------------------------------

export interface AddFeederOptions {
  readonly source: string;
  readonly importReport?: unknown;
  readonly scenarioName?: string;
  readonly study?: StudySettings;
  readonly partition?: Partition;
  /** An OpenDSS feeder kept with its scripts (three-phase, or its explicit balanced equivalent). */
  readonly scripts?: StoredFeederScripts;
}

/** The feeders table's count columns, in their order. */
function countColumns(c: FeederCounts): number[] {
  return [c.buses, c.branches, c.loads, c.pv, c.batteries, c.capacitors];
}

function insertFeederRow(db: Db, feeder: Feeder, source: string, importReport: unknown, stamp: string): number {
  const info = db
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
      ...countColumns(feederCounts(feeder)),
      stamp,
    );
  return Number(info.lastInsertRowid);
}

function insertScenarioRow(
  db: Db,
  feederId: number,
  name: string,
  content: { study: StudySettings; placements: Placements; partition: Partition },
  stamp: string,
): number {
  const info = db
    .prepare(
      'INSERT INTO scenarios (feeder_id, name, study_json, placements_json, partition_json, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(
      feederId,
      name,
      JSON.stringify(content.study),
      JSON.stringify(content.placements),
      JSON.stringify(content.partition),
      stamp,
    );
  return Number(info.lastInsertRowid);
}

/** A feeder and its "Base case" scenario in one IMMEDIATE transaction on `db`. */
function insertFeederWithBaseCase(
  db: Db,
  feeder: Feeder,
  options: AddFeederOptions,
  stamp: string,
): { feederId: number; scenarioId: number } {
  return db
    .transaction(() => {
      const feederId = insertFeederRow(db, feeder, options.source, options.importReport, stamp);
      const sc = options.scripts;
      if (sc)
        db.prepare(
          'INSERT INTO feeder_scripts (feeder_id, model, entry, files_json, report_json) VALUES (?, ?, ?, ?, ?)',
        ).run(feederId, sc.model, sc.entry, JSON.stringify(sc.files), JSON.stringify(sc.report ?? {}));
      const scenarioId = insertScenarioRow(
        db,
        feederId,
        options.scenarioName ?? 'Base case',
        {
          study: options.study ?? DEFAULT_STUDY,
          placements: feederPlacements(feeder),
          partition: options.partition ?? NO_PARTITION,
        },
        stamp,
      );
      return { feederId, scenarioId };
    })
    .immediate();
}

/**
 * `Project.addFeeder` through a connection of its own to the project file at `path`: how the
 * import worker thread saves a large feeder without blocking the backend's thread. The caller
 * must have the project open for editing in this process (it holds the project lock; see
 * `Project.assertWritable`); this connection takes no lock of its own. Its write waits out
 * `busy_timeout` for the backend's connection like any second connection (WAL: readers go on).
 */
export function addFeederToProjectFile(
  path: string,
  feeder: Feeder,
  options: AddFeederOptions,
  now: () => Date = () => new Date(),
): { feederId: number; scenarioId: number } {
  const db = openDatabase(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const version = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v;
    if (version !== LATEST_SCHEMA_VERSION)
      throw new ApiFailure(
        'unsupportedProject',
        `${path} has schema version ${String(version)}, this Tessera writes ${LATEST_SCHEMA_VERSION}`,
      );
    return insertFeederWithBaseCase(db, feeder, options, now().toISOString());
  } finally {
    db.close();
  }
}

/**
 * SQLite's quick_check of the project file at `path` through a read-only connection of its own:
 * 'ok', or what it found. Throws when the file cannot be opened as a database (`Project.open`
 * then says what is wrong).
 */
export function quickCheckProjectFile(path: string): string {
  const db = openDatabase(path, { fileMustExist: true, readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    return String(db.pragma('quick_check', { simple: true }));
  } finally {
    db.close();
  }
}

/**
 * A stored feeder's JSON text, read through a read-only connection of its own to the project file
 * at `path` (WAL: it reads beside the backend's connection), not parsed: how `feeders.get` hands a
 * large feeder to the client from a worker thread without parsing it on the backend's thread.
 * Null when there is no such feeder.
 */
export function readFeederJson(path: string, id: number): string | null {
  const db = openDatabase(path, { fileMustExist: true, readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    const row = db.prepare('SELECT feeder_json FROM feeders WHERE id = ?').get(id) as
      { feeder_json: string } | undefined;
    return row?.feeder_json ?? null;
  } finally {
    db.close();
  }
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
    private releaseLock: (() => void) | null,
    private readOnlyReason: string | null = null,
  ) {}

  /** Why this project is read-only (open elsewhere), or null when it may be edited. */
  get readOnly(): string | null {
    return this.readOnlyReason;
  }

  get path(): string {
    return this.filePath;
  }

  /** Create a new project file; refuses to overwrite an existing file. */
  static create(path: string, name: string, options: ProjectOptions = {}): Project {
    if (existsSync(path)) throw new ApiFailure('alreadyExists', `A file already exists at ${path}`);
    const lock = acquireProjectLock(path);
    if (!lock.held) throw new ApiFailure('projectLocked', `Cannot create ${path}: ${describeOwner(lock.owner)}`);
    const now = options.now ?? (() => new Date());
    let db: Db | null = null;
    try {
      db = openDatabase(path);
      configure(db);
      applyMigrations(db, 0, LATEST_SCHEMA_VERSION, now);
      db.prepare("INSERT INTO project_meta (key, value) VALUES ('name', ?)").run(name);
    } catch (err) {
      db?.close();
      rmSync(path, { force: true });
      lock.release();
      throw err;
    }
    return new Project(db, path, now, lock.release);
  }

  /**
   * Open an existing project, upgrading older schemas; refuses unknown migrations untouched.
   * When another Tessera holds the project's lock, it opens read-only (see `readOnly`).
   */
  static open(path: string, options: ProjectOptions = {}): Project {
    return Project.openLocked(path, options.now ?? (() => new Date()), null, options.checked === true);
  }

  /** Open with the lock already taken (`heldLock`, Save As), or take it here. */
  private static openLocked(path: string, now: () => Date, heldLock: (() => void) | null, checked = false): Project {
    if (!existsSync(path)) throw new ApiFailure('notFound', `No project file at ${path}`);
    if (statSync(path).isDirectory()) throw new ApiFailure('notAProject', `${path} is a folder, not a Tessera project`);
    const kind = sniff(path);
    if (!kind.sqlite)
      throw new ApiFailure(
        'notAProject',
        kind.size === 0
          ? `${path} is an empty file, not a Tessera project`
          : `${path} is not a Tessera project (not an SQLite database)`,
      );
    try {
      accessSync(path, constants.W_OK);
      accessSync(dirname(path), constants.W_OK);
    } catch {
      heldLock?.();
      throw new ApiFailure(
        'readOnlyFile',
        `${path} is read-only (no permission to write it or its folder): Tessera saves every edit into the project file. ` +
          'Copy it to a folder you can write to, or change its permissions.',
      );
    }
    let release = heldLock;
    let heldBy: string | null = null;
    if (!release) {
      const lock = acquireProjectLock(path);
      if (lock.held) release = lock.release;
      else heldBy = describeOwner(lock.owner);
    }
    const readOnly = heldBy === null ? null : `${heldBy}, so it opened read-only here`;
    let db: Db;
    try {
      db = openDatabase(path, { fileMustExist: true, readonly: readOnly !== null });
    } catch (err) {
      release?.();
      throw new ApiFailure('notAProject', `${path} could not be opened (${(err as Error).message})`);
    }
    try {
      db.pragma('busy_timeout = 5000');
      const version = checkSchema(db, path);
      if (version === 0) throw new ApiFailure('notAProject', `${path} is an empty database, not a Tessera project`);
      if (readOnly === null) {
        configure(db);
        applyMigrations(db, version, LATEST_SCHEMA_VERSION, now);
      } else if (version < LATEST_SCHEMA_VERSION) {
        throw new ApiFailure(
          'projectLocked',
          `${path} needs upgrading to this version of Tessera, but ${heldBy}: close it there first`,
        );
      }
      const integrity = checked ? 'ok' : db.pragma('quick_check', { simple: true });
      if (integrity !== 'ok') throw new ApiFailure('corruptProject', `${path} is damaged: ${String(integrity)}`);
    } catch (err) {
      db.close();
      release?.();
      throw explainOpenFailure(err, path, kind.tessera);
    }
    return new Project(db, path, now, release, readOnly);
  }

  /** The underlying connection, for tests and tools (read-only use, please). */
  get database(): Db {
    this.assertOpen();
    return this.db;
  }

  private assertOpen(): void {
    if (this.closed) throw new ApiFailure('noProject', 'The project is closed');
  }

  /** Refuses (`readOnly`, `noProject`) unless this project may be edited here. */
  assertWritable(): void {
    this.assertOpen();
    if (this.readOnly !== null)
      throw new ApiFailure(
        'readOnly',
        `${this.filePath} is read-only here: ${this.readOnly}. Close it there to edit it here.`,
      );
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
    const row = this.db.prepare('SELECT value FROM project_meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? '';
  }

  /** Set the name and report settings; undefined leaves a setting as it is. */
  setMeta(values: { name?: string; author?: string; organisation?: string }): void {
    this.assertOpen();
    const put = this.db.prepare(
      'INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) if (v !== undefined) put.run(k, v);
    })();
  }

  /** The report logo (already sanitized, report/logo.ts): type, size and the bytes as base64; null when none. */
  logo(): { mime: 'image/png' | 'image/jpeg'; width: number; height: number; base64: string } | null {
    this.assertOpen();
    const row = this.db.prepare("SELECT value FROM project_meta WHERE key = 'logo'").get() as
      { value: string } | undefined;
    if (!row) return null;
    try {
      const v = JSON.parse(row.value) as { mime?: unknown; width?: unknown; height?: unknown; base64?: unknown };
      if (
        (v.mime === 'image/png' || v.mime === 'image/jpeg') &&
        typeof v.width === 'number' &&
        typeof v.height === 'number' &&
        typeof v.base64 === 'string'
      )
        return { mime: v.mime, width: v.width, height: v.height, base64: v.base64 };
    } catch {
      // A damaged entry reads as no logo.
    }
    return null;
  }

  /** Store (or with null, remove) the report logo; the caller has sanitized it. */
  setLogo(logo: { mime: 'image/png' | 'image/jpeg'; width: number; height: number; base64: string } | null): void {
    this.assertOpen();
    if (logo === null) this.db.prepare("DELETE FROM project_meta WHERE key = 'logo'").run();
    else
      this.db
        .prepare(
          "INSERT INTO project_meta (key, value) VALUES ('logo', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .run(JSON.stringify(logo));
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
      ...(this.readOnly === null ? {} : { readOnly: this.readOnly }),
      author: this.meta('author'),
      organisation: this.meta('organisation'),
      logo: logoSummary(this.logo()),
      feeders: this.listFeeders(),
      scenarios: this.listScenarios(),
    };
  }

  // --- feeders --------------------------------------------------------------------------------

  listFeeders(): FeederSummary[] {
    this.assertOpen();
    const rows = this.db
      .prepare(
        `SELECT id, name, source, bus_count, branch_count, load_count, pv_count, battery_count, capacitor_count, created_at, s.model AS model
           FROM feeders LEFT JOIN feeder_scripts s ON s.feeder_id = feeders.id ORDER BY id`,
      )
      .all() as FeederRow[];
    return rows.map(feederSummary);
  }

  /**
   * Save a feeder and its "Base case" scenario (the feeder's own PV and batteries, the given or
   * default study, the given or no partition) in one transaction.
   */
  addFeeder(feeder: Feeder, options: AddFeederOptions): { feederId: number; scenarioId: number } {
    this.assertWritable();
    return insertFeederWithBaseCase(this.db, feeder, options, this.stamp());
  }

  getFeeder(id: number): Feeder {
    this.assertOpen();
    const row = this.db.prepare('SELECT feeder_json FROM feeders WHERE id = ?').get(id) as
      { feeder_json: string } | undefined;
    if (!row) throw new ApiFailure('notFound', `No feeder with id ${id} in this project`);
    return JSON.parse(row.feeder_json) as Feeder;
  }

  /** A feeder's name and bus count from its row (no parse): what may be done with it on the backend's thread. */
  feederSize(id: number): { name: string; buses: number } {
    this.assertOpen();
    const row = this.db.prepare('SELECT name, bus_count FROM feeders WHERE id = ?').get(id) as
      { name: string; bus_count: number } | undefined;
    if (!row) throw new ApiFailure('notFound', `No feeder with id ${id} in this project`);
    return { name: row.name, buses: row.bus_count };
  }

  /** The OpenDSS scripts a feeder was imported from and what it is, or null (a native balanced feeder). */
  feederScripts(id: number): StoredFeederScripts | null {
    this.assertOpen();
    const row = this.db
      .prepare('SELECT model, entry, files_json, report_json FROM feeder_scripts WHERE feeder_id = ?')
      .get(id) as
      { model: StoredFeederScripts['model']; entry: string; files_json: string; report_json: string } | undefined;
    if (!row) return null;
    return {
      model: row.model,
      entry: row.entry,
      files: JSON.parse(row.files_json) as Record<string, string>,
      report: JSON.parse(row.report_json),
    };
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
    this.assertWritable();
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
    return insertScenarioRow(this.db, feederId, name, content, this.stamp());
  }

  createScenario(
    feederId: number,
    name: string,
    content: Partial<Pick<Scenario, 'study' | 'placements' | 'partition'>> = {},
  ): Scenario {
    this.assertWritable();
    return this.db
      .transaction(() => {
        const feeder = this.getFeeder(feederId);
        const id = this.insertScenario(feederId, name, {
          study: content.study ?? DEFAULT_STUDY,
          placements: content.placements ?? feederPlacements(feeder),
          partition: content.partition ?? NO_PARTITION,
        });
        return this.getScenario(id);
      })
      .immediate();
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
    this.assertWritable();
    return this.db
      .transaction(() => {
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
      })
      .immediate();
  }

  /** Clone a scenario in SQL (no JSON round trip): settings, placements and partition, not runs. */
  duplicateScenario(id: number, name?: string): Scenario {
    this.assertWritable();
    return this.db
      .transaction(() => {
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
      })
      .immediate();
  }

  deleteScenario(id: number): void {
    this.assertWritable();
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
    this.assertWritable();
    return this.db
      .transaction(() => {
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
      })
      .immediate();
  }

  /** Update a run's status/stats/log/error and add (or replace) series, in one transaction. */
  updateRun(id: number, update: RunUpdate, series: Record<string, SeriesInput> = {}): void {
    this.assertWritable();
    this.db
      .transaction(() => {
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
      })
      .immediate();
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
    this.assertWritable();
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
      .prepare(
        "SELECT r.id AS id, m.value AS value FROM runs r JOIN project_meta m ON m.key = 'run-name:' || r.id || '@' || r.started_at",
      )
      .all() as { id: number; value: string }[];
    return new Map(rows.map((r) => [r.id, r.value]));
  }

  /** Name a run ('' removes the name); names of runs that no longer exist are dropped. */
  setRunName(id: number, name: string): void {
    this.assertOpen();
    const run = this.db.prepare('SELECT started_at FROM runs WHERE id = ?').get(id) as
      { started_at: string } | undefined;
    if (!run) throw new ApiFailure('notFound', `No run with id ${id} in this project`);
    const key = `run-name:${id}@${run.started_at}`;
    this.db.transaction(() => {
      this.db
        .prepare(
          "DELETE FROM project_meta WHERE key LIKE 'run-name:%' AND key NOT IN (SELECT 'run-name:' || id || '@' || started_at FROM runs)",
        )
        .run();
      if (name === '') this.db.prepare('DELETE FROM project_meta WHERE key = ?').run(key);
      else
        this.db
          .prepare(
            'INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          )
          .run(key, name);
    })();
  }

  // --- siting studies -------------------------------------------------------------------------

  /** Save a siting study record (settings as given); returns its id. */
  saveSitingStudy(scenarioId: number, settings: unknown): number {
    this.assertOpen();
    if (!this.hasScenario(scenarioId))
      throw new ApiFailure('notFound', `No scenario with id ${scenarioId} in this project`);
    const info = this.db
      .prepare(
        "INSERT INTO siting_studies (scenario_id, status, settings_json, started_at) VALUES (?, 'running', ?, ?)",
      )
      .run(scenarioId, JSON.stringify(settings ?? null), this.stamp());
    return Number(info.lastInsertRowid);
  }

  /** End a siting study: its status and either its report or its error. */
  finishSitingStudy(id: number, status: string, report: unknown, error: string | null): void {
    this.assertOpen();
    const info = this.db
      .prepare('UPDATE siting_studies SET status = ?, report_json = ?, error_text = ?, finished_at = ? WHERE id = ?')
      .run(status, report === null ? null : JSON.stringify(report), error, this.stamp(), id);
    if (info.changes === 0) throw new ApiFailure('notFound', `No siting study with id ${id} in this project`);
  }

  listSitingStudies(scenarioId: number): SitingStudyRecord[] {
    this.assertOpen();
    return (
      this.db.prepare('SELECT * FROM siting_studies WHERE scenario_id = ? ORDER BY id').all(scenarioId) as SitingRow[]
    ).map(sitingFromRow);
  }

  getSitingStudy(id: number): SitingStudyRecord {
    this.assertOpen();
    const row = this.db.prepare('SELECT * FROM siting_studies WHERE id = ?').get(id) as SitingRow | undefined;
    if (!row) throw new ApiFailure('notFound', `No siting study with id ${id} in this project`);
    return sitingFromRow(row);
  }

  // --- file -----------------------------------------------------------------------------------

  /**
   * Write a consistent copy to `path` and continue working in the copy; the original file is left
   * as it was. Refused: the open project's own file under any spelling (real path, inode), an
   * existing file without `overwrite`, a file another Tessera holds open. The copy is written by
   * VACUUM INTO a temporary file beside the target, then renamed over it atomically (after removing
   * the replaced file's -wal/-shm, which would otherwise be replayed into the copy).
   */
  saveAs(path: string, options: SaveAsOptions = {}): void {
    this.assertOpen();
    const target = resolve(path);
    if (sameFile(this.filePath, target))
      throw new ApiFailure('invalidArgument', `${target} is the open project itself: Save As needs a different file`);
    const exists = existsSync(target);
    if (exists && statSync(target).isDirectory()) throw new ApiFailure('invalidArgument', `${target} is a folder`);
    if (exists && options.overwrite !== true)
      throw new ApiFailure('confirmOverwrite', `${target} already exists: replace it?`, { path: target });
    const lock = acquireProjectLock(target);
    if (!lock.held) throw new ApiFailure('projectLocked', `Cannot replace ${target}: ${describeOwner(lock.owner)}`);
    const temp = `${target}.tmp-${process.pid}`;
    rmSync(temp, { force: true });
    try {
      this.db.prepare('VACUUM INTO ?').run(temp);
      rmSync(`${target}-wal`, { force: true });
      rmSync(`${target}-shm`, { force: true });
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      lock.release();
      throw new ApiFailure('writeFailed', `Could not save the project to ${target}: ${(err as Error).message}`);
    }
    const next = Project.openLocked(target, this.now, lock.release);
    next.db
      .prepare(
        "INSERT INTO project_meta (key, value) VALUES ('name', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(options.name ?? basename(target, extname(target)));
    this.db.close();
    this.releaseLock?.();
    this.db = next.db;
    this.filePath = target;
    this.releaseLock = next.releaseLock;
    this.readOnlyReason = null;
  }

  /** Close the connection (checkpoints the WAL into the file, so the file alone is complete). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    this.releaseLock?.();
    this.releaseLock = null;
  }
}

/** What the summary says about the logo: type, pixels and bytes (the image itself: projects.logo). */
function logoSummary(l: ReturnType<Project['logo']>): ProjectSummary['logo'] {
  return l
    ? {
        mime: l.mime,
        width: l.width,
        height: l.height,
        bytes: Math.floor((l.base64.length * 3) / 4) - (l.base64.endsWith('==') ? 2 : l.base64.endsWith('=') ? 1 : 0),
      }
    : null;
}
