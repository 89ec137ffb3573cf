/**
 * Imports off the backend's thread, end to end (issue #13: a 1,000,000-bus import blocked the
 * backend for 29 s). A worker thread (worker.ts) builds the preview — unpack, parse, summarise —
 * and, on `import.commit`, parses the previewed feeder again and writes it into the project file
 * through a connection of its own (store/project.ts `addFeederToProjectFile`). What stays on the
 * backend's thread is bounded:
 * - the request's files go to the worker in slices of at most `SLICE_CHARS` characters, one
 *   message per slice with a turn of the event loop between them (a structured clone of a
 *   300 MB script in one message stalls the thread for hundreds of milliseconds);
 * - the feeder comes back as UTF-8 JSON in a SharedArrayBuffer (no copy at all) and is parsed
 *   here only when the preview draws it (at most `PREVIEW_FEEDER_MAX_BUSES` buses); the commit
 *   hands the same buffer back to the worker.
 * Progress as it goes; cancel terminates a preview's thread, and a commit's until it starts
 * writing (a shared flag decides, so a cancelled commit has written nothing, and a commit that
 * started writing completes). The same thread also reads a stored feeder's JSON text for
 * `feeders.get` (`readFeederJson`) and runs SQLite's quick_check of a project file being opened
 * (`quickCheck`): both read the whole of a large feeder or file. `inlineImport` does the same
 * work on the calling thread (the reference the tests compare against).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImportFile, ImportPreview } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { ApiFailure } from '../errors';
import type { PendingThreePhase } from './threephase-preview';
import { addFeederToProjectFile, quickCheckProjectFile, readFeederJson } from '../store/project';
import { sqliteBindingInUse } from '../store/sqlite';
import {
  buildImportPreview,
  type BuiltPreview,
  type ImportRequest,
  type ImportStage,
  type PendingImport,
} from './preview';

/** What the commit reports while it runs (`import.progress`). */
export type CommitStage = 'saving';

/** Where and how a previewed feeder is saved. */
export interface CommitTarget {
  /** The open project's file; the caller holds its lock (`Project.assertWritable`). */
  readonly path: string;
  /** The feeder's name in the project (default: the name it was read with). */
  readonly name?: string;
}

export interface CommitResult {
  readonly feederId: number;
  readonly scenarioId: number;
}

export interface RunImport {
  /** Build a preview (unpack, parse, summarise). */
  (request: ImportRequest, progress: (stage: ImportStage) => void, signal: AbortSignal): Promise<BuiltPreview>;
  /**
   * A stored feeder's JSON text, read from the project file and not parsed (`feeders.get`: the
   * text goes to the client as it is); null when the project has no such feeder.
   */
  readonly readFeederJson: (path: string, id: number) => Promise<string | null>;
  /** SQLite's quick_check of a project file ('ok' or what it found); rejects when it is no database. */
  readonly quickCheck: (path: string) => Promise<string>;
  /** Save a previewed feeder with its base case into the project file. */
  readonly commit: (
    pending: PendingImport,
    target: CommitTarget,
    progress: (stage: CommitStage) => void,
    signal: AbortSignal,
  ) => Promise<CommitResult>;
}

/** The commit's shared flag: the worker moves PARSING → WRITING, a cancel PARSING → CANCELLED; whichever comes first wins. */
export const COMMIT_PARSING = 0;
export const COMMIT_WRITING = 1;
export const COMMIT_CANCELLED = 2;

/** Messages to the worker: a preview arrives as `file` slices, then `preview`. */
export type ImportWorkerRequest =
  | {
      readonly type: 'file';
      readonly index: number;
      readonly name: string;
      readonly field: 'text' | 'base64';
      readonly slice: string;
    }
  | { readonly type: 'preview'; readonly request: Omit<ImportRequest, 'files'> & { readonly fileCount: number } }
  | {
      readonly type: 'commit';
      readonly feeder: SharedArrayBuffer;
      /** Int32Array(1) over it: COMMIT_PARSING / COMMIT_WRITING / COMMIT_CANCELLED. */
      readonly state: SharedArrayBuffer;
      readonly path: string;
      readonly name?: string;
      readonly source: string;
      readonly report: unknown;
      /** The SQLite addon this process loads (the Electron build in the desktop app). */
      readonly sqliteBinding?: string;
    }
  | { readonly type: 'readFeeder'; readonly path: string; readonly id: number; readonly sqliteBinding?: string }
  | { readonly type: 'quickCheck'; readonly path: string; readonly sqliteBinding?: string };

