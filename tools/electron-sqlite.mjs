#!/usr/bin/env node
// Builds better-sqlite3's native addon for Electron's ABI into its own folder,
//   native/electron-<platform>-<arch>/better_sqlite3.node   (+ build.json: versions it was made for)
// which the Electron main process loads through better-sqlite3's `nativeBinding` option
// (src-main/backend/store/sqlite.ts). The Node build in node_modules/better-sqlite3 — the CLI's
// and the tests' — is never touched: the package is copied to .tmp/ and rebuilt there with
// @electron/rebuild (electron-builder's own; it fetches a prebuilt addon, else compiles one
// against Electron's headers), so it needs internet the first time.
// Runs before `npm start` (prestart) and by hand before packaging:
//   npm run electron:sqlite [-- --platform win32|darwin|linux --arch x64|arm64] [--force]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: process.platform },
    arch: { type: 'string', default: process.arch },
    force: { type: 'boolean', default: false },
  },
});
const pkgVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const electronVersion = pkgVersion('electron');
const sqliteVersion = pkgVersion('better-sqlite3');
const outDir = join(root, 'native', `electron-${values.platform}-${values.arch}`);
const want = { electron: electronVersion, betterSqlite3: sqliteVersion, platform: values.platform, arch: values.arch };

const stampFile = join(outDir, 'build.json');
if (!values.force && existsSync(join(outDir, 'better_sqlite3.node')) && existsSync(stampFile)) {
  const have = JSON.parse(readFileSync(stampFile, 'utf8'));
  if (Object.entries(want).every(([k, v]) => have[k] === v)) {
    process.stdout.write(`electron-sqlite: up to date (${outDir})\n`);
    process.exit(0);
  }
}

mkdirSync(join(root, '.tmp'), { recursive: true });
const work = mkdtempSync(join(root, '.tmp', 'electron-sqlite-'));
try {
  const pkgDir = join(work, 'node_modules', 'better-sqlite3');
  cpSync(join(root, 'node_modules', 'better-sqlite3'), pkgDir, {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  });
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({
      name: 'tessera-electron-sqlite',
      version: '0.0.0',
      private: true,
      dependencies: { 'better-sqlite3': sqliteVersion },
    }),
  );
  const { rebuild } = await import('@electron/rebuild');
  process.stdout.write(
    `electron-sqlite: better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${values.platform}-${values.arch}) …\n`,
  );
  await rebuild({
    buildPath: work,
    electronVersion,
    arch: values.arch,
    platform: values.platform,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
  const built = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`the rebuild left no ${built}`);
  mkdirSync(outDir, { recursive: true });
  copyFileSync(built, join(outDir, 'better_sqlite3.node'));
  writeFileSync(stampFile, `${JSON.stringify(want, null, 2)}\n`);
  process.stdout.write(`electron-sqlite: wrote ${join(outDir, 'better_sqlite3.node')}\n`);
} catch (err) {
  process.stderr.write(
    `electron-sqlite: could not build better-sqlite3 for Electron ${electronVersion}: ${err instanceof Error ? err.message : String(err)}\n` +
      'It needs internet once (a prebuilt addon, or Electron headers and a C++ toolchain). The CLI and the tests do not need it.\n',
  );
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
