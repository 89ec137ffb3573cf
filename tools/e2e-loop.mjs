#!/usr/bin/env node
// Opt-in reliability loop for the end-to-end suite (issue #12: "the whole e2e suite runs 10 times
// in a row without a failure, on a quiet machine and under a CPU load generator"):
//
//   node tools/e2e-loop.mjs [--runs N] [--load K] [--no-build] [-- <playwright args…>]
//
// Builds once (electron-vite and the CLI, as `npm test -- e2e` does; --no-build skips it), then
// runs `playwright test` N times in a row (default 10), stopping at the first failing run. With
// --load K, K child processes busy-loop for the whole loop (a CPU load generator; 0 by default).
// Each run's JSON report is kept under .tmp/e2e-loop/run-<k>.json; a summary closes the output:
// runs, passes, failures, each run's duration and its failed tests. Exit 0 only when every run
// passed. Arguments after `--` go to Playwright (e.g. one spec file).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs(argv) {
  const opts = { runs: 10, load: 0, build: true, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.extra = argv.slice(i + 1);
      break;
    }
    const int = (name) => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`e2e-loop: ${name} takes a whole number ≥ 0, got "${argv[i] ?? ''}"`);
      return v;
    };
    if (a === '--runs') opts.runs = int('--runs');
    else if (a === '--load') opts.load = int('--load');
    else if (a === '--no-build') opts.build = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node tools/e2e-loop.mjs [--runs N] [--load K] [--no-build] [-- <playwright args…>]\n',
      );
      process.exit(0);
    } else throw new Error(`e2e-loop: unknown option "${a}" (see --help)`);
  }
  if (opts.runs < 1) throw new Error('e2e-loop: --runs must be at least 1');
  return opts;
}

/** Terminal colour codes in Playwright's messages. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The failed tests of one Playwright JSON report ("file › title: first error line"). */
function failedTests(report) {
  const out = [];
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const bad = (t.results ?? []).filter((r) => r.status !== 'passed' && r.status !== 'skipped');
        if (bad.length === 0) continue;
        const message = String(bad[0].error?.message ?? bad[0].status)
          .split('\n')[0]
          .replace(ANSI, '');
        out.push(`${spec.file ?? file} › ${spec.title}: ${message}`);
      }
    }
    for (const s of suite.suites ?? []) walk(s, s.file ?? file);
  };
  for (const s of report.suites ?? []) walk(s, s.file);
  return out;
}

function runOnce(k, dir, extra) {
  const out = join(dir, `run-${k}.json`);
  rmSync(out, { force: true });
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['playwright', 'test', '--reporter=line,json', ...extra], {
      stdio: 'inherit',
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out },
      shell: process.platform === 'win32',
    });
    child.on('exit', (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      let stats = null;
      let failed = [];
      if (existsSync(out)) {
        const report = JSON.parse(readFileSync(out, 'utf8'));
        stats = report.stats;
        failed = failedTests(report);
      }
      const passed =
        code === 0 && stats !== null && stats.expected > 0 && stats.unexpected === 0 && (stats.flaky ?? 0) === 0;
      if (!passed && failed.length === 0)
        failed = [`playwright ended with ${signal ?? `exit code ${code}`}${stats ? '' : ' and no report'}`];
      resolve({
        run: k,
        passed,
        seconds,
        tests: stats ? stats.expected + stats.unexpected + (stats.flaky ?? 0) : 0,
        skipped: stats?.skipped ?? 0,
        failed,
      });
    });
  });
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const dir = join('.tmp', 'e2e-loop');
mkdirSync(dir, { recursive: true });

if (opts.build) {
  for (const [cmd, args] of [
    ['npx', ['electron-vite', 'build']],
    ['node', ['tools/build-cli.mjs']],
  ]) {
    const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) {
      process.stderr.write(`e2e-loop: ${cmd} ${args.join(' ')} failed (exit ${r.status})\n`);
      process.exit(2);
    }
  }
}

// The CPU load generator: K processes spinning for the whole loop, killed at the end.
const load = Array.from({ length: opts.load }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
const stopLoad = () => {
  for (const p of load) if (p.exitCode === null) p.kill('SIGKILL');
};
process.on('exit', stopLoad);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const results = [];
const t0 = Date.now();
for (let k = 1; k <= opts.runs; k++) {
  process.stdout.write(
    `\n=== e2e-loop: run ${k} of ${opts.runs}${opts.load ? ` (${opts.load} busy processes)` : ''}\n`,
  );
  const r = await runOnce(k, dir, opts.extra);
  results.push(r);
  process.stdout.write(
    `=== e2e-loop: run ${k} ${r.passed ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(1)} s (${r.tests} tests, ${r.skipped} skipped)\n`,
  );
  if (!r.passed) break;
}
stopLoad();

const passes = results.filter((r) => r.passed).length;
const lines = [
  '',
  `e2e-loop summary: ${results.length} of ${opts.runs} runs made, ${passes} passed, ${results.length - passes} failed; load ${opts.load} busy process(es); ${((Date.now() - t0) / 1000).toFixed(0)} s in all`,
  ...results.map(
    (r) =>
      `  run ${r.run}: ${r.passed ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(1)} s, ${r.tests} tests, ${r.skipped} skipped${r.failed.map((f) => `\n    ${f}`).join('')}`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(passes === opts.runs ? 0 : 1);