export type ImportWorkerReply =
  | { readonly type: 'progress'; readonly stage: ImportStage | CommitStage }
  | {
      readonly type: 'done';
      /** The preview without its feeder (`feeder: null`); the feeder is `pending.feeder`. */
      readonly preview: ImportPreview;
      readonly pending?: {
        readonly feeder: SharedArrayBuffer;
        readonly source: string;
        readonly report: unknown;
        readonly threePhase?: PendingThreePhase;
      };
    }
  | { readonly type: 'saved'; readonly result: CommitResult }
  | { readonly type: 'feederJson'; readonly text: string | null }
  | { readonly type: 'checked'; readonly result: string }
  | { readonly type: 'cancelled' }
  | { readonly type: 'error'; readonly message: string };

/** Above this many buses the preview carries no feeder to draw (parsing it would stall the backend). */
export const PREVIEW_FEEDER_MAX_BUSES = 20_000;

/** The largest piece of a file's text one message carries to the worker (characters). */
export const SLICE_CHARS = 4 * 1024 * 1024;

/** A feeder as UTF-8 JSON in shared memory: crosses between threads without a copy. */
export function feederToShared(feeder: Feeder): SharedArrayBuffer {
  const json = JSON.stringify(feeder);
  const shared = new SharedArrayBuffer(Buffer.byteLength(json, 'utf8'));
  Buffer.from(shared).write(json, 'utf8');
  return shared;
}

export function feederFromShared(shared: SharedArrayBuffer): Feeder {
  return JSON.parse(Buffer.from(shared).toString('utf8')) as Feeder;
}

/** A pending import whose feeder sits in shared memory (from the worker). */
interface SharedPending extends PendingImport {
  readonly shared: SharedArrayBuffer;
}

/** Rebuild the preview on the backend's side: parse the feeder only when it is small enough to draw. */
function fromWorker(m: Extract<ImportWorkerReply, { type: 'done' }>, maxBuses: number): BuiltPreview {
  const p = m.pending;
  if (!p) return { preview: m.preview };
  let parsed: Feeder | null = null;
  const load = () => (parsed ??= feederFromShared(p.feeder));
  const feeder = m.preview.ok && m.preview.counts.buses <= maxBuses ? load() : null;
  const pending: SharedPending = {
    load,
    source: p.source,
    report: p.report,
    shared: p.feeder,
    ...(p.threePhase ? { threePhase: p.threePhase } : {}),
  };
  return { preview: { ...m.preview, feeder }, pending };
}

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

const turn = () => new Promise<void>((r) => setImmediate(r));

/** The request's files as slices of at most SLICE_CHARS characters (slicing a string does not copy it). */
function* fileSlices(files: readonly ImportFile[], sliceChars: number): Generator<ImportWorkerRequest> {
  for (const [index, f] of files.entries()) {
    const field = f.base64 === undefined ? 'text' : 'base64';
    const all = (field === 'text' ? f.text : f.base64) ?? '';
    if (all.length === 0) yield { type: 'file', index, name: f.name, field, slice: '' };
    for (let at = 0; at < all.length; at += sliceChars)
      yield { type: 'file', index, name: f.name, field, slice: all.slice(at, at + sliceChars) };
  }
}

/**
 * Imports in a worker thread. One thread is kept between jobs (starting one loads and, under tsx,
 * compiles the parser: seconds) and unref'd while idle, so it never keeps the process alive; a
 * cancelled or failed job's thread is terminated and the next job starts a fresh one.
 */
