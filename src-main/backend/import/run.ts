/**
 * Running an import preview off the backend's thread: one worker thread per preview (worker.ts),
 * progress as it goes, cancel by terminating the thread. `inlineImport` builds it on the calling
 * thread (reference for tests).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ApiFailure } from '../errors';
import { buildImportPreview, type BuiltPreview, type ImportRequest, type ImportStage } from './preview';

export type ImportWorkerReply =
  | { readonly type: 'progress'; readonly stage: ImportStage }
  | { readonly type: 'done'; readonly built: BuiltPreview }
  | { readonly type: 'error'; readonly message: string };

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

export function workerImport(entry: ImportWorkerEntry = defaultEntry): RunImport {
  return (request, progress, signal) =>
    new Promise<BuiltPreview>((resolve, reject) => {
      if (signal.aborted) return reject(cancelled());
      const worker =
        'script' in entry
          ? new Worker(entry.script)
          : new Worker(bootScript, { workerData: { entry: entry.typescript.startsWith('file:') ? entry.typescript : pathToFileURL(entry.typescript).href } });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        void worker.terminate();
        fn();
      };
      const onAbort = () => finish(() => reject(cancelled()));
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (m: ImportWorkerReply) => {
        if (m.type === 'progress') {
          if (!settled) progress(m.stage);
        } else if (m.type === 'done') finish(() => resolve(m.built));
        else finish(() => reject(new ApiFailure('importFailed', `The import failed: ${m.message}`)));
      });
      worker.on('error', (err) => finish(() => reject(new ApiFailure('importFailed', `The import failed: ${err.message}`))));
      worker.on('exit', (code) => finish(() => reject(new ApiFailure('importFailed', `The import worker stopped (exit code ${code})`))));
      worker.postMessage(request);
    });
}

/** The same preview on the calling thread (blocks it; for tests and tools). */
export const inlineImport: RunImport = async (request, progress, signal) => {
  if (signal.aborted) throw cancelled();
  return buildImportPreview(request, progress);
};
