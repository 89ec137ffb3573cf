/**
 * Which build of better-sqlite3's native addon this process loads. A native addon is built for
 * one ABI: Node's (the CLI, the Node host, the tests: the package's own build in
 * node_modules/better-sqlite3/build, made by `npm install`) or Electron's (the desktop app: a
 * separate build in native/electron-<platform>-<arch>/, made by tools/electron-sqlite.mjs, and
 * in the packaged app under resources/native/). Only the Electron main process sets a binding
 * (src-main/electron/main.ts); everything else keeps the package's own, so both runtimes work
 * from one tree in any order and nothing rebuilds the Node addon in place.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

let nativeBinding: string | undefined;

/** Load the addon from this file in every database this process opens from now on (undefined: the package's own). */
export function useSqliteBinding(path: string | undefined): void {
  nativeBinding = path;
}

/** The addon file set by `useSqliteBinding` (undefined: the package's own); worker threads are handed it. */
export function sqliteBindingInUse(): string | undefined {
  return nativeBinding;
}

/** better-sqlite3's options with this process's binding. */
export function sqliteOptions(options: Database.Options = {}): Database.Options {
  return nativeBinding ? { ...options, nativeBinding } : options;
}

/** Open a database with this process's binding. */
export function openDatabase(path: string, options: Database.Options = {}): Database.Database {
  return new Database(path, sqliteOptions(options));
}

/** The folder of the Electron build of the addon for a platform and architecture, under the repository (or resources/). */
export const electronSqliteFolder = (platform: string, arch: string): string =>
  join('native', `electron-${platform}-${arch}`);

/**
 * The Electron build of the addon the desktop app loads: from source, the repository's
 * native/electron-<platform>-<arch>/better_sqlite3.node (tools/electron-sqlite.mjs, run by
 * `npm start`'s prestart); packaged, resources/native/better_sqlite3.node (electron-builder.yml
 * extraResources).
 */
export function electronSqliteBinding(where: {
  readonly packaged: boolean;
  readonly resourcesPath: string;
  readonly repoRoot: string;
  readonly platform: string;
  readonly arch: string;
}): string {
  return where.packaged
    ? join(where.resourcesPath, 'native', 'better_sqlite3.node')
    : join(where.repoRoot, electronSqliteFolder(where.platform, where.arch), 'better_sqlite3.node');
}
