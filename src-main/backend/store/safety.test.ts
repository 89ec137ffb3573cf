/**
 * Data safety of the project file (issue #13): Save As never corrupts or silently replaces a
 * project, one editor at a time (a second opener gets it read-only), write transactions wait for
 * each other instead of failing, and a file that cannot be opened says what is wrong with it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../paths';
import { ApiFailure } from '../errors';
import { randomTreeFeeder } from './fixtures';
import { lockFileOf } from './lock';
import { Project } from './project';

const open: Project[] = [];
const children: ChildProcess[] = [];
function track(p: Project): Project {
  open.push(p);
  return p;
}
afterEach(() => {
  for (const p of open.splice(0)) p.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tessera-safety-'));
}

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiFailure) return { code: err.code, message: err.message };
    return { code: 'thrown', message: (err as Error).message };
  }
  return { code: 'none', message: '' };
}

/** A project with a feeder and its base case; returns the project and the scenario id. */
function project(path: string, name = 'P'): { p: Project; scenarioId: number } {
  const p = track(Project.create(path, name));
  const { scenarioId } = p.addFeeder(randomTreeFeeder(40), { source: 'test' });
  return { p, scenarioId };
}

describe('Save As onto the open project', () => {
  it('is refused under every other spelling of its path (./, .., symlink, hard link), and the project stays intact', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const path = join(dir, 'p.tessera');
    const { p, scenarioId } = project(path);
    symlinkSync(path, join(dir, 'alias.tessera'));
    linkSync(path, join(dir, 'hard.tessera'));
    for (const spelling of [
      `${dir}/./p.tessera`,
      `${dir}/sub/../p.tessera`,
      `${dir}//p.tessera`,
      join(dir, 'alias.tessera'),
      join(dir, 'hard.tessera'),
    ]) {
      const f = failure(() => p.saveAs(spelling, { overwrite: true }));
      expect(f.code, spelling).toBe('invalidArgument');
      expect(f.message).toMatch(/is the open project itself/);
    }
    // Still the same, working project: edit it, close it, reopen it.
    p.updateScenario(scenarioId, { name: 'after' });
    p.close();
    const again = track(Project.open(path));
    expect(again.getScenario(scenarioId).name).toBe('after');
    expect(again.database.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('Save As onto another file', () => {
  it('an existing file needs overwrite: true (confirmOverwrite without it) and is then replaced whole', () => {
    const dir = tempDir();
    const { p, scenarioId } = project(join(dir, 'a.tessera'), 'A');
    const target = join(dir, 'b.tessera');
    writeFileSync(target, 'precious notes');
    const f = failure(() => p.saveAs(target));
    expect(f.code).toBe('confirmOverwrite');
    expect(readFileSync(target, 'utf8')).toBe('precious notes');
    p.saveAs(target, { overwrite: true });
    expect(p.path).toBe(target);
    expect(p.getScenario(scenarioId).name).toBe('Base case');
  });

  it("removes the replaced project's stale -wal, which would otherwise be replayed into the copy", () => {
    const dir = tempDir();
    const { p, scenarioId } = project(join(dir, 'a.tessera'), 'A');
    const target = join(dir, 'b.tessera');
    // A project whose last transactions are still in its -wal (as after a crash): keep a copy of that -wal.
    const b = Project.create(target, 'B');
    b.addFeeder(randomTreeFeeder(60), { source: 'b' });
    b.database.pragma('wal_checkpoint(TRUNCATE)');
    b.addFeeder(randomTreeFeeder(70), { source: 'b2' });
    const walCopy = join(dir, 'saved-wal');
    copyFileSync(`${target}-wal`, walCopy);
    b.close();
    copyFileSync(walCopy, `${target}-wal`);
    expect(statSync(`${target}-wal`).size).toBeGreaterThan(0);

    p.saveAs(target, { overwrite: true });
    p.close();
    const c = track(Project.open(target));
    expect(c.database.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(c.listFeeders().map((x) => x.source)).toEqual(['test']);
    expect(c.getScenario(scenarioId).name).toBe('Base case');
  });

  it('refuses to replace a file another connection holds open', () => {
    const dir = tempDir();
    const { p } = project(join(dir, 'a.tessera'), 'A');
    const other = join(dir, 'b.tessera');
    const b = project(other, 'B').p;
    const f = failure(() => p.saveAs(other, { overwrite: true }));
    expect(f.code).toBe('projectLocked');
    expect(b.listFeeders()).toHaveLength(1);
    expect(b.database.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('one editor at a time', () => {
  it('a second opener in the same process gets it read-only, says why, and every edit is refused', () => {
    const path = join(tempDir(), 'p.tessera');
    const { p, scenarioId } = project(path);
    const second = track(Project.open(path));
    expect(second.readOnly).toMatch(/already open in this Tessera.*read-only/);
    expect(second.summary().readOnly).toBe(second.readOnly);
    expect(second.getScenario(scenarioId).name).toBe('Base case');
    const f = failure(() => second.updateScenario(scenarioId, { name: 'x' }));
    expect(f.code).toBe('readOnly');
    expect(f.message).toMatch(/read-only here/);
    expect(failure(() => second.deleteScenario(scenarioId)).code).toBe('readOnly');
    expect(failure(() => second.addFeeder(randomTreeFeeder(5), { source: 'x' })).code).toBe('readOnly');
    // The editor still edits, and the reader sees it.
    p.updateScenario(scenarioId, { name: 'edited' });
    expect(second.getScenario(scenarioId).name).toBe('edited');
    // Once the editor closes, the next opener edits.
    p.close();
    const third = track(Project.open(path));
    expect(third.readOnly).toBeNull();
    third.updateScenario(scenarioId, { name: 'third' });
  });

  it('another process holding the project: read-only here with its pid; after it is killed the stale lock is taken over', async () => {
    const path = join(tempDir(), 'p.tessera');
    const { p, scenarioId } = project(path);
    p.close();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { Project } = await import('./src-main/backend/store/project.ts'); const p = Project.open(${JSON.stringify(path)}); console.log(p.readOnly === null ? 'editing' : 'readonly'); setInterval(() => {}, 1000);`,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const said = await new Promise<string>((resolve) =>
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    expect(said).toBe('editing');
    const here = track(Project.open(path));
    expect(here.readOnly).toContain(`process ${child.pid}`);
    expect(failure(() => here.updateScenario(scenarioId, { name: 'x' })).code).toBe('readOnly');
    here.close();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(lockFileOf(path))).toBe(true); // the killed process could not remove it
    const after = track(Project.open(path));
    expect(after.readOnly).toBeNull();
    after.updateScenario(scenarioId, { name: 'mine now' });
  });

  it('write transactions begin IMMEDIATE: a writer that commits between our read and our write does not fail our edit', () => {
    const path = join(tempDir(), 'p.tessera');
    const { p, scenarioId } = project(path);
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    let otherWrite = 'not tried';
    try {
      const next = p.updateScenario(scenarioId, { name: 'ours' }, () => {
        // Inside our transaction, after its read: another connection tries to write.
        try {
          other.prepare("INSERT INTO project_meta (key, value) VALUES ('other', 'x')").run();
          otherWrite = 'committed';
        } catch (err) {
          otherWrite = (err as { code?: string }).code ?? 'error';
        }
      });
      expect(next.name).toBe('ours');
      // Deferred, the other write would commit here and our UPDATE fail with SQLITE_BUSY_SNAPSHOT.
      expect(otherWrite).toBe('SQLITE_BUSY');
      expect(p.getScenario(scenarioId).name).toBe('ours');
    } finally {
      other.close();
    }
  });
});

describe('what is wrong with a file that does not open', () => {
  it('a truncated project is damaged, with SQLite integrity-check words, not "not a project"', () => {
    const path = join(tempDir(), 'p.tessera');
    const { p } = project(path);
    for (let i = 0; i < 5; i++) p.addFeeder(randomTreeFeeder(200), { source: `more ${i}` });
    p.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const f = failure(() => Project.open(path));
    expect(f.code).toBe('corruptProject');
    expect(f.message).toMatch(/is damaged \(it is a Tessera project\): SQLite's integrity check says ".+"/);
    expect(f.message).toMatch(/malformed|corrupt|missing|never used|invalid|page/i);
  });

  it('names a non-SQLite file, an empty file, a folder and another SQLite database as not a project', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'text.tessera'), 'hello, this is not a database at all, just some text');
    writeFileSync(join(dir, 'empty.tessera'), '');
    mkdirSync(join(dir, 'folder.tessera'));
    const other = new Database(join(dir, 'other.tessera'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(failure(() => Project.open(join(dir, 'text.tessera')))).toMatchObject({
      code: 'notAProject',
      message: expect.stringMatching(/not an SQLite database/),
    });
    expect(failure(() => Project.open(join(dir, 'empty.tessera')))).toMatchObject({
      code: 'notAProject',
      message: expect.stringMatching(/empty file/),
    });
    expect(failure(() => Project.open(join(dir, 'folder.tessera')))).toMatchObject({
      code: 'notAProject',
      message: expect.stringMatching(/folder/),
    });
    expect(failure(() => Project.open(join(dir, 'other.tessera')))).toMatchObject({
      code: 'notAProject',
      message: expect.stringMatching(/no schema_migrations/),
    });
  });

  it('a project from a newer Tessera is unsupported (schema version check), untouched', () => {
    const path = join(tempDir(), 'p.tessera');
    const { p } = project(path);
    p.database
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', 'x')")
      .run();
    p.close();
    const before = readFileSync(path);
    expect(failure(() => Project.open(path))).toMatchObject({
      code: 'unsupportedProject',
      message: expect.stringMatching(/newer or different version/),
    });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

/**
 * Root cannot be refused a write, so as root the read-only test opens the file in a child running
 * as nobody — which needs to read this checkout. A checkout under a directory only root may enter
 * (`mktemp -d` makes one 0700) cannot be read by nobody: there the test cannot be run, and says why.
 */
const nobodyCannotReadCheckout =
  process.getuid?.() === 0 &&
  spawnSync(
    process.execPath,
    ['-e', `require('node:fs').accessSync(${JSON.stringify(join(repoRoot, 'package.json'))})`],
    {
      uid: 65534,
      gid: 65534,
      stdio: 'ignore',
    },
  ).status !== 0;
if (nobodyCannotReadCheckout)
  console.warn(
    `safety.test.ts: the read-only project test is skipped: running as root, and user nobody (uid 65534) cannot read the checkout at ${repoRoot} (a parent directory others may not enter)`,
  );

describe.skipIf(nobodyCannotReadCheckout)('a read-only project file', () => {
  /** Open `path` as a user who may not write it: this process when it is not root, else a child as nobody. */
  async function openAsReader(path: string): Promise<{ code: string; message: string; leftovers: boolean }> {
    const script = `const { Project } = await import('./src-main/backend/store/project.ts'); const { existsSync } = await import('node:fs');
let out; try { Project.open(${JSON.stringify(path)}).close(); out = { code: 'none', message: '' }; } catch (e) { out = { code: e.code ?? 'thrown', message: e.message }; }
out.leftovers = existsSync(${JSON.stringify(`${path}-wal`)}) || existsSync(${JSON.stringify(`${path}-shm`)});
console.log(JSON.stringify(out));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.once('exit', r));
    return JSON.parse(out) as { code: string; message: string; leftovers: boolean };
  }

  it('is refused with "read-only" up front, not as an internal error at the first edit, and leaves no -wal/-shm', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const path = join(dir, 'p.tessera');
    project(path).p.close();
    chmodSync(path, 0o444);
    const r = await openAsReader(path);
    expect(r.code).toBe('readOnlyFile');
    expect(r.message).toMatch(/is read-only/);
    expect(r.leftovers).toBe(false);
  });
});
