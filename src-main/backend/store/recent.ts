/**
 * The recent-projects list: `<dataDir>/recent.json`, most recent first, at most 12 entries,
 * written atomically (temporary file, fsync, rename) so a crash leaves the old or the new list,
 * never half of one. Entries whose file has gone are dropped when the list is read.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProjectRef } from '../../contract';

export const MAX_RECENT = 12;

export function recentFile(dataDir: string): string {
  return join(dataDir, 'recent.json');
}

function isRef(x: unknown): x is ProjectRef {
  const r = x as Record<string, unknown>;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof r.path === 'string' &&
    typeof r.name === 'string' &&
    typeof r.openedAt === 'string'
  );
}

/** Read the list; a missing or unreadable file is an empty list (it is only a convenience). */
export function readRecent(dataDir: string): ProjectRef[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(recentFile(dataDir), 'utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isRef).filter((r) => existsSync(r.path));
}

export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Put a project at the top of the list. */
export function touchRecent(
  dataDir: string,
  ref: { path: string; name: string },
  now: Date = new Date(),
): ProjectRef[] {
  mkdirSync(dataDir, { recursive: true });
  const path = resolve(ref.path);
  const list = [
    { path, name: ref.name, openedAt: now.toISOString() },
    ...readRecent(dataDir).filter((r) => resolve(r.path) !== path),
  ].slice(0, MAX_RECENT);
  writeFileAtomic(recentFile(dataDir), `${JSON.stringify(list, null, 2)}\n`);
  return list;
}

export function forgetRecent(dataDir: string, path: string): void {
  const list = readRecent(dataDir).filter((r) => resolve(r.path) !== resolve(path));
  mkdirSync(dataDir, { recursive: true });
  writeFileAtomic(recentFile(dataDir), `${JSON.stringify(list, null, 2)}\n`);
}
