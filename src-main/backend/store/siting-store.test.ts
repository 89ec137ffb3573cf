import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STUDY } from './defaults';
import { randomTreeFeeder } from './fixtures';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { applyMigrations, Project } from './project';

describe('siting studies in the project file (migration 0003)', () => {
  it('upgrades a version-2 file with a scenario and keeps studies with it until the scenario goes', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tessera-siting-store-')), 'p.tessera');
    const v2 = new Database(path);
    v2.pragma('journal_mode = WAL');
    v2.pragma('foreign_keys = ON');
    applyMigrations(v2, 0, 2);
    const feeder = randomTreeFeeder(20, 3);
    v2.prepare(
      `INSERT INTO feeders (id, name, source, feeder_json, bus_count, branch_count, load_count, pv_count, battery_count, capacitor_count, created_at)
       VALUES (1, ?, 'test', ?, 20, 19, ?, ?, ?, 0, '2025-01-01T00:00:00.000Z')`,
    ).run(feeder.name, JSON.stringify(feeder), feeder.loads.length, feeder.pv.length, feeder.batteries.length);
    v2.prepare(
      `INSERT INTO scenarios (id, feeder_id, name, study_json, placements_json, partition_json, updated_at)
       VALUES (4, 1, 'S', ?, '{"pv":[],"batteries":[]}', '{"cuts":[]}', '2025-01-01T00:00:00.000Z')`,
    ).run(JSON.stringify(DEFAULT_STUDY));
    v2.close();

    const p = Project.open(path);
    try {
      expect(p.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      const id = p.saveSitingStudy(4, { count: 2 });
      expect(p.getSitingStudy(id)).toMatchObject({
        id,
        scenarioId: 4,
        status: 'running',
        settings: { count: 2 },
        report: null,
        finishedAt: null,
      });
      p.finishSitingStudy(id, 'done', { ranked: [{ rank: 1 }] }, null);
      const stored = p.listSitingStudies(4);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ status: 'done', report: { ranked: [{ rank: 1 }] }, error: null });
      expect(stored[0]!.finishedAt).not.toBeNull();
      expect(() => p.saveSitingStudy(99, {})).toThrow(/No scenario with id 99/);
      expect(() => p.getSitingStudy(12345)).toThrow(/No siting study with id 12345/);
      p.deleteScenario(4);
      expect(p.listSitingStudies(4)).toEqual([]);
    } finally {
      p.close();
    }
  });
});
