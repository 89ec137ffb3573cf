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

/**
 * Areas on a pool of `processes` Node processes instead of one each — the wall time of a machine
 * with that many cores (processes = cores): area a lives in process (a − 1) mod `processes`,
 * which hosts the solvers of all its areas and solves them one after another within a round
 * (each 'solve' names its area, and every message the process sends names one: protocol.ts).
 * Iterates and results are those of one process per area; only where the work runs differs.
 *
 * Failures, as the coordinator sees them: a process that ends takes every area it hosts with it
 * (each sees the exit and is restarted once, into a new process of the same slot). Stopping an
 * area with a grace period (the run ended) stops its process once it is the process's last
 * area; stopping it at once (graceMs 0: the coordinator restarts a crashed or hung area) stops
 * the process now, and the other areas there see "stopped: area N sharing its process was restarted".
 */
export function nodeAreaPool(processes: number, env: NodeJS.ProcessEnv = {}, entry = areaWorkerEntry): SpawnArea {
  if (!Number.isInteger(processes) || processes < 1)
    throw new Error(`the number of area processes must be a positive integer (got ${processes})`);
  const startProcess = nodeAreaTransport(env, entry);
  interface Member {
    listener: (m: FromArea) => void;
    readonly exitListeners: ((reason: string) => void)[];
    exited: boolean;
  }
  interface Slot {
    readonly transport: AreaTransport;
    readonly members: Map<number, Member>;
    exited: boolean;
    /** Why the process was stopped, when an area's restart stopped it under the others. */
    note: string | null;
  }
  const slots: (Slot | null)[] = new Array<Slot | null>(processes).fill(null);
  const memberExit = (m: Member, reason: string) => {
    if (m.exited) return;
    m.exited = true;
    m.exitListeners.forEach((l) => l(reason));
  };
  const slotFor = (area: number, name: string): Slot => {
    const i = (area - 1) % processes;
    const open = slots[i];
    if (open && !open.exited) return open;
    const slot: Slot = { transport: startProcess(area, name), members: new Map(), exited: false, note: null };
    slot.transport.onMessage((m) => {
      const to = slot.members.get(m.area);
      if (to) to.listener(m);
      // An error the process could not attribute to an area it hosts: every area there hears it.
      else if (m.type === 'error') for (const other of slot.members.values()) other.listener(m);
    });
    slot.transport.onExit((reason) => {
      slot.exited = true;
      const members = [...slot.members.values()];
      slot.members.clear();
      for (const m of members) memberExit(m, slot.note ?? reason);
    });
    slots[i] = slot;
    return slot;
  };
  return (area, name): AreaTransport => {
    const slot = slotFor(area, name);
    const me: Member = { listener: () => undefined, exitListeners: [], exited: false };
    // A restarted area replaces its earlier self (already gone with its process, or stopped).
    const earlier = slot.members.get(area);
    if (earlier) memberExit(earlier, 'stopped (replaced by a restart)');
    slot.members.set(area, me);
    return {
      ...(slot.transport.pid !== undefined ? { pid: slot.transport.pid } : {}),
      send: (message) => {
        if (me.exited || message.type === 'cancel') return; // a cancel would end every area of the process: terminate
        slot.transport.send(message.type === 'solve' ? { ...message, area } : message);
      },
      onMessage: (listener) => void (me.listener = listener),
      onExit: (listener) => void me.exitListeners.push(listener),
      terminate: async (graceMs) => {
        if (me.exited) return;
        if (slot.members.get(area) === me) slot.members.delete(area);
        if (slot.members.size === 0) await slot.transport.terminate(graceMs);
        else if (graceMs <= 0) {
          slot.note = `stopped: area ${name} sharing its process was restarted`;
          await slot.transport.terminate(0);
        }
        memberExit(me, 'stopped (the run ended)');
      },
    };
  };
}
