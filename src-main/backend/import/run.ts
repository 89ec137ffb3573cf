/**
 * Running an import preview off the backend's thread: one worker thread per preview (worker.ts),
 * progress as it goes, cancel by terminating the thread. `inlineImport` builds it on the calling
 * thread (reference for tests).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImportPreview } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { ApiFailure } from '../errors';
import type { PendingThreePhase } from './threephase-preview';
import { buildImportPreview, type BuiltPreview, type ImportRequest, type ImportStage } from './preview';

export type ImportWorkerReply =
  | { readonly type: 'progress'; readonly stage: ImportStage }
  | {
      readonly type: 'done';
      /** The preview without its feeder (`feeder: null`); the feeder is `pending.feederJson`. */
      readonly preview: ImportPreview;
      readonly pending?: { readonly feederJson: string; readonly source: string; readonly report: unknown; readonly threePhase?: PendingThreePhase };
    }
  | { readonly type: 'error'; readonly message: string };

/** Above this many buses the preview carries no feeder to draw (parsing it would stall the backend). */
export const PREVIEW_FEEDER_MAX_BUSES = 20_000;

/** Rebuild the preview on the backend's side: parse the feeder only when it is small enough to draw. */
function fromWorker(m: Extract<ImportWorkerReply, { type: 'done' }>, maxBuses: number): BuiltPreview {
  const p = m.pending;
  if (!p) return { preview: m.preview };
  let parsed: Feeder | null = null;
  const load = () => (parsed ??= JSON.parse(p.feederJson) as Feeder);
  const feeder = m.preview.ok && m.preview.counts.buses <= maxBuses ? load() : null;
  return { preview: { ...m.preview, feeder }, pending: { load, source: p.source, report: p.report, ...(p.threePhase ? { threePhase: p.threePhase } : {}) } };
}

export type RunImport = (request: ImportRequest, progress: (stage: ImportStage) => void, signal: AbortSignal) => Promise<BuiltPreview>;

/** Where the worker's code is: a bundled .js (desktop app), or the TypeScript entry under tsx. */
export type ImportWorkerEntry = { readonly script: string } | { readonly typescript: string };

/** Defined (true) by tools/build-cli.mjs in the JavaScript build; undeclared when running from source. */
declare const __TESSERA_BUNDLE__: boolean | undefined;
const bundled = typeof __TESSERA_BUNDLE__ !== 'undefined' && __TESSERA_BUNDLE__;

const bootScript = new URL('./worker-boot.mjs', import.meta.url);
/** The CLI build's bundled sibling (cli-dist/import-worker.mjs), else the TypeScript entry under tsx. */
const defaultEntry: ImportWorkerEntry = bundled
  ? { script: fileURLToPath(new URL('./import-worker.mjs', import.meta.url)) }
  : { typescript: new URL('./worker.ts', import.meta.url).href };

function cancelled(): ApiFailure {
  return new ApiFailure('cancelled', 'The import was cancelled');
}

/**
 * Previews in a worker thread. One thread is kept between previews (starting one loads and, under
 * tsx, compiles the parser: seconds) and unref'd while idle, so it never keeps the process alive;
 * a cancelled or failed preview's thread is terminated and the next preview starts a fresh one.
 */
export function workerImport(
  entry: ImportWorkerEntry = defaultEntry,
  options: { readonly previewFeederMaxBuses?: number } = {},
): RunImport {
  const maxBuses = options.previewFeederMaxBuses ?? PREVIEW_FEEDER_MAX_BUSES;
  let idle: Worker | null = null;
  /** The idle thread's exit watcher, removed when the thread is taken again (one per thread, not one per preview). */
  let onIdleExit: (() => void) | null = null;
  const start = () =>
    'script' in entry
      ? new Worker(entry.script)
      : new Worker(bootScript, { workerData: { entry: entry.typescript.startsWith('file:') ? entry.typescript : pathToFileURL(entry.typescript).href } });
  return (request, progress, signal) =>
    new Promise<BuiltPreview>((resolve, reject) => {
      if (signal.aborted) return reject(cancelled());
      const worker = idle ?? start();
      if (idle && onIdleExit) idle.off('exit', onIdleExit);
      idle = null;
      onIdleExit = null;
      worker.ref();
      let settled = false;
      const finish = (keep: boolean, fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (keep && idle === null) {
          worker.unref();
          idle = worker;
          onIdleExit = () => {
            if (idle === worker) idle = null;
          };
          worker.once('exit', onIdleExit);
        } else void worker.terminate();
        fn();
      };
      const onAbort = () => finish(false, () => reject(cancelled()));
      const onMessage = (m: ImportWorkerReply) => {
        if (m.type === 'progress') {
          if (!settled) progress(m.stage);
        } else if (m.type === 'done') finish(true, () => resolve(fromWorker(m, maxBuses)));
        else finish(false, () => reject(new ApiFailure('importFailed', `The import failed: ${m.message}`)));
      };
      const onError = (err: Error) => finish(false, () => reject(new ApiFailure('importFailed', `The import failed: ${err.message}`)));
      const onExit = (code: number) => finish(false, () => reject(new ApiFailure('importFailed', `The import worker stopped (exit code ${code})`)));
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });
}

/** The same preview on the calling thread (blocks it; for tests and tools). */
export const inlineImport: RunImport = async (request, progress, signal) => {
  if (signal.aborted) throw cancelled();
  return buildImportPreview(request, progress);
};
