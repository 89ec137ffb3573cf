/**
 * The import worker thread: builds one preview (preview.ts) per message and posts it back, with
 * progress on the way. The backend terminates the thread to cancel. Under plain Node it is loaded
 * through worker-boot.mjs (tsx); the desktop app bundles it as out/main/import-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { buildImportPreview, type ImportRequest } from './preview';
import type { ImportWorkerReply } from './run';

const port = parentPort;
if (port) {
  port.on('message', (request: ImportRequest) => {
    let reply: ImportWorkerReply;
    try {
      const built = buildImportPreview(request, (stage) => port.postMessage({ type: 'progress', stage } satisfies ImportWorkerReply));
      // The feeder crosses as one JSON string (a memory copy), not as a structured clone of a
      // million objects that the backend's thread would have to rebuild.
      reply = {
        type: 'done',
        preview: { ...built.preview, feeder: null },
        ...(built.pending ? { pending: { feederJson: JSON.stringify(built.pending.load()), source: built.pending.source, report: built.pending.report, ...(built.pending.threePhase ? { threePhase: built.pending.threePhase } : {}) } } : {}),
      };
    } catch (err) {
      reply = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
