import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../errors';
import { DEFAULT_STUDY } from './defaults';
import { randomTreeFeeder } from './fixtures';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, TESSERA_APPLICATION_ID } from './migrations';
import { applyMigrations, Project } from './project';
import { readRecent, recentFile, touchRecent } from './recent';

const open: Project[] = [];
function tempPath(name = 'p.tessera'): string {
  return join(mkdtempSync(join(tmpdir(), 'tessera-store-')), name);
}
function track(p: Project): Project {
  open.push(p);
  return p;
}
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiFailure ? `${err.code}: ${err.message}` : `thrown: ${(err as Error).message}`;
  }
  return 'no error';
}

function tables(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);
}

describe('migrations', () => {
  it('ships at least two, numbered 1..n without gaps, names matching their numbers', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name.startsWith(String(i + 1).padStart(4, '0') + '_')).toBe(true);
    });
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('a fresh project has every table, the full ledger, WAL, foreign keys and the Tessera application id', () => {
    const path = tempPath();
    const p = track(Project.create(path, 'Fresh'));
    const db = p.database;
    expect(tables(db)).toEqual([
      'feeder_scripts',
      'feeders',
      'project_meta',
      'run_series',
      'runs',
      'scenarios',
      'schema_migrations',
      'siting_studies',
    ]);
    const ledger = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(ledger).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(TESSERA_APPLICATION_ID);
    expect(p.summary()).toMatchObject({
      name: 'Fresh',
      schemaVersion: LATEST_SCHEMA_VERSION,
      feeders: [],
      scenarios: [],
    });
  });

  it('upgrades a version-1 file with data in it to the latest, keeping the data', () => {
    const path = tempPath();
    // Build a v1 file exactly as version 1 of the app wrote it: migration 0001 only, plus data.
    const v1 = new Database(path);
    v1.pragma('journal_mode = WAL');
    v1.pragma('foreign_keys = ON');
    applyMigrations(v1, 0, 1);
    v1.prepare("INSERT INTO project_meta (key, value) VALUES ('name', 'Old')").run();
    const feeder = randomTreeFeeder(30, 7);
    v1.prepare(
      `INSERT INTO feeders (id, name, source, feeder_json, bus_count, branch_count, load_count, pv_count, battery_count, capacitor_count, created_at)
       VALUES (1, ?, 'test', ?, 30, 29, ?, ?, ?, 1, '2025-01-01T00:00:00.000Z')`,
    ).run(feeder.name, JSON.stringify(feeder), feeder.loads.length, feeder.pv.length, feeder.batteries.length);
    // A v1 scenario whose study lacks a setting added later (boundaryTolerancePu): read with its default.
    const { boundaryTolerancePu: _dropped, ...oldStudy } = DEFAULT_STUDY;
    v1.prepare(
      `INSERT INTO scenarios (id, feeder_id, name, study_json, placements_json, partition_json, updated_at)
       VALUES (5, 1, 'Old scenario', ?, '{"pv":[],"batteries":[]}', '{"cuts":[{"from":"b3","to":"b4"}]}', '2025-01-01T00:00:00.000Z')`,
    ).run(JSON.stringify({ ...oldStudy, periods: 12 }));
    expect(tables(v1)).not.toContain('runs');
    v1.close();

    const p = track(Project.open(path));
    expect(p.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(tables(p.database)).toContain('run_series');
    const s = p.getScenario(5);
    expect(s).toMatchObject({ name: 'Old scenario', feederId: 1, partition: { cuts: [{ from: 'b3', to: 'b4' }] } });
    expect(s.study.periods).toBe(12);
    expect(s.study.boundaryTolerancePu).toBe(1e-3);
    expect(p.getFeeder(1)).toEqual(feeder);
    expect(p.summary().scenarios).toEqual([
      {
        id: 5,
        feederId: 1,
        name: 'Old scenario',
        updatedAt: '2025-01-01T00:00:00.000Z',
        pvCount: 0,
        batteryCount: 0,
        areaCount: 2,
      },
    ]);
    // The upgraded file takes the new tables' data.
    const runId = p.saveRun(
      { scenarioId: 5, kind: 'centralized', status: 'solved', settings: {} },
      { v: new Float64Array([1, 2]) },
    );
    expect(Array.from(p.loadRun(runId).series.v!.data)).toEqual([1, 2]);
  });

  it('upgrades a version-3 file to 0004: its feeders read as balanced, and it keeps OpenDSS scripts from then on', () => {
    const path = tempPath();
    const v3 = new Database(path);
    v3.pragma('journal_mode = WAL');
    v3.pragma('foreign_keys = ON');
    applyMigrations(v3, 0, 3);
    v3.prepare("INSERT INTO project_meta (key, value) VALUES ('name', 'Old')").run();
    const feeder = randomTreeFeeder(10, 3);
    v3.prepare(
      `INSERT INTO feeders (id, name, source, feeder_json, bus_count, branch_count, load_count, pv_count, battery_count, capacitor_count, created_at)
       VALUES (1, ?, 'test', ?, 10, 9, ?, ?, ?, 1, '2025-01-01T00:00:00.000Z')`,
    ).run(feeder.name, JSON.stringify(feeder), feeder.loads.length, feeder.pv.length, feeder.batteries.length);
    expect(tables(v3)).not.toContain('feeder_scripts');
    v3.close();

    const p = track(Project.open(path));
    expect(p.schemaVersion()).toBe(4);
    expect(p.listFeeders()[0]!.model).toBe('balanced');
    expect(p.feederScripts(1)).toBeNull();
    const { feederId } = p.addFeeder(feeder, {
      source: 'OpenDSS: m.dss (three-phase)',
      scripts: { model: 'three-phase', entry: 'm.dss', files: { 'm.dss': 'Clear' }, report: { x: 1 } },
    });
    expect(p.feederScripts(feederId)).toEqual({
      model: 'three-phase',
      entry: 'm.dss',
      files: { 'm.dss': 'Clear' },
      report: { x: 1 },
    });
    expect(p.listFeeders().map((f) => f.model)).toEqual(['balanced', 'three-phase']);
    // The scripts go with their feeder.
    p.deleteFeeder(feederId);
    expect(p.database.prepare('SELECT count(*) AS n FROM feeder_scripts').get()).toEqual({ n: 0 });
  });

  it('refuses a file with a migration it does not know, with a clear message, and leaves it untouched', () => {
    const path = tempPath();
    Project.create(path, 'Future').close();
    const future = new Database(path);
    future
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, '0099_time_travel', '2030-01-01')")
      .run(LATEST_SCHEMA_VERSION + 1);
    future.pragma('journal_mode = DELETE');
    future.close();
    const before = readFileSync(path);
    const msg = code(() => Project.open(path));
    expect(msg).toMatch(/^unsupportedProject: /);
    expect(msg).toMatch(/newer or different version of Tessera/);
    expect(msg).toMatch(/"0099_time_travel"/);
    expect(msg).toMatch(/not changed/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses a known version number under a different name (a fork), and non-project files', () => {
    const path = tempPath();
    Project.create(path, 'Fork').close();
    const fork = new Database(path);
    fork.prepare("UPDATE schema_migrations SET name = '0002_other_runs' WHERE version = 2").run();
    fork.close();
    expect(code(() => Project.open(path))).toMatch(/^unsupportedProject: .*0002 "0002_other_runs"/);

    const text = tempPath('notes.tessera');
    writeFileSync(text, 'this is not a database, just some text long enough to not be a header. '.repeat(20));
    expect(code(() => Project.open(text))).toMatch(/^notAProject: /);

    const other = tempPath('other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(code(() => Project.open(other))).toMatch(/^notAProject: .*no schema_migrations table/);
    expect(code(() => Project.open(tempPath('missing.tessera')))).toMatch(/^notFound: No project file at/);
  });
});

