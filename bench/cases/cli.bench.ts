/**
 * Start-up of the headless processes as a user runs them (whole process, wall clock, in one run):
 *   - `tessera --version` (target < 150 ms);
 *   - an ENApp area worker: fork of cli-dist/area-worker.mjs until its first answer (an `init`
 *     of an unknown solver kind, answered with an error message without building a model;
 *     target < 150 ms);
 *   - `tessera solve ieee123 --json -`: whole process minus the solver's own seconds (from the
 *     JSON) — the start-up, import, checks, validating power flow and output around the solve
 *     (target ≤ 0.6 s).
 * Each from the JavaScript build (tools/build-cli.mjs, rebuilt first when stale) and, for
 * comparison in the same run, from the TypeScript sources through tsx (TESSERA_FROM_SOURCE=1).
 * The case fails when a target is missed (medians of several starts); `bareNodeMs`, a bare
 * `node -e 0` timed in the same run, shows how much of that is the machine's process start.
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../src-main/paths';
import type { BenchCase } from '../types';

const bin = join(repoRoot, 'bin', 'tessera.mjs');
const REPEAT = 7;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function timeProcess(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`tessera ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return { ms, stdout: r.stdout };
}

function workerStartMs(entry: string, execArgv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = fork(entry, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m: { type?: string }) => {
      const ms = performance.now() - t0;
      child.kill('SIGKILL');
      if (m.type === 'error') resolve(ms);
      else reject(new Error(`area worker answered ${JSON.stringify(m)}`));
    });
    child.once('exit', (code) => reject(new Error(`area worker exited (${code}) before answering`)));
    child.send({ type: 'init', area: 0, name: 'bench', kind: 'no-such-solver', spec: null });
  });
}

function solveOverhead(env: NodeJS.ProcessEnv = {}): {
  wallSeconds: number;
  solverSeconds: number;
  overheadSeconds: number;
} {
  const { ms, stdout } = timeProcess(['solve', 'ieee123', '--json', '-'], env);
  const solverSeconds = (JSON.parse(stdout) as { solver: { seconds: number } }).solver.seconds;
  return { wallSeconds: ms / 1000, solverSeconds, overheadSeconds: ms / 1000 - solverSeconds };
}

const cases: BenchCase[] = [
  {
    name: 'cli start: --version, area worker, solve ieee123',
    size: { starts: REPEAT },
    async run() {
      execFileSync(process.execPath, [join(repoRoot, 'tools', 'build-cli.mjs')], { stdio: 'ignore' });
      const fromSource = { TESSERA_FROM_SOURCE: '1' };
      // The floor on this machine in this run: a bare Node process.
      const bare = [];
      for (let i = 0; i < REPEAT; i++) {
        const t0 = performance.now();
        spawnSync(process.execPath, ['-e', '0']);
        bare.push(performance.now() - t0);
      }
      const version = [];
      const versionSource = [];
      for (let i = 0; i < REPEAT; i++) {
        version.push(timeProcess(['--version']).ms);
        versionSource.push(timeProcess(['--version'], fromSource).ms);
      }
      const worker = [];
      const workerSource = [];
      for (let i = 0; i < REPEAT; i++) {
        worker.push(await workerStartMs(join(repoRoot, 'cli-dist', 'area-worker.mjs'), []));
        workerSource.push(
          await workerStartMs(join(repoRoot, 'src-solver', 'worker', 'area-worker.ts'), ['--import', 'tsx']),
        );
      }
      const solves = [solveOverhead(), solveOverhead(), solveOverhead()];
      const solveSource = solveOverhead(fromSource);
      const solve = solves.sort((a, b) => a.overheadSeconds - b.overheadSeconds)[1]!;
      const result = {
        bareNodeMs: median(bare),
        versionMs: median(version),
        versionFromSourceMs: median(versionSource),
        areaWorkerStartMs: median(worker),
        areaWorkerStartFromSourceMs: median(workerSource),
        solveWallSeconds: solve.wallSeconds,
        solveSolverSeconds: solve.solverSeconds,
        solveOverheadSeconds: solve.overheadSeconds,
        solveFromSourceWallSeconds: solveSource.wallSeconds,
        solveFromSourceOverheadSeconds: solveSource.overheadSeconds,
      };
      const missed = [
        result.versionMs >= 150 && `--version ${result.versionMs.toFixed(0)} ms ≥ 150 ms`,
        result.areaWorkerStartMs >= 150 && `area worker start ${result.areaWorkerStartMs.toFixed(0)} ms ≥ 150 ms`,
        result.solveOverheadSeconds > 0.6 && `solve overhead ${result.solveOverheadSeconds.toFixed(2)} s > 0.6 s`,
      ].filter(Boolean);
      if (missed.length > 0)
        throw new Error(`start-up targets missed: ${missed.join('; ')} (${JSON.stringify(result)})`);
      return result;
    },
  },
];

export default cases;
