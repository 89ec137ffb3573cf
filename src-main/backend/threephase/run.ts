/**
 * Running a base-case power flow off the backend's thread: one worker thread per run
 * (basecase-worker.ts), progress per solved period, cancel by terminating the thread.
 * `inlineBaseCase` computes on the calling thread (tests).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BaseCaseResult } from '../../contract';
import { ApiFailure } from '../errors';
import { runBaseCase, type BaseCaseInput, type BaseCaseStage } from './basecase';

export type BaseCaseWorkerReply =
  | { readonly type: 'progress'; readonly stage: BaseCaseStage; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly result: BaseCaseResult }
  | { readonly type: 'error'; readonly message: string };

export type RunBaseCase = (
  input: BaseCaseInput,
  progress: (stage: BaseCaseStage, done: number, total: number) => void,
  signal: AbortSignal,
) => Promise<BaseCaseResult>;

/** Where the worker's code is: a bundled .js (desktop app, CLI build), or the TypeScript entry under tsx. */
export type BaseCaseWorkerEntry = { readonly script: string } | { readonly typescript: string };

declare const __TESSERA_BUNDLE__: boolean | undefined;
const bundled = typeof __TESSERA_BUNDLE__ !== 'undefined' && __TESSERA_BUNDLE__;

const bootScript = new URL('../import/worker-boot.mjs', import.meta.url);
const defaultEntry: BaseCaseWorkerEntry = bundled
  ? { script: fileURLToPath(new URL('./basecase-worker.mjs', import.meta.url)) }
  : { typescript: new URL('./basecase-worker.ts', import.meta.url).href };

const cancelled = () => new ApiFailure('cancelled', 'The base-case power flow was cancelled');

export function workerBaseCase(entry: BaseCaseWorkerEntry = defaultEntry): RunBaseCase {
  return (input, progress, signal) =>
    new Promise<BaseCaseResult>((resolve, reject) => {
      if (signal.aborted) return reject(cancelled());
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
      const onAbort = () => finish(() => reject(cancelled()));
      worker.on('message', (m: BaseCaseWorkerReply) => {
        if (m.type === 'progress') {
          if (!settled) progress(m.stage, m.done, m.total);
        } else if (m.type === 'done') finish(() => resolve(m.result));
        else finish(() => reject(new ApiFailure('internal', `The base-case power flow failed: ${m.message}`)));
      });
      worker.on('error', (err) =>
        finish(() => reject(new ApiFailure('internal', `The base-case power flow failed: ${err.message}`))),
      );
      worker.on('exit', (code) =>
        finish(() => reject(new ApiFailure('internal', `The base-case worker stopped (exit code ${code})`))),
      );
      signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(input);
    });
}

/** The same on the calling thread (blocks it; for tests). */
export const inlineBaseCase: RunBaseCase = async (input, progress, signal) => {
  if (signal.aborted) throw cancelled();
  try {
    return runBaseCase(input, progress);
  } catch (err) {
    throw new ApiFailure(
      'internal',
      `The base-case power flow failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
};