describe('feeders and scenarios', () => {
  it('adds a feeder with its base case, summarises, duplicates, updates and deletes with cascades', () => {
    const p = track(Project.create(tempPath(), 'P'));
    const feeder = randomTreeFeeder(200, 3);
    const { feederId, scenarioId } = p.addFeeder(feeder, { source: 'test: random' });
    const [fs] = p.listFeeders();
    expect(fs).toMatchObject({
      id: feederId,
      buses: 200,
      branches: 199,
      loads: feeder.loads.length,
      pv: feeder.pv.length,
      capacitors: 1,
    });
    const base = p.getScenario(scenarioId);
    expect(base.name).toBe('Base case');
    expect(base.study).toEqual(DEFAULT_STUDY);
    expect(base.placements.batteries).toEqual(feeder.batteries);
    expect(base.placements.pv.map((x) => x.bus)).toEqual(feeder.pv.map((x) => x.bus));

    const copy = p.duplicateScenario(scenarioId);
    const copy2 = p.duplicateScenario(scenarioId);
    expect([copy.name, copy2.name]).toEqual(['Base case (copy)', 'Base case (copy 2)']);
    expect(copy.placements).toEqual(base.placements);

    const edited = p.updateScenario(copy.id, {
      study: { periods: 5 },
      partition: { cuts: [{ from: 'b1', to: 'b2' }] },
    });
    expect(edited.study).toEqual({ ...DEFAULT_STUDY, periods: 5 });
    // Persisted at once: a second connection sees it without any save step.
    const other = new Database(p.path, { readonly: true });
    const row = other.prepare('SELECT study_json FROM scenarios WHERE id = ?').get(copy.id) as { study_json: string };
    expect(JSON.parse(row.study_json).periods).toBe(5);
    other.close();
    expect(p.getScenario(scenarioId).study.periods).toBe(24);
    expect(p.listScenarios().find((s) => s.id === copy.id)?.areaCount).toBe(2);

    const runId = p.saveRun(
      { scenarioId: copy.id, kind: 'centralized', status: 'solved', settings: {} },
      { x: new Float64Array(3) },
    );
    p.deleteFeeder(feederId);
    expect(p.listScenarios()).toEqual([]);
    expect(code(() => p.loadRun(runId))).toMatch(/^notFound: /);
    expect(p.database.prepare('SELECT count(*) AS n FROM run_series').get()).toEqual({ n: 0 });
    expect(code(() => p.getFeeder(feederId))).toMatch(/^notFound: No feeder with id/);
    expect(code(() => p.deleteScenario(999))).toMatch(/^notFound: No scenario with id 999/);
  });

  it('a failing check inside an update rolls the whole update back', () => {
    const p = track(Project.create(tempPath(), 'P'));
    const { scenarioId } = p.addFeeder(randomTreeFeeder(10), { source: 't' });
    expect(() =>
      p.updateScenario(scenarioId, { name: 'renamed', study: { vMinPu: 1.2 } }, (next) => {
        if (next.study.vMinPu >= next.study.vMaxPu)
          throw new ApiFailure('invalidArgument', 'vMinPu must be below vMaxPu');
      }),
    ).toThrow(/vMinPu must be below/);
    expect(p.getScenario(scenarioId)).toMatchObject({ name: 'Base case', study: { vMinPu: 0.95 } });
  });

  it('addFeeder is one transaction: a failure after the feeder row leaves no feeder', () => {
    const p = track(Project.create(tempPath(), 'P'));
    // A BigInt cannot be JSON-serialised: the scenario insert fails after the feeder insert ran.
    const poisonedStudy = { ...DEFAULT_STUDY, periods: 10n as unknown as number };
    expect(() => p.addFeeder(randomTreeFeeder(10), { source: 't', study: poisonedStudy })).toThrow(/BigInt/);
    expect(p.listFeeders()).toEqual([]);
  });
});

