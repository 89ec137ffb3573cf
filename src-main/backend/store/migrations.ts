/**
 * The project file's schema, as numbered migrations applied in order. Each runs in its own
 * transaction together with its ledger row in `schema_migrations(version, name, applied_at)`, so
 * a file is always at exactly one version. A file whose ledger names a migration this build does
 * not know (a newer Tessera wrote it) is refused by `project.ts`, never "repaired".
 *
 * Migrations are TypeScript strings rather than .sql files: electron-vite bundles src-main, and
 * files read relative to `import.meta.url` are not in the bundle.
 *
 * Rules for adding one: append (never edit or reorder a shipped migration), keep it one
 * transaction's worth of SQL, and add the upgrade test from the previous version.
 */

export interface Migration {
  /** 1, 2, 3, … without gaps. */
  readonly version: number;
  /** File-like name, e.g. '0001_core'; stored in the ledger and compared on open. */
  readonly name: string;
  readonly sql: string;
}

/** Stamped into the SQLite header (`PRAGMA application_id`) so a .tessera file is recognisable. */
export const TESSERA_APPLICATION_ID = 0x54535241; // 'TSRA'

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: '0001_core',
    sql: `
CREATE TABLE project_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE feeders (
  id                 INTEGER PRIMARY KEY,
  name               TEXT NOT NULL,
  source             TEXT NOT NULL,
  feeder_json        TEXT NOT NULL,
  import_report_json TEXT NOT NULL DEFAULT '{}',
  bus_count          INTEGER NOT NULL,
  branch_count       INTEGER NOT NULL,
  load_count         INTEGER NOT NULL,
  pv_count           INTEGER NOT NULL,
  battery_count      INTEGER NOT NULL,
  capacitor_count    INTEGER NOT NULL,
  created_at         TEXT NOT NULL
) STRICT;

CREATE TABLE scenarios (
  id              INTEGER PRIMARY KEY,
  feeder_id       INTEGER NOT NULL REFERENCES feeders(id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  study_json      TEXT NOT NULL,
  placements_json TEXT NOT NULL,
  partition_json  TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX scenarios_feeder ON scenarios(feeder_id);
`,
  },
  {
    version: 2,
    name: '0002_runs',
    sql: `
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  scenario_id   INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('centralized', 'distributed')),
  status        TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  stats_json    TEXT NOT NULL DEFAULT '{}',
  log_text      TEXT NOT NULL DEFAULT '',
  error_json    TEXT,
  started_at    TEXT NOT NULL,
  finished_at   TEXT
) STRICT;
CREATE INDEX runs_scenario ON runs(scenario_id);

-- Per-period results: one row per named series (e.g. 'vPu' over buses × periods), the values a
-- little-endian Float64Array blob, row-major in the order of shape_json.
CREATE TABLE run_series (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  shape_json TEXT NOT NULL,
  data       BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
) STRICT;
`,
  },
  {
    version: 3,
    name: '0003_siting_studies',
    sql: `
-- BESS siting studies (src-solver/siting): the settings asked for and the whole report (JSON), so
-- a study's ranked table, size curve and the verified runs' numbers stay with the project.
CREATE TABLE siting_studies (
  id            INTEGER PRIMARY KEY,
  scenario_id   INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
  status        TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  report_json   TEXT,
  error_text    TEXT,
  started_at    TEXT NOT NULL,
  finished_at   TEXT
) STRICT;
CREATE INDEX siting_studies_scenario ON siting_studies(scenario_id);
`,
  },
  {
    version: 4,
    name: '0004_feeder_scripts',
    sql: `
-- OpenDSS feeders kept as written: the script files' text (path -> text, JSON) and the entry
-- (master) script, so the three-phase network is rebuilt from its own source on open. \`model\`
-- says what the feeders row's feeder_json is: the drawing of a three-phase feeder (runs use the
-- scripts), or the balanced equivalent the planner chose explicitly (per phase, single-phase
-- equivalent). A feeder without a row here is a native balanced one (CSV, bundled example).
CREATE TABLE feeder_scripts (
  feeder_id   INTEGER PRIMARY KEY REFERENCES feeders(id) ON DELETE CASCADE,
  model       TEXT NOT NULL CHECK (model IN ('three-phase', 'balanced-equivalent')),
  entry       TEXT NOT NULL,
  files_json  TEXT NOT NULL,
  report_json TEXT NOT NULL DEFAULT '{}'
) STRICT;
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
