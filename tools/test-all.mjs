#!/usr/bin/env node
// The README's test command (`npm test`): typecheck, lint, formatting (Prettier), unit tests (Vitest), end-to-end tests
// (Playwright in Chromium). Prints one closing line "tests: N passed, N failed, N skipped" and
// fails when anything failed OR when no test ran at all (a runner that finds nothing must not
// look green).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const only = process.argv.slice(2); // e.g. `npm test -- unit` runs one stage
const want = (stage) => only.length === 0 || only.includes(stage);
mkdirSync('.tmp', { recursive: true });

function run(label, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${label}: ${cmd} ${args.join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, ...env },
    shell: process.platform === 'win32',
  });
  process.stdout.write(`=== ${label}: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return r.status === 0;
}

let ok = true;
const tally = { passed: 0, failed: 0, skipped: 0 };

if (want('typecheck')) ok = run('typecheck', 'npm', ['run', '-s', 'typecheck']) && ok;
if (want('lint')) ok = run('lint', 'npx', ['eslint', '.']) && ok;
if (want('format')) ok = run('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']) && ok;

if (want('unit')) {
  const out = '.tmp/vitest.json';
  rmSync(out, { force: true });
  ok = run('unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`]) && ok;
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    tally.passed += j.numPassedTests;
    tally.failed += j.numFailedTests;
    tally.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  } else ok = false;
}

if (want('e2e')) {
  // Chromium, poppler and friends come from the system: install them if missing (Debian).
  if (!process.env.TESSERA_CHROMIUM) ok = run('system packages', 'bash', ['tools/setup-system.sh']) && ok;
  ok = run('build', 'npx', ['electron-vite', 'build']) && ok;
  // The e2e host runs as users run it: from the CLI's JavaScript build, current with the sources.
  ok = run('build cli', 'node', ['tools/build-cli.mjs']) && ok;
  const out = '.tmp/playwright.json';
  rmSync(out, { force: true });
  ok = run('e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out }) && ok;
  if (existsSync(out)) {
    const s = JSON.parse(readFileSync(out, 'utf8')).stats;
    tally.passed += s.expected;
    tally.failed += s.unexpected + (s.flaky ?? 0);
    tally.skipped += s.skipped;
  } else ok = false;
}

if (tally.passed === 0) {
  process.stdout.write('\nNo test ran: treating this as a failure.\n');
  ok = false;
}
process.stdout.write(`\ntests: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped\n`);
process.exit(ok && tally.failed === 0 ? 0 : 1);
