/**
 * Siting solver processes in the desktop app: Electron utility processes running the siting
 * worker entry (built to out/main/siting-worker.js), speaking the messages of
 * src-solver/worker/siting-worker.ts like the Node child processes of jobs/siting-pool.ts.
 */
import { utilityProcess } from 'electron';
import { join } from 'node:path';
import type { SitingWorkerChannel } from '../backend/jobs/siting-pool';
import { killPid } from './utility-area-transport';

export function utilitySitingWorker(): SitingWorkerChannel {
  const child = utilityProcess.fork(join(__dirname, 'siting-worker.js'), [], {
    serviceName: 'Tessera siting solver',
    stdio: 'inherit',
  });
  let exited = false;
  // child.pid is set once the process has spawned (and unset again at exit): keep the one it had.
  let pid = child.pid;
  child.on('spawn', () => void (pid ??= child.pid));
  child.on('exit', () => void (exited = true));
  return {
    get pid() {
      return (pid ??= child.pid);
    },
    send: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', (code) => l(`exit code ${code}`)),
    // SIGKILL by pid: Electron's kill() sends SIGTERM, which a stopped process never acts on.
    kill: () => {
      if (!exited && !killPid((pid ??= child.pid))) child.kill();
    },
  };
}
