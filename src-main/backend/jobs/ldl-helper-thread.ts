/**
 * The LDLᵀ kernel's second thread in Node (issues #15/#16): a `worker_threads` worker that
 * instantiates the kernel's shared-memory module on the solver's memory and runs the jobs the
 * solver core posts (src-solver/sparse/wasmKernel.ts KernelThreadHost) — the solver core cannot
 * import `node:*`, so the hosts (the CLI, the bench runner, the backend's solver threads) install
 * it with `installLdlHelperThread()`.
 *
 * Protocol: jobs go over a MessagePort; the worker answers on the same port and then bumps a
 * counter in a small SharedArrayBuffer and notifies it, so the solver's thread waits with
 * Atomics.wait (allowed on Node's main thread) and takes the reply with receiveMessageOnPort —
 * no event loop turn needed. When the worker ends (an error outside a job, a terminate), its
 * exit handler sets the "stopped" cell and notifies too: the waiting thread throws a clear error
 * instead of hanging. The worker is unref'd: it never keeps a process alive.
 *
 * Thread count: 2 when `os.availableParallelism() ≥ 2` and `TESSERA_LDL_THREADS` is not 1. The
 * processes that already use every core — ENApp's area processes and the siting pool's workers —
 * do not install it (src-solver/worker/*), so they keep one thread.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  setKernelThreadHost,
  type KernelThreadHost,
  type KernelThreadJob,
  type KernelThreadOptions,
  type KernelThreadReply,
} from '../../../src-solver/sparse/wasmKernel';

/** Control cells: 0 replies posted, 1 worker stopped. */
const REPLIES = 0;
const STOPPED = 1;

/** The worker's code (CommonJS, evaluated: no file to find in a bundle or under tsx). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, control } = workerData;
const ctl = new Int32Array(control);
let bound = null;
process.on('exit', () => { Atomics.store(ctl, ${STOPPED}, 1); Atomics.notify(ctl, ${REPLIES}); });
port.on('message', (job) => {
  if (job.type === 'release') {
    if (bound && bound.id === job.id) bound = null;
    return;
  }
  let reply;
  try {
    if (job.type === 'bind') {
      bound = null;
      const env = { memory: job.memory, solveB() { throw new Error('solveB called on the helper thread'); } };
      const ex = new WebAssembly.Instance(job.module, { env }).exports;
      ex.setup(...job.setup);
      bound = { id: job.id, ex, i32: new Int32Array(job.memory.buffer) };
      reply = {};
    } else {
      if (!bound || bound.id !== job.id) throw new Error('job for kernel ' + job.id + ', which is not bound');
      const ex = bound.ex;
      const r = job.ranges;
      if (job.type === 'factor') {
        const cell = job.progress === undefined ? -1 : job.progress >> 2;
        try {
          let zero = 0, positive = 0, negative = 0;
          for (let i = 0; i < r.length; i += 5) ex.prepareRange(r[i], r[i + 1], r[i + 3], r[i + 4]);
          for (let i = 0; i < r.length; i += 5) {
            zero += ex.factorRange(r[i], r[i + 1], r[i + 2], job.tol);
            positive += ex.positive();
            negative += ex.negative();
            if (cell >= 0) {
              Atomics.store(bound.i32, cell, i / 5 + 1);
              Atomics.notify(bound.i32, cell);
            }
          }
          reply = { zero, positive, negative };
        } finally {
          if (cell >= 0 && !reply) {
            Atomics.store(bound.i32, cell, 0x7fffffff); // failed: release the waiting thread
            Atomics.notify(bound.i32, cell);
          }
        }
      } else if (job.type === 'columns') {
        for (let i = 0; i < r.length; i += 4) ex.updateColumns(r[i], r[i + 1], r[i + 2], r[i + 3]);
        reply = {};
      } else if (job.type === 'forward') {
        for (let i = 0; i < r.length; i += 4) ex.forwardRange(r[i], r[i + 1], r[i + 2], r[i + 3]);
        reply = {};
      } else if (job.type === 'backward') {
        for (let i = r.length - 2; i >= 0; i -= 2) ex.backwardRange(r[i], r[i + 1]);
        reply = {};
      } else throw new Error('unknown job ' + job.type);
    }
  } catch (err) {
    reply = { error: String((err && err.message) || err) };
  }
  port.postMessage(reply);
  Atomics.add(ctl, ${REPLIES}, 1);
  Atomics.notify(ctl, ${REPLIES});
});
`;

export interface LdlHelperThread extends KernelThreadHost {
  /** Stops the worker (kernels created later run on one thread). */
  stop(): Promise<void>;
}

