#!/usr/bin/env node
// Builds the headless entries to JavaScript so they start without transpiling TypeScript:
//   cli-dist/tessera.mjs      the `tessera` command (src-main/cli/run.ts), commands split into
//                             chunks loaded on demand
//   cli-dist/area-worker.mjs  one ENApp area's solver process (src-solver/worker/area-worker.ts)
//   cli-dist/siting-worker.mjs  one siting study solver process (src-solver/worker/siting-worker.ts)
//   cli-dist/import-worker.mjs the import preview's worker thread (src-main/backend/import/worker.ts)
//   cli-dist/basecase-worker.mjs the base-case power flow's worker thread (src-main/backend/threephase/basecase-worker.ts)
//   cli-dist/manifest.json    every source file the bundles were built from, with its size and
//                             modification time: bin/tessera.mjs runs the bundle only while
//                             every listed file still has that size and time (otherwise it runs
//                             the sources through tsx, and says so on a terminal)
// npm packages stay external (resolved from node_modules at run time, like the sources do).
// Runs at `npm install`/`npm ci` (the `prepare` script) and before the e2e stage of `npm test`;
// `npm run build:cli` by hand after editing the sources.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
// `--out NAME` builds into another folder directly under the root (tools/build-cli.test.ts).
const outArg = process.argv.indexOf('--out');
const outName = outArg > 0 ? process.argv[outArg + 1] : 'cli-dist';
if (!outName || !/^[\w.-]+$/.test(outName))
  throw new Error('build-cli: --out takes a folder name directly under the repository root');
const outDir = join(root, outName);
// Build into a fresh folder, then swap it in, so a process starting meanwhile never sees half a build.
const tmpDir = `${outDir}.tmp-${process.pid}`;
rmSync(tmpDir, { recursive: true, force: true });
mkdirSync(tmpDir, { recursive: true });

// esbuild comes with Vite, a development dependency: an install without dev dependencies has no
// bundler, and the CLI then runs from source through tsx (a production dependency for that reason).
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  rmSync(tmpDir, { recursive: true, force: true });
  process.stdout.write('build-cli: esbuild is not installed (no dev dependencies); tessera runs from source\n');
  process.exit(0);
}

const t0 = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    tessera: 'src-main/cli/run.ts',
    'area-worker': 'src-solver/worker/area-worker.ts',
    'siting-worker': 'src-solver/worker/siting-worker.ts',
    'import-worker': 'src-main/backend/import/worker.ts',
    'basecase-worker': 'src-main/backend/threephase/basecase-worker.ts',
  },
  outdir: tmpDir,
  outExtension: { '.js': '.mjs' },
  // Chunks sit beside the entries: src-main/paths.ts finds the repository one folder up.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Source files that locate siblings through import.meta.url ask this to know they are bundled.
  define: { __TESSERA_BUNDLE__: 'true' },
  metafile: true,
  logLevel: 'warning',
});

const files = {};
for (const input of [
  ...Object.keys(result.metafile.inputs),
  'tools/build-cli.mjs',
  'bin/build-state.mjs',
  'package.json',
]) {
  const st = statSync(join(root, input));
  files[relative(root, join(root, input)).split('\\').join('/')] = { size: st.size, mtimeMs: st.mtimeMs };
}
writeFileSync(
  join(tmpDir, 'manifest.json'),
  `${JSON.stringify({ builtAt: new Date().toISOString(), files }, null, 1)}\n`,
);
rmSync(outDir, { recursive: true, force: true });
renameSync(tmpDir, outDir);
process.stdout.write(
  `build-cli: ${Object.keys(files).length} sources → ${relative(root, outDir)}/ in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`,
);
