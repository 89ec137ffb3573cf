/**
 * The base-case power flow's worker thread: one `BaseCaseInput` per message, progress on the way,
 * the result (or the error's message) at the end; a `{ opf }` message runs a three-phase OPF (opf-run.ts). The backend terminates the thread to cancel.
 * Under plain Node it is loaded through ../import/worker-boot.mjs (tsx); the CLI build bundles it
 * as cli-dist/basecase-worker.mjs, the desktop app as out/main/basecase-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { runBaseCase, type BaseCaseInput } from './basecase';
import type { BaseCaseWorkerReply } from './run';
import { runThreePhaseOpf, type ThreePhaseOpfInput } from './opf';
import type { OpfWorkerReply } from './opf-run';
import { installLdlHelperThread } from '../jobs/ldl-helper-thread';

const port = parentPort;
if (port) {
  port.on('message', (input: BaseCaseInput | { opf: ThreePhaseOpfInput }) => {
    if ('opf' in input) {
      // the three-phase OPF's LDLᵀ on two threads where the machine has two cores (ldl-helper-thread.ts)
      installLdlHelperThread();
      // A three-phase OPF run (opf-run.ts): stages and iterations on the way, the output at the end.
      const send = (m: OpfWorkerReply) => port.postMessage(m);
      try {
        const output = runThreePhaseOpf(input.opf, {
          stage: (stage) => send({ type: 'opf-stage', stage }),
          iteration: (record) => send({ type: 'opf-iteration', record }),
        });
        send({ type: 'opf-done', output });
      } catch (err) {
        send({ type: 'opf-error', message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    let reply: BaseCaseWorkerReply;
    try {
      const result = runBaseCase(input, (stage, done, total) =>
        port.postMessage({ type: 'progress', stage, done, total } satisfies BaseCaseWorkerReply),
      );
      reply = { type: 'done', result };
    } catch (err) {
      reply = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
