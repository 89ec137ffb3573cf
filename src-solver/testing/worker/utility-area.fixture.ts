/**
 * Test fixture (not production): the product's area worker as an Electron utility process sees
 * it — a `process.parentPort` and no IPC channel — under plain Node. The port is a stand-in that
 * writes posted messages to stdout; like Electron's port it keeps the process alive. Used by
 * src-solver/worker/parent-watch.test.ts.
 */
import { EventEmitter } from 'node:events';

const port = Object.assign(new EventEmitter(), {
  postMessage: (m: unknown) => void process.stdout.write(`${JSON.stringify(m)}\n`),
});
(process as unknown as { parentPort: typeof port }).parentPort = port;
setInterval(() => undefined, 1 << 30);
await import('../../worker/area-worker');
process.stderr.write(`ready ${process.pid}\n`);
