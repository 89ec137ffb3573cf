/**
 * The import worker thread (run.ts): builds one preview (preview.ts) from the file slices it was
 * sent, saves one previewed feeder into the project file (`commit`), posting progress on the
 * way, or reads a stored feeder's JSON text for `feeders.get` (`readFeeder`). The backend terminates the thread to cancel a preview; a commit checks the shared flag
 * before it writes. Under plain Node it is loaded through worker-boot.mjs (tsx); the desktop app
 * bundles it as out/main/import-worker.js, the CLI as cli-dist/import-worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import type { ImportFile } from '../../contract';
import { quickCheckProjectFile, readFeederJson } from '../store/project';
import { useSqliteBinding } from '../store/sqlite';
import { buildImportPreview } from './preview';
import {
  COMMIT_PARSING,
  COMMIT_WRITING,
  commitFeeder,
  feederFromShared,
  feederToShared,
  type ImportWorkerReply,
  type ImportWorkerRequest,
} from './run';

const port = parentPort;
if (port) {
  const post = (m: ImportWorkerReply) => port.postMessage(m);
  /** The files of the preview being received: per index, its name, field and slices. */
  let files: { name: string; field: 'text' | 'base64'; slices: string[] }[] = [];

  /** The reply to one message; none to a file slice. */
  const handle = (m: ImportWorkerRequest): ImportWorkerReply | null => {
    if (m.type === 'file') {
      (files[m.index] ??= { name: m.name, field: m.field, slices: [] }).slices.push(m.slice);
      return null;
    }
    if (m.type === 'preview') {
      const received = files;
      files = [];
      if (received.length !== m.request.fileCount || received.some((f) => f === undefined))
        throw new Error(`received ${received.filter(Boolean).length} of ${m.request.fileCount} files`);
      const list: ImportFile[] = received.map((f) => ({ name: f.name, [f.field]: f.slices.join('') }));
      const built = buildImportPreview({ ...m.request, files: list }, (stage) => post({ type: 'progress', stage }));
      return {
        type: 'done',
        preview: { ...built.preview, feeder: null },
        ...(built.pending
          ? {
              pending: {
                feeder: feederToShared(built.pending.load()),
                source: built.pending.source,
                report: built.pending.report,
                ...(built.pending.threePhase ? { threePhase: built.pending.threePhase } : {}),
              },
            }
          : {}),
      };
    }
    if (m.type === 'quickCheck') {
      if (m.sqliteBinding !== undefined) useSqliteBinding(m.sqliteBinding);
      return { type: 'checked', result: quickCheckProjectFile(m.path) };
    }
    if (m.type === 'readFeeder') {
      if (m.sqliteBinding !== undefined) useSqliteBinding(m.sqliteBinding);
      return { type: 'feederJson', text: readFeederJson(m.path, m.id) };
    }
    post({ type: 'progress', stage: 'saving' });
    const feeder = feederFromShared(m.feeder);
    // Write only if no cancel came first; from here on the commit completes.
    if (Atomics.compareExchange(new Int32Array(m.state), 0, COMMIT_PARSING, COMMIT_WRITING) !== COMMIT_PARSING)
      return { type: 'cancelled' };
    if (m.sqliteBinding !== undefined) useSqliteBinding(m.sqliteBinding);
    const result = commitFeeder(feeder, m.source, m.report, {
      path: m.path,
      ...(m.name === undefined ? {} : { name: m.name }),
    });
    return { type: 'saved', result };
  };

  port.on('message', (m: ImportWorkerRequest) => {
    let reply: ImportWorkerReply | null;
    try {
      reply = handle(m);
    } catch (err) {
      files = [];
      reply = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    if (reply) post(reply);
  });
}
