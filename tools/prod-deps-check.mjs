#!/usr/bin/env node
// Production entries load with dev dependencies pruned (issue #13). Copies the repository's
// tracked files to a temporary folder, installs only the production dependencies there, then:
//   1. runs the CLI (`tessera --version`, `--help`, `examples --json`, a 1-hour power flow);
//   2. imports every production module of the backend, CLI and solver through tsx, and opens a
//      project (loads the native SQLite binding);
//   3. resolves every package production code loads at run time (e.g. playwright-core for PDFs);
//   4. when out/ is built, resolves every package the bundled Electron main/preload require.
// Usage: node tools/prod-deps-check.mjs [--copy]
//   default: `npm ci --omit=dev` in the copy (needs the registry or a warm npm cache; slow);
//   --copy:  copy the production subset of this checkout's node_modules (`npm ls --omit=dev`),
//            offline and fast — same pruning, without re-downloading.
// Exit 0 when everything loaded; 1 with the failures listed. Run in CI (.ci/run), not in `npm test`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { productionFiles, productionImports } from './prod-deps.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const copyMode = process.argv.includes('--copy');
const failures = [];
const t0 = Date.now();
const say = (s) => process.stdout.write(`${s}\n`);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: r.status };
}

const work = mkdtempSync(join(tmpdir(), 'tessera-prod-deps-'));
try {
  // The tracked files as they are in the working tree.
  const files = sh('git', ['-C', repo, 'ls-files', '-z']).out.split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(repo, f))) continue;
    mkdirSync(dirname(join(work, f)), { recursive: true });
    cpSync(join(repo, f), join(work, f));
  }
  if (existsSync(join(repo, 'out'))) cpSync(join(repo, 'out'), join(work, 'out'), { recursive: true });
  say(`copied ${files.length} files to ${work}`);

  if (copyMode) {
    const ls = sh('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repo });
    const dirs = ls.out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith(join(repo, 'node_modules')));
    for (const d of dirs) cpSync(d, join(work, relative(repo, d)), { recursive: true });
    // npm's .bin links of the copied packages are not needed: entries are run with `node` directly.
    say(`copied ${dirs.length} production packages from node_modules (npm ls --omit=dev)`);
  } else {
    const r = sh('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: work, stdio: 'inherit' });
    if (!r.ok) {
      say('npm ci --omit=dev failed');
      process.exit(1);
    }
  }
  const devOnly = Object.keys(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies);
  const leaked = devOnly.filter((d) => existsSync(join(work, 'node_modules', d)) && !['electron'].includes(d));
  say(`dev dependencies present in the pruned tree (as transitive production ones): ${leaked.join(', ') || 'none'}`);

  // 1. The CLI.
  for (const args of [['--version'], ['--help'], ['examples', '--json'], ['pf', 'ieee123', '--hours', '1', '--json']]) {
    const r = sh(process.execPath, ['bin/tessera.mjs', ...args], { cwd: work });
    say(`${r.ok ? 'ok  ' : 'FAIL'} tessera ${args.join(' ')}`);
    if (!r.ok) failures.push(`tessera ${args.join(' ')}: exit ${r.status}\n${r.out.slice(-2000)}`);
  }

  // 2. Every production module of backend, CLI, solver and shared code, and a project opened.
  const modules = productionFiles(work)
    .filter(
      (f) =>
        /\.(ts|mjs)$/.test(f) &&
        !/src-main[/\\](electron|preload)[/\\]/.test(f) &&
        !/src-renderer/.test(f) &&
        !/[/\\]bin[/\\]/.test(f) &&
        // Test support is not production code (and fixtures act when loaded).
        !/[/\\]testing[/\\]|\.fixture\.ts$|test-support\.ts$/.test(f),
    )
    // Scripts that act on their arguments when loaded (the CLI entry, test writers) are run, not
    // imported; so are worker-thread boot scripts, which read their workerData when loaded.
    .filter((f) => !/\bprocess\.argv\b|\bworkerData\.entry\b/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(work, f));
  const script = `
const failures = [];
for (const m of ${JSON.stringify(modules)}) {
  try { await import('./' + m); } catch (e) { failures.push(m + ': ' + (e && e.message)); }
}
try {
  const { Project } = await import('./src-main/backend/store/project.ts');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  Project.create(join(mkdtempSync(join(tmpdir(), 'tessera-prod-')), 'p.tessera'), 'p').close();
} catch (e) { failures.push('opening a project (better-sqlite3 native binding): ' + (e && e.message)); }
console.log(JSON.stringify(failures));`;
  // Bounded: a module that keeps the process alive when imported is a failure, not a stalled CI.
  const imp = sh(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: work,
    timeout: 300_000,
  });
  let importFailures;
  try {
    importFailures = JSON.parse(imp.out.trim().split('\n').at(-1));
  } catch {
    importFailures = [`the import script failed: ${imp.out.slice(-2000)}`];
  }
  say(
    `${importFailures.length === 0 ? 'ok  ' : 'FAIL'} imported ${modules.length} production modules and opened a project`,
  );
  failures.push(...importFailures);

  // 3. Packages loaded at run time.
  const req = createRequire(join(work, 'package.json'));
  for (const name of productionImports(work).runtime) {
    try {
      req.resolve(name);
      say(`ok   run-time package ${name}`);
    } catch {
      say(`FAIL run-time package ${name}`);
      failures.push(`${name} is loaded at run time but is not installed without dev dependencies`);
    }
  }

  // 4. The bundled Electron main and preload: their require()s of packages.
  for (const dir of ['out/main', 'out/preload']) {
    if (!existsSync(join(work, dir))) {
      say(`skip ${dir} (not built: npm run build)`);
      continue;
    }
    const needed = new Set();
    const builtins = createRequire(import.meta.url)('node:module').builtinModules;
    const bundled = (d) =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? bundled(join(d, e.name)) : /\.(c?js|mjs)$/.test(e.name) ? [join(d, e.name)] : [],
      );
    for (const f of bundled(join(work, dir))) {
      const text = readFileSync(f, 'utf8');
      const specs = [
        ...text.matchAll(/^import\s[^;]*?\bfrom\s*["']([^"']+)["']/gm),
        ...text.matchAll(/^import\s*["']([^"']+)["']/gm),
        ...text.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1]);
      for (const spec of specs) {
        if (spec.startsWith('.') || spec.startsWith('node:') || !/^(@[\w.~-]+\/)?[\w.~-]+(\/[\w.~/-]*)?$/.test(spec))
          continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (name !== 'electron' && !builtins.includes(name)) needed.add(name);
      }
    }
    for (const name of needed) {
      try {
        req.resolve(name);
      } catch {
        failures.push(`${dir} requires ${name}, which is not installed without dev dependencies`);
      }
    }
    say(
      `${[...needed].every((n) => !failures.some((f) => f.includes(` ${n},`))) ? 'ok  ' : 'FAIL'} ${dir} requires: ${[...needed].join(', ') || 'nothing outside electron'}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
say(
  `\nprod-deps-check: ${failures.length === 0 ? 'ok' : `${failures.length} failure(s)`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
for (const f of failures) say(`- ${f}`);
process.exit(failures.length === 0 ? 0 : 1);