describe('runs', () => {
  it("run names follow the run, not its id: a new run that reuses a deleted run's id starts unnamed", () => {
    const p = track(Project.create(tempPath(), 'P'));
    const { scenarioId } = p.addFeeder(randomTreeFeeder(10), { source: 't' });
    const first = p.saveRun({
      scenarioId,
      kind: 'centralized',
      status: 'solved',
      settings: {},
      startedAt: '2025-01-01T00:00:00.000Z',
    });
    p.setRunName(first, 'Peak shaving');
    expect(p.runNames().get(first)).toBe('Peak shaving');
    p.deleteRun(first);
    const second = p.saveRun({
      scenarioId,
      kind: 'centralized',
      status: 'solved',
      settings: {},
      startedAt: '2025-01-02T00:00:00.000Z',
    });
    expect(second).toBe(first); // SQLite reuses the largest rowid after a delete
    expect(p.runNames().get(second)).toBeUndefined();
    p.setRunName(second, 'Second');
    p.setRunName(second, '');
    expect(p.runNames().size).toBe(0);
    expect(() => p.setRunName(12345, 'x')).toThrow(/No run with id 12345/);
  });

  it('saves and loads runs with typed-array series, bit for bit, and lists them', () => {
    const p = track(Project.create(tempPath(), 'P'));
    const { scenarioId } = p.addFeeder(randomTreeFeeder(10), { source: 't' });
    const v = new Float64Array([1.03, 1.0299999999999998, Number.MIN_VALUE, -0, Number.NaN, 1e308]);
    const id = p.saveRun(
      {
        scenarioId,
        kind: 'distributed',
        status: 'running',
        settings: { areas: 4 },
        startedAt: '2025-01-01T00:00:00.000Z',
      },
      { vPu: { shape: [2, 3], data: v }, pSubsKw: new Float64Array([100, 90]) },
    );
    p.updateRun(
      id,
      { status: 'solved', stats: { iterations: 17 }, log: 'done', finishedAt: '2025-01-01T00:01:00.000Z' },
      { lossKw: new Float64Array([3]) },
    );
    const loaded = p.loadRun(id);
    expect(loaded.run).toMatchObject({
      id,
      scenarioId,
      kind: 'distributed',
      status: 'solved',
      settings: { areas: 4 },
      stats: { iterations: 17 },
      log: 'done',
      error: null,
      seriesNames: ['lossKw', 'pSubsKw', 'vPu'],
    });
    expect(loaded.series.vPu!.shape).toEqual([2, 3]);
    const got = loaded.series.vPu!.data;
    for (let i = 0; i < v.length; i++) expect(Object.is(got[i], v[i])).toBe(true);
    expect(Object.keys(p.loadRun(id, ['pSubsKw']).series)).toEqual(['pSubsKw']);
    expect(p.listRuns(scenarioId).map((r) => r.id)).toEqual([id]);
    expect(
      code(() =>
        p.saveRun(
          { scenarioId, kind: 'centralized', status: 'x', settings: {} },
          { bad: { shape: [2, 2], data: new Float64Array(3) } },
        ),
      ),
    ).toMatch(/^invalidArgument: series "bad": shape \[2, 2\] does not hold 3 values/);
    expect(p.listRuns(scenarioId)).toHaveLength(1); // the bad run rolled back with its series
    expect(code(() => p.saveRun({ scenarioId: 999, kind: 'centralized', status: 'x', settings: {} }))).toMatch(
      /^notFound: No scenario with id 999/,
    );
  });
});