/** A helper thread (not installed: see installLdlHelperThread). */
export function startLdlHelperThread(): LdlHelperThread {
  const control = new SharedArrayBuffer(8);
  const ctl = new Int32Array(control);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, control },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  let exitReason: string | null = null;
  let lastError: string | null = null;
  worker.on('error', (err) => void (lastError = err.message));
  worker.on('exit', (code) => void (exitReason = `exit code ${code}${lastError ? `: ${lastError}` : ''}`));
  let expected = 0;
  let pending = false;
  const port: MessagePort = port1;
  return {
    start(job: KernelThreadJob) {
      if (pending) throw new Error('LDLᵀ helper thread: a job is already running');
      if (exitReason !== null || Atomics.load(ctl, STOPPED))
        throw new Error(`the worker stopped (${exitReason ?? 'exit'})`);
      expected = Atomics.load(ctl, REPLIES) + 1;
      pending = true;
      port.postMessage(job);
    },
    wait(): KernelThreadReply {
      if (!pending) throw new Error('LDLᵀ helper thread: no job to wait for');
      for (;;) {
        const seen = Atomics.load(ctl, REPLIES);
        if (seen >= expected) break;
        if (Atomics.load(ctl, STOPPED)) {
          pending = false;
          throw new Error(`the worker stopped during a job (${exitReason ?? 'exit'})`);
        }
        Atomics.wait(ctl, REPLIES, seen, 1000);
      }
      pending = false;
      const m = receiveMessageOnPort(port);
      if (!m) throw new Error('the worker signalled a reply but none arrived');
      return m.message as KernelThreadReply;
    },
    stopped() {
      return exitReason !== null || Atomics.load(ctl, STOPPED) === 1;
    },
    release(id: number) {
      if (exitReason === null) port.postMessage({ type: 'release', id });
    },
    async stop() {
      port.close();
      await worker.terminate();
    },
  };
}

let installed: LdlHelperThread | null = null;

/** Threads the host would use: 1 with TESSERA_LDL_THREADS=1 or a single core, else 2. */
export function ldlThreadCount(env: NodeJS.ProcessEnv = process.env): 1 | 2 {
  const forced = env.TESSERA_LDL_THREADS;
  if (forced !== undefined && forced !== '') {
    if (forced === '1') return 1;
    if (forced === '2') return 2;
    throw new Error(`TESSERA_LDL_THREADS must be 1 or 2, not "${forced}"`);
  }
  return availableParallelism() >= 2 ? 2 : 1;
}

/**
 * Installs a helper thread for the LDLᵀ kernels created from now on, when ldlThreadCount() is 2
 * and this Node has SharedArrayBuffer; returns the thread count in effect. Idempotent.
 */
export function installLdlHelperThread(options: KernelThreadOptions = {}, env: NodeJS.ProcessEnv = process.env): 1 | 2 {
  if (installed) return 2;
  if (ldlThreadCount(env) < 2 || typeof SharedArrayBuffer !== 'function') return 1;
  installed = startLdlHelperThread();
  setKernelThreadHost(installed, options);
  return 2;
}

/** Removes and stops the installed helper (tests). */
export async function uninstallLdlHelperThread(): Promise<void> {
  const h = installed;
  installed = null;
  setKernelThreadHost(null);
  await h?.stop();
}
