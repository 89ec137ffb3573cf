/**
 * A pool of siting solver processes (src-solver/worker/siting-worker.ts) under plain Node
 * (`child_process.fork`, structured-clone IPC), one per core by default: the `PartSolver` the
 * siting study (src-solver/siting/study.ts) runs its OPFs through. Each process gets the feeder,
 * study and horizon once, then one (configuration, part) task at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Feeder } from '../../../src-solver/model/feeder';
import type { Study } from '../../../src-solver/opf/study';
import type { BatteryOptions } from '../../../src-solver/siting/battery';
import type { Horizon, PartOutcome, PartSolver } from '../../../src-solver/siting/evaluate';
import type { ThreePhasePartOptions } from '../../../src-solver/siting/threephase';
import type { ThreePhaseFeederScripts, ToSitingWorker } from '../../../src-solver/worker/siting-worker';

declare const __TESSERA_BUNDLE__: boolean | undefined;
const bundled = typeof __TESSERA_BUNDLE__ !== 'undefined' && __TESSERA_BUNDLE__;

/**
 * The siting worker's entry: in the JavaScript build (cli-dist/) its bundled sibling, started by
 * plain Node; from source (tsx, tests) the TypeScript file, started through tsx's loader.
 */
export const sitingWorkerEntry = bundled
  ? fileURLToPath(new URL('./siting-worker.mjs', import.meta.url))
  : fileURLToPath(new URL('../../../src-solver/worker/siting-worker.ts', import.meta.url));

/** Every pid this module started (tests check with `process.kill(pid, 0)` that each is gone). */
export const startedSitingPids: number[] = [];

export interface SitingPool {
  readonly size: number;
  readonly solve: PartSolver;
  /** Ends every process (running tasks reject). */
  close(): void;
  /** Pids started (tests check that each is gone after close). */
  readonly pids: readonly number[];
}

interface Task {
  readonly msg: Extract<ToSitingWorker, { type: 'solve' }>;
  readonly resolve: (o: PartOutcome) => void;
  readonly reject: (e: Error) => void;
}

/** One solver process as the pool sees it: Node child process here, Electron utility process in the app. */
export interface SitingWorkerChannel {
  readonly pid: number | undefined;
  send(message: ToSitingWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export type SpawnSitingWorker = () => SitingWorkerChannel;

/** `child_process.fork` of the worker entry (bundled: plain Node; from source: under tsx). */
export const nodeSitingWorker: SpawnSitingWorker = () => {
  const child: ChildProcess = fork(sitingWorkerEntry, [], {
    execArgv: bundled ? [] : ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  child.on('error', () => undefined);
  child.on('exit', () => void (exited = true));
  return {
    pid: child.pid,
    send: (m) => {
      if (!exited && child.connected) child.send(m);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) =>
      void child.on('exit', (code, signal) =>
        l(
          signal === 'SIGKILL'
            ? 'killed: out of memory or by the system'
            : signal
              ? `signal ${signal}`
              : `exit code ${code}`,
        ),
      ),
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
};

export function createSitingPool(
  feeder: Feeder,
  baseStudy: Study,
  horizon: Horizon,
  batteryOptions: BatteryOptions = {},
  size = availableParallelism(),
  spawn: SpawnSitingWorker = nodeSitingWorker,
): SitingPool {
  return createPool({ type: 'init', feeder, baseStudy, horizon, batteryOptions }, size, spawn);
}

/**
 * The same pool on the three-phase OPF (src-solver/siting/threephase.ts): each process reads the
 * feeder's OpenDSS scripts (text, so nothing but strings crosses the process boundary), sets the
 * taps and capacitor states by the nominal-load power flow with controls (unless `controlsOff`),
 * and solves (configuration, part) tasks with `solveThreePhasePart`.
 */
export function createThreePhaseSitingPool(
  scripts: ThreePhaseFeederScripts,
  baseStudy: Study,
  horizon: Horizon,
  options: ThreePhasePartOptions = {},
  size = availableParallelism(),
  spawn: SpawnSitingWorker = nodeSitingWorker,
): SitingPool {
  return createPool({ type: 'init3', scripts, baseStudy, horizon, options }, size, spawn);
}

function createPool(
  init: Extract<ToSitingWorker, { type: 'init' | 'init3' }>,
  size: number,
  spawn: SpawnSitingWorker,
): SitingPool {
  const n = Math.max(1, Math.floor(size));
  const queue: Task[] = [];
  const busy = new Map<SitingWorkerChannel, Task>();
  const idle: SitingWorkerChannel[] = [];
  const pids: number[] = [];
  let closed = false;
  let nextId = 1;

  const dispatch = (): void => {
    while (idle.length && queue.length) {
      const child = idle.pop()!;
      const task = queue.shift()!;
      busy.set(child, task);
      child.send(task.msg);
    }
  };

  const children: SitingWorkerChannel[] = [];
  for (let k = 0; k < n; k++) {
    const child = spawn();
    if (child.pid !== undefined) {
      pids.push(child.pid);
      startedSitingPids.push(child.pid);
    }
    children.push(child);
    child.onMessage((raw) => {
      const m = raw as { type: string; id: number; outcome?: PartOutcome; message?: string };
      const task = busy.get(child);
      if (!task || task.msg.id !== m.id) return;
      busy.delete(child);
      idle.push(child);
      if (m.type === 'result') task.resolve(m.outcome!);
      else task.reject(new Error(m.message ?? 'siting worker error'));
      dispatch();
    });
    child.onExit((reason) => {
      const task = busy.get(child);
      busy.delete(child);
      const i = idle.indexOf(child);
      if (i >= 0) idle.splice(i, 1);
      if (task) task.reject(new Error(closed ? 'siting study cancelled' : `a siting solver process ended (${reason})`));
    });
    child.send(init);
    idle.push(child);
  }

  return {
    size: n,
    pids,
    solve: (specs, part, wantLmp) =>
      new Promise<PartOutcome>((resolve, reject) => {
        if (closed) return reject(new Error('siting pool closed'));
        queue.push({ msg: { type: 'solve', id: nextId++, specs: [...specs], part, wantLmp }, resolve, reject });
        dispatch();
      }),
    close: () => {
      closed = true;
      for (const t of queue.splice(0)) t.reject(new Error('siting study cancelled'));
      for (const c of children) c.kill();
    },
  };
}