describe('save as and recent list', () => {
  it('saveAs writes a complete copy, switches to it and leaves the original as it was', () => {
    const path = tempPath('a.tessera');
    const p = track(Project.create(path, 'A'));
    const { scenarioId } = p.addFeeder(randomTreeFeeder(50), { source: 't' });
    const target = join(mkdtempSync(join(tmpdir(), 'tessera-saveas-')), 'b.tessera');
    p.saveAs(target);
    expect(p.path).toBe(target);
    expect(p.name).toBe('b');
    p.updateScenario(scenarioId, { name: 'only in b' });
    p.close();
    // The copy is self-contained: copying the file alone (no -wal) carries everything.
    const copied = tempPath('c.tessera');
    copyFileSync(target, copied);
    const c = track(Project.open(copied));
    expect(c.getScenario(scenarioId).name).toBe('only in b');
    const a = track(Project.open(path));
    expect(a.getScenario(scenarioId).name).toBe('Base case');
    expect(statSync(copied).size).toBeGreaterThan(0);
  });

  it('keeps the recent list most-recent-first, deduplicated, and drops missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-recent-'));
    const a = join(dir, 'a.tessera');
    const b = join(dir, 'b.tessera');
    writeFileSync(a, '');
    writeFileSync(b, '');
    touchRecent(dir, { path: a, name: 'A' }, new Date('2025-01-01'));
    touchRecent(dir, { path: b, name: 'B' }, new Date('2025-01-02'));
    touchRecent(dir, { path: a, name: 'A' }, new Date('2025-01-03'));
    expect(readRecent(dir).map((r) => [r.name, r.openedAt])).toEqual([
      ['A', '2025-01-03T00:00:00.000Z'],
      ['B', '2025-01-02T00:00:00.000Z'],
    ]);
    touchRecent(dir, { path: join(dir, 'gone.tessera'), name: 'Gone' });
    expect(readRecent(dir).map((r) => r.name)).toEqual(['A', 'B']);
    writeFileSync(recentFile(dir), '{broken');
    expect(readRecent(dir)).toEqual([]);
  });
});