export function workerImport(
  entry: ImportWorkerEntry = defaultEntry,
  options: { readonly previewFeederMaxBuses?: number; readonly sliceChars?: number } = {},
): RunImport {
  const maxBuses = options.previewFeederMaxBuses ?? PREVIEW_FEEDER_MAX_BUSES;
  const sliceChars = options.sliceChars ?? SLICE_CHARS;
  let idle: Worker | null = null;
  /** The idle thread's exit watcher, removed when the thread is taken again (one per thread, not one per job). */
  let onIdleExit: (() => void) | null = null;
  const start = () =>
    'script' in entry
      ? new Worker(entry.script)
      : new Worker(bootScript, {
          workerData: {
            entry: entry.typescript.startsWith('file:') ? entry.typescript : pathToFileURL(entry.typescript).href,
          },
        });

  /**
   * Run one job on a worker: send `messages` (a turn of the event loop between them), then wait
   * for the final reply (`final` maps it to the result, or throws). `onAbort` decides what a
   * cancel does: true → terminate the thread and reject with `cancelled`; false → let the job end.
   */
  const job = <T>(
    messages: Iterable<ImportWorkerRequest>,
    progress: (stage: ImportStage | CommitStage) => void,
    signal: AbortSignal,
    final: (m: Exclude<ImportWorkerReply, { type: 'progress' }>) => T,
    onAbort: () => boolean = () => true,
    what = 'import',
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
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
        signal.removeEventListener('abort', abort);
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
      const abort = () => {
        if (onAbort()) finish(false, () => reject(cancelled()));
      };
      const onMessage = (m: ImportWorkerReply) => {
        if (m.type === 'progress') {
          if (!settled) progress(m.stage);
          return;
        }
        if (m.type === 'error')
          return finish(false, () => reject(new ApiFailure('importFailed', `The ${what} failed: ${m.message}`)));
        if (m.type === 'cancelled') return finish(true, () => reject(cancelled()));
        let value: T;
        try {
          value = final(m);
        } catch (err) {
          return finish(false, () => reject(err));
        }
        finish(true, () => resolve(value));
      };
      const onError = (err: Error) =>
        finish(false, () => reject(new ApiFailure('importFailed', `The ${what} failed: ${err.message}`)));
      const onExit = (code: number) =>
        finish(false, () => reject(new ApiFailure('importFailed', `The ${what} worker stopped (exit code ${code})`)));
      signal.addEventListener('abort', abort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      void (async () => {
        for (const m of messages) {
          if (settled) return;
          worker.postMessage(m);
          await turn();
        }
      })();
    });

  const unexpected = (m: { type: string }) =>
    new ApiFailure('importFailed', `The import worker answered "${m.type}" out of turn`);

  const preview = (request: ImportRequest, progress: (stage: ImportStage) => void, signal: AbortSignal) => {
    const { files, ...rest } = request;
    const messages = (function* () {
      yield* fileSlices(files, sliceChars);
      yield { type: 'preview', request: { ...rest, fileCount: files.length } } satisfies ImportWorkerRequest;
    })();
    return job(messages, progress as (stage: ImportStage | CommitStage) => void, signal, (m) => {
      if (m.type !== 'done') throw unexpected(m);
      return fromWorker(m, maxBuses);
    });
  };

  const commit: RunImport['commit'] = (pending, target, progress, signal) => {
    const shared = 'shared' in pending ? (pending as SharedPending).shared : feederToShared(pending.load());
    const state = new SharedArrayBuffer(4);
    const flag = new Int32Array(state);
    const binding = sqliteBindingInUse();
    const message: ImportWorkerRequest = {
      type: 'commit',
      feeder: shared,
      state,
      path: target.path,
      ...(target.name === undefined ? {} : { name: target.name }),
      source: pending.source,
      report: pending.report,
      ...(binding === undefined ? {} : { sqliteBinding: binding }),
    };
    return job(
      [message],
      progress as (stage: ImportStage | CommitStage) => void,
      signal,
      (m) => {
        if (m.type !== 'saved') throw unexpected(m);
        return m.result;
      },
      // Cancel wins only before the worker starts writing; a write under way completes.
      () => Atomics.compareExchange(flag, 0, COMMIT_PARSING, COMMIT_CANCELLED) === COMMIT_PARSING,
    );
  };

  const readFeederJson: RunImport['readFeederJson'] = (path, id) => {
    const binding = sqliteBindingInUse();
    const message: ImportWorkerRequest = {
      type: 'readFeeder',
      path,
      id,
      ...(binding === undefined ? {} : { sqliteBinding: binding }),
    };
    return job(
      [message],
      () => {},
      new AbortController().signal,
      (m) => {
        if (m.type !== 'feederJson') throw unexpected(m);
        return m.text;
      },
      () => false,
      'feeder read',
    );
  };

  const quickCheck: RunImport['quickCheck'] = (path) => {
    const binding = sqliteBindingInUse();
    return job(
      [{ type: 'quickCheck', path, ...(binding === undefined ? {} : { sqliteBinding: binding }) }],
      () => {},
      new AbortController().signal,
      (m) => {
        if (m.type !== 'checked') throw unexpected(m);
        return m.result;
      },
      () => false,
      'project check',
    );
  };

  return Object.assign(preview, { commit, readFeederJson, quickCheck });
}

/** The same work on the calling thread (blocks it; for tests and tools). */
export const inlineImport: RunImport = Object.assign(
  async (
    request: ImportRequest,
    progress: (stage: ImportStage) => void,
    signal: AbortSignal,
  ): Promise<BuiltPreview> => {
    if (signal.aborted) throw cancelled();
    return buildImportPreview(request, progress);
  },
  {
    commit: async (
      pending: PendingImport,
      target: CommitTarget,
      progress: (stage: CommitStage) => void,
      signal: AbortSignal,
    ): Promise<CommitResult> => {
      if (signal.aborted) throw cancelled();
      progress('saving');
      return commitFeeder(pending.load(), pending.source, pending.report, target);
    },
    readFeederJson: async (path: string, id: number): Promise<string | null> => readFeederJson(path, id),
    quickCheck: async (path: string): Promise<string> => quickCheckProjectFile(path),
  },
);

/** Save a feeder read by an import into the project file (the worker's commit, and the in-thread one). */
export function commitFeeder(read: Feeder, source: string, report: unknown, target: CommitTarget): CommitResult {
  const feeder = target.name ? { ...read, name: target.name } : read;
  return addFeederToProjectFile(target.path, feeder, { source, importReport: report });
}
