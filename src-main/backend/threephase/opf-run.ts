/**
 * Running a three-phase OPF off the backend's thread: one worker thread per run (the base case's,
 * basecase-worker.ts, which also answers `{ opf }` messages), progress per interior-point
 * iteration, cancel by terminating the thread. `inlineThreePhaseOpf` solves on the calling thread
 * (tests).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IterationRecord } from '../../../src-solver/nlp/types';
import { runThreePhaseOpf, type ThreePhaseOpfInput, type ThreePhaseOpfOutput, type ThreePhaseOpfStage } from './opf';
import type { BaseCaseWorkerEntry } from './run';

export type OpfWorkerReply =
  | { readonly type: 'opf-stage'; readonly stage: ThreePhaseOpfStage }
  | { readonly type: 'opf-iteration'; readonly record: IterationRecord }
  | { readonly type: 'opf-done'; readonly output: ThreePhaseOpfOutput }
  | { readonly type: 'opf-error'; readonly message: string };

export interface ThreePhaseOpfEvents {
  readonly stage: (s: ThreePhaseOpfStage) => void;
  readonly iteration: (r: IterationRecord) => void;
}

/** Resolves with the run's output, or with 'cancelled' once the signal aborted it; rejects with the error's message. */
export type RunThreePhaseOpf = (
  input: ThreePhaseOpfInput,
  events: ThreePhaseOpfEvents,
  signal: AbortSignal,
) => Promise<ThreePhaseOpfOutput | 'cancelled'>;

declare const __TESSERA_BUNDLE__: boolean | undefined;
const bundled = typeof __TESSERA_BUNDLE__ !== 'undefined' && __TESSERA_BUNDLE__;

const bootScript = new URL('../import/worker-boot.mjs', import.meta.url);
const defaultEntry: BaseCaseWorkerEntry = bundled
  ? { script: fileURLToPath(new URL('./basecase-worker.mjs', import.meta.url)) }
  : { typescript: new URL('./basecase-worker.ts', import.meta.url).href };

export function workerThreePhaseOpf(entry: BaseCaseWorkerEntry = defaultEntry): RunThreePhaseOpf {
  return (input, events, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return resolve('cancelled');
      const worker =
        'script' in entry
          ? new Worker(entry.script)
          : new Worker(bootScript, {
              workerData: {
                entry: entry.typescript.startsWith('file:') ? entry.typescript : pathToFileURL(entry.typescript).href,
              },
            });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        void worker.terminate();
        fn();
      };
      const onAbort = () => finish(() => resolve('cancelled'));
      worker.on('message', (m: OpfWorkerReply) => {
        if (settled) return;
        if (m.type === 'opf-stage') events.stage(m.stage);
        else if (m.type === 'opf-iteration') events.iteration(m.record);
        else if (m.type === 'opf-done') finish(() => resolve(m.output));
        else if (m.type === 'opf-error') finish(() => reject(new Error(m.message)));
      });
      worker.on('error', (err) => finish(() => reject(err)));
      worker.on('exit', (code) =>
        finish(() => reject(new Error(`the three-phase OPF worker stopped (exit code ${code})`))),
      );
      signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ opf: input });
    });
}

/** The same on the calling thread (blocks it between iterations; for tests). */
export const inlineThreePhaseOpf: RunThreePhaseOpf = async (input, events, signal) => {
  if (signal.aborted) return 'cancelled';
  const out = runThreePhaseOpf(input, { stage: events.stage, iteration: events.iteration, signal });
  return signal.aborted || out.status === 'cancelled' ? 'cancelled' : out;
};
