/**
 * Siting solver processes in the desktop app: Electron utility processes running the siting
 * worker entry (built to out/main/siting-worker.js), speaking the messages of
 * src-solver/worker/siting-worker.ts like the Node child processes of jobs/siting-pool.ts.
 */
import { utilityProcess } from 'electron';
import { join } from 'node:path';
import type { SitingWorkerChannel } from '../backend/jobs/siting-pool';

export function utilitySitingWorker(): SitingWorkerChannel {
  const child = utilityProcess.fork(join(__dirname, 'siting-worker.js'), [], { serviceName: 'Tessera siting solver', stdio: 'inherit' });
  let exited = false;
  child.on('exit', () => void (exited = true));
  return {
    pid: child.pid,
    send: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', (code) => l(`exit code ${code}`)),
    kill: () => {
      if (!exited) child.kill();
    },
  };
}
