/**
 * The project lock: one process edits a project at a time. Opening takes `<project>.lock`
 * (created exclusively, holding the owner's pid and host name); a second process — or a second
 * window of the same process — finds it held and opens the project read-only, with a message
 * naming the holder. A lock whose process is gone (a crash, a kill) is stale and is taken over.
 * On another machine's lock (a shared folder) the owner cannot be checked, so it counts as held.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { processExists } from '../../../src-solver/worker/parent-watch';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export function lockFileOf(projectPath: string): string {
  return `${projectPath}.lock`;
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string')
      return { pid: o.pid, host: o.host, since: String(o.since ?? '') };
  } catch {
    /* unreadable or half-written: treated as stale below */
  }
  return null;
}

export type LockResult = { readonly held: true; release(): void } | { readonly held: false; readonly owner: LockOwner };

/** Take the project's lock, or learn who holds it. */
export function acquireProjectLock(projectPath: string): LockResult {
  const file = lockFileOf(projectPath);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(file);
      const stale = owner === null || (owner.host === hostname() && !processExists(owner.pid));
      if (!stale) return { held: false, owner };
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      held: true,
      release: () => {
        if (released) return;
        released = true;
        // Only our own lock: a lock taken over after ours went stale is not ours to remove.
        if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  const owner = readOwner(file);
  return { held: false, owner: owner ?? { pid: 0, host: 'unknown', since: '' } };
}

export function describeOwner(owner: LockOwner): string {
  const where = owner.host === hostname() ? '' : ` on ${owner.host}`;
  return owner.pid === process.pid
    ? 'it is already open in this Tessera'
    : `it is open in another Tessera (process ${owner.pid}${where}${owner.since ? `, since ${owner.since}` : ''})`;
}
