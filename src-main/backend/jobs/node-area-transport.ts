/**
 * Area processes under plain Node (CLI, Node host, tests): `child_process.fork` of the area
 * worker, structured-clone IPC. The Electron app uses utility processes through the same
 * AreaTransport interface (src-main/electron/utility-area-transport.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AreaTransport, FromArea, SpawnArea } from '../../../src-solver/enapp/protocol';

/** Defined (true) by tools/build-cli.mjs in the JavaScript build; undeclared when running from source. */
declare const __TESSERA_BUNDLE__: boolean | undefined;
const bundled = typeof __TESSERA_BUNDLE__ !== 'undefined' && __TESSERA_BUNDLE__;

/**
 * The area worker's entry: in the JavaScript build (cli-dist/) its bundled sibling, started by
 * plain Node; from source (tsx, tests) the TypeScript file, started through tsx's loader.
 */
export const areaWorkerEntry = bundled
  ? fileURLToPath(new URL('./area-worker.mjs', import.meta.url))
  : fileURLToPath(new URL('../../../src-solver/worker/area-worker.ts', import.meta.url));

/** The test entry with the test doubles (src-solver/testing/worker/area-worker.ts); tests only. */
export const testingAreaWorkerEntry = fileURLToPath(
  new URL('../../../src-solver/testing/worker/area-worker.ts', import.meta.url),
);

/** Every child this module started and that has not exited yet (tests check for orphans). */
export const liveAreaProcesses = new Set<ChildProcess>();
/** Every pid this module started (tests check with `process.kill(pid, 0)` that each is gone). */
export const startedAreaPids: number[] = [];

// Whatever ends this process (an exception, process.exit, a handled signal), its area processes
// end with it — also one that is stopped (SIGSTOP) and so could not notice its parent go.
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveAreaProcesses) child.kill('SIGKILL');
  });
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stopping: boolean): string {
  // Stopped on request (the run ended, a cancel, a restart): not a crash, whatever the signal.
  if (stopping) return 'stopped (the run ended)';
  if (signal === 'SIGKILL') return 'killed (SIGKILL; out of memory or killed by the system)';
  if (signal) return `killed by ${signal}`;
  return `exit code ${code}`;
}

/** Area processes running `entry` (a .ts entry through tsx's loader) with `env` added to ours. */
export function nodeAreaTransport(env: NodeJS.ProcessEnv = {}, entry = areaWorkerEntry): SpawnArea {
  const execArgv = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  killAllOnExit();
  return (): AreaTransport => {
    const child = fork(entry, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...env },
    });
    liveAreaProcesses.add(child);
    if (child.pid !== undefined) startedAreaPids.push(child.pid);
    let exited = false;
    let stopping = false;
    const exitWaiters: (() => void)[] = [];
    const exitListeners: ((reason: string) => void)[] = [];
    child.on('exit', (code, signal) => {
      exited = true;
      liveAreaProcesses.delete(child);
      const reason = describeExit(code, signal, stopping);
      exitListeners.forEach((l) => l(reason));
      exitWaiters.splice(0).forEach((w) => w());
    });
    child.on('error', () => undefined); // reported through 'exit'
    return {
      ...(child.pid !== undefined ? { pid: child.pid } : {}),
      send: (message) => {
        if (!exited && child.connected) child.send(message);
      },
      onMessage: (listener) => void child.on('message', (m) => listener(m as FromArea)),
      onExit: (listener) => void exitListeners.push(listener),
      terminate: (graceMs) =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          stopping = true;
          exitWaiters.push(resolve);
          if (graceMs > 0 && child.connected) {
            child.send({ type: 'cancel' });
            setTimeout(() => !exited && child.kill('SIGKILL'), graceMs).unref();
          } else child.kill('SIGKILL');
        }),
    };
  };
}
