/**
 * Area processes in the desktop app: one Electron utility process per area, running the same
 * worker entry (built to out/main/area-worker.js) and speaking the same messages as the Node
 * child processes of src-main/backend/jobs/node-area-transport.ts.
 *
 * The supervisor's hold on them is the pid (`child.pid`, set once the process has spawned):
 * stopping kills by pid with SIGKILL — Electron's `child.kill()` sends SIGTERM, which a stopped
 * (SIGSTOP) process holds pending for ever — and whatever ends the main process normally ends
 * every area it started. A main process killed outright cannot do that; the worker then notices
 * itself (src-solver/worker/parent-watch.ts: re-parented, or the parent's pid gone).
 */
import { utilityProcess } from 'electron';
import { join } from 'node:path';
import type { AreaTransport, FromArea, SpawnArea } from '../../src-solver/enapp/protocol';

/** The part of Electron's UtilityProcess this transport uses (tests give a stand-in). */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export type ForkUtility = (modulePath: string, options: { serviceName: string; stdio: 'inherit' }) => UtilityChild;

/** Kill a process by pid with SIGKILL (works on a stopped one); false when it is already gone. */
export function killPid(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Every area process started and not yet exited, by pid (the exit hook kills what is left). */
export const liveUtilityAreas = new Set<number>();

let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveUtilityAreas) killPid(pid);
  });
}

const electronFork: ForkUtility = (modulePath, options) => utilityProcess.fork(modulePath, [], options);

export function utilityAreaTransport(
  fork: ForkUtility = electronFork,
  entry = join(__dirname, 'area-worker.js'),
): SpawnArea {
  killAllOnExit();
  return (area, name): AreaTransport => {
    const child = fork(entry, { serviceName: `Tessera area ${area} (${name})`, stdio: 'inherit' });
    // child.pid is undefined until 'spawn', and again after 'exit': keep the one it had.
    let pid: number | undefined = child.pid;
    let exited = false;
    const remember = () => {
      pid ??= child.pid;
      if (pid !== undefined && !exited) liveUtilityAreas.add(pid);
    };
    remember();
    child.on('spawn', remember);
    const exitListeners: ((reason: string) => void)[] = [];
    const exitWaiters: (() => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      if (pid !== undefined) liveUtilityAreas.delete(pid);
      exitListeners.forEach((l) => l(`exit code ${code}`));
      exitWaiters.splice(0).forEach((w) => w());
    });
    const hardKill = () => {
      remember();
      if (!killPid(pid)) child.kill();
    };
    return {
      get pid() {
        remember();
        return pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => void child.on('message', (m: unknown) => listener(m as FromArea)),
      onExit: (listener) => void exitListeners.push(listener),
      terminate: (graceMs) =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          exitWaiters.push(resolve);
          if (graceMs > 0) {
            child.postMessage({ type: 'cancel' });
            setTimeout(() => !exited && hardKill(), graceMs).unref();
          } else hardKill();
        }),
    };
  };
}
