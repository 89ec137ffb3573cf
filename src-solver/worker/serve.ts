/**
 * One area's solver process — with the entries, the only Node/Electron-facing code of the solver
 * core (worker/area-worker.ts serves the product's area solvers; tests add their own).
 * It runs under `child_process.fork` (CLI, Node host, tests: process.send / 'message') and as an
 * Electron utility process (process.parentPort). Messages are those of enapp/protocol.ts.
 *
 * A worker never outlives its parent: it exits (quietly, code 0) when the IPC channel closes,
 * when a send fails (EPIPE, channel closed), when a write to stdout/stderr fails with EPIPE, and
 * when the parent process is gone (parent-watch.ts: the channel, re-parenting, the parent's pid) —
 * checked every second while idle, on SIGCONT, and at every progress message while solving (a
 * parent killed mid-solve does not leave its areas computing until the end).
 * Each result carries the round's CPU time (process.cpuUsage, user + system). A process may host
 * several areas (a pool, backend/jobs/node-area-transport.ts nodeAreaPool): each has its own
 * solver, a 'solve' names its area, and they are solved one after another in message order.
 *
 * Fault injection for the fault tests only: TESSERA_FAULT="crash@<area>:<round>" exits with
 * code 3 when that area starts that round, "hang@<area>:<round>" stops answering; with
 * TESSERA_FAULT_ONCE=<file> the fault fires only if that file does not exist yet (and creates it),
 * so a restarted area then succeeds.
 *
 * Hold for the e2e tests of progress and cancel: with TESSERA_TEST_HOLD=<file>, while <file>
 * exists and reads "k" (every round) or "k@r" (round r only), an area's solve stops right after
 * reporting iteration k and waits until <file> is removed; `<file>.held-<area>` exists while it
 * waits. A test thereby sees the run at a known point instead of racing the solver. Only the e2e
 * host (playwright.config.ts) and the tests set it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  AreaInfeasibleError,
  type AreaSolver,
  type AreaSolverFactory,
  type FromArea,
  type ToArea,
} from '../enapp/protocol';
import { processParentProbe, watchParent } from './parent-watch';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** Serve the coordinator's messages in this process with these area solver factories. */
export function serveAreaProcess(factories: Readonly<Record<string, AreaSolverFactory>>): void {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

  /** Leave at once and quietly: the parent is gone, nobody reads our output. */
  function quit(): never {
    process.exit(0);
  }

  // The same watch under fork (IPC channel) and as an Electron utility process (ppid only).
  const parent = watchParent(processParentProbe(parentPort !== undefined), quit);

  let lastParentCheck = 0;
  /** Send to the coordinator; `sent` runs once the message has been handed to the channel. */
  function post(message: FromArea, sent?: () => void): void {
    const now = Date.now();
    if (now - lastParentCheck > 250) {
      lastParentCheck = now;
      parent.check();
    }
    if (parentPort) {
      parentPort.postMessage(message);
      if (sent) setImmediate(sent);
    } else if (process.connected) process.send?.(message, undefined, undefined, (err) => (err ? quit() : sent?.()));
    else quit();
  }

  const fault = /^(crash|hang)@(\d+):(\d+)$/.exec(process.env.TESSERA_FAULT ?? '');
  const holdFile = process.env.TESSERA_TEST_HOLD;
  /** The area of the message being handled (the last one initialized unless a solve names another). */
  let area = 0;
  /** Every area this process hosts (one per process, or several in a pool), by area id. */
  const solvers = new Map<number, AreaSolver>();
  const signal = { aborted: false };

  /** The TESSERA_TEST_HOLD hook: block this (synchronous) solve while `file` asks to hold here. */
  function holdAt(file: string, round: number, iter: number): void {
    let asked: RegExpExecArray | null;
    try {
      asked = /^(\d+)(?:@(\d+))?$/.exec(readFileSync(file, 'utf8').trim());
    } catch {
      return; // no hold asked (or released)
    }
    if (!asked || Number(asked[1]) !== iter || (asked[2] !== undefined && Number(asked[2]) !== round)) return;
    const marker = `${file}.held-${area}`;
    writeFileSync(marker, String(process.pid));
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (existsSync(file)) Atomics.wait(nap, 0, 0, 20);
    rmSync(marker, { force: true });
  }

  /**
   * Handle one message; `done` runs when its answer is on its way (or at once when there is none),
   * so that the next message waits for it (see `receive`).
   */
  function handle(msg: ToArea, done: () => void): void {
    try {
      if (msg.type === 'init') {
        area = msg.area;
        const factory = Object.hasOwn(factories, msg.kind) ? factories[msg.kind] : undefined;
        if (!factory) throw new Error(`unknown area solver "${msg.kind}"`);
        solvers.set(area, factory(msg.spec));
        post({ type: 'ready', area }, done);
      } else if (msg.type === 'solve') {
        if (msg.area !== undefined) area = msg.area;
        const once = process.env.TESSERA_FAULT_ONCE;
        if (fault && Number(fault[2]) === area && Number(fault[3]) === msg.round && !(once && existsSync(once))) {
          if (once) writeFileSync(once, 'fired');
          if (fault[1] === 'crash') process.exit(3);
          return done(); // hang: never answer this round (the process serves its other areas)
        }
        const solver = solvers.get(area);
        if (!solver) throw new Error(solvers.size === 0 ? 'solve before init' : `area ${area} is not hosted here`);
        const cpu0 = process.cpuUsage();
        const r = solver.solve(msg.inputs, msg.round, {
          signal,
          ...(msg.muHint !== undefined ? { muHint: msg.muHint } : {}),
          onProgress: (iter, objective, infPr, extra) => {
            post({ type: 'progress', area, round: msg.round, iter, objective, infPr, ...(extra ? { extra } : {}) });
            if (holdFile) holdAt(holdFile, msg.round, iter);
          },
        });
        const cpu = process.cpuUsage(cpu0);
        const stats = { ...r.stats, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
        post({ type: 'result', area, round: msg.round, outputs: r.outputs, stats, solution: r.solution }, done);
      } else if (msg.type === 'cancel') {
        signal.aborted = true;
        process.exit(0);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const round = msg.type === 'solve' ? msg.round : null;
      if (err instanceof AreaInfeasibleError)
        post({ type: 'error', area, round, message, status: 'infeasible', binding: err.binding }, done);
      else post({ type: 'error', area, round, message }, done);
    }
  }

  /**
   * Messages are handled one at a time, each after the previous one's answer has been written:
   * a process hosting several areas (a pool) gets their 'solve' messages back to back, and a
   * solve is synchronous, so a large result (a 10,240-bus area's solution, MBs) only partly
   * written when the next solve started stayed in the pipe until that solve ended — its area
   * looked silent (hung) meanwhile. A cancel is handled at once.
   */
  const queue: ToArea[] = [];
  let busy = false;
  function pump(): void {
    if (busy) return;
    const msg = queue.shift();
    if (!msg) return;
    busy = true;
    handle(msg, () => {
      busy = false;
      setImmediate(pump);
    });
  }
  function receive(msg: ToArea): void {
    if (msg.type === 'cancel') return handle(msg, () => undefined);
    queue.push(msg);
    pump();
  }

  if (parentPort) parentPort.on('message', (e) => receive(e.data as ToArea));
  else process.on('message', (m) => receive(m as ToArea));
  // A parent that dies takes its areas with it (the watch above): no orphans, no stack traces.
  for (const stream of [process.stdout, process.stderr])
    stream?.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? quit() : undefined));
}
