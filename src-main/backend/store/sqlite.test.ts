/**
 * Each runtime loads its own build of better-sqlite3's addon (sqlite.ts): Node (CLI, host, tests)
 * the package's own, the Electron main process the one in native/ (made by
 * tools/electron-sqlite.mjs), and packaging leaves the Node build alone. Electron itself cannot
 * run here; what it resolves and what the packaging config says are checked.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { electronSqliteBinding, openDatabase, sqliteOptions, useSqliteBinding } from './sqlite';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const nodeAddon = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

afterEach(() => useSqliteBinding(undefined));

describe('the SQLite addon each runtime loads', () => {
  it('Node (CLI, host, tests): the package’s own build, no nativeBinding option', () => {
    expect(sqliteOptions({ readonly: false })).toEqual({ readonly: false });
    const db = openDatabase(':memory:');
    expect(db.prepare('SELECT sqlite_version() AS v').get()).toMatchObject({ v: expect.stringMatching(/^3\./) });
    db.close();
  });

  it('a process that sets a binding loads the addon from that file (better-sqlite3 nativeBinding)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-binding-'));
    try {
      useSqliteBinding(join(dir, 'missing', 'better_sqlite3.node'));
      expect(() => openDatabase(':memory:')).toThrow(/missing/);
      const copy = join(dir, 'better_sqlite3.node');
      copyFileSync(nodeAddon, copy); // Node's ABI here: stands in for the Electron build
      useSqliteBinding(copy);
      expect(sqliteOptions({ fileMustExist: true })).toEqual({ fileMustExist: true, nativeBinding: copy });
      const db = openDatabase(':memory:');
      expect(db.prepare('SELECT 1 + 1 AS two').get()).toEqual({ two: 2 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Electron main process resolves native/electron-<platform>-<arch> from source and resources/native when packaged', () => {
    const where = { resourcesPath: '/opt/Tessera/resources', repoRoot: '/src/tessera', platform: 'win32', arch: 'x64' };
    expect(electronSqliteBinding({ ...where, packaged: false })).toBe(
      join('/src/tessera', 'native', 'electron-win32-x64', 'better_sqlite3.node'),
    );
    expect(electronSqliteBinding({ ...where, packaged: true })).toBe(
      join('/opt/Tessera/resources', 'native', 'better_sqlite3.node'),
    );
    // …and sets it before the backend opens any database.
    const main = readFileSync(join(root, 'src-main', 'electron', 'main.ts'), 'utf8');
    expect(main.indexOf('useSqliteBinding(binding)')).toBeGreaterThan(0);
    expect(main.indexOf('useElectronSqlite()', main.indexOf('app.whenReady'))).toBeLessThan(
      main.indexOf('new Backend('),
    );
  });

  it('packaging never rebuilds the Node build in place and ships the Electron build', () => {
    const yaml = require('js-yaml') as { load(text: string): unknown };
    const cfg = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
      npmRebuild: boolean;
      nodeGypRebuild: boolean;
      files: string[];
      extraResources: { from: string; to: string; filter?: string[] }[];
    };
    expect(cfg.npmRebuild).toBe(false);
    expect(cfg.nodeGypRebuild).toBe(false);
    expect(cfg.files).toContain('!**/node_modules/better-sqlite3/build/**');
    expect(cfg.extraResources).toContainEqual({
      from: 'native/electron-${platform}-${arch}',
      to: 'native',
      filter: ['better_sqlite3.node'],
    });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('node tools/electron-sqlite.mjs');
  });
});
