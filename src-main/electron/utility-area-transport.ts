/**
 * Area processes in the desktop app: one Electron utility process per area, running the same
 * worker entry (built to out/main/area-worker.js) and speaking the same messages as the Node
 * child processes of src-main/backend/jobs/node-area-transport.ts.
 */
import { utilityProcess } from 'electron';
import { join } from 'node:path';
import type { AreaTransport, FromArea, SpawnArea } from '../../src-solver/enapp/protocol';

export function utilityAreaTransport(): SpawnArea {
  return (area, name): AreaTransport => {
    const child = utilityProcess.fork(join(__dirname, 'area-worker.js'), [], {
      serviceName: `Tessera area ${area} (${name})`,
      stdio: 'inherit',
    });
    let exited = false;
    const exitListeners: ((reason: string) => void)[] = [];
    const exitWaiters: (() => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      exitListeners.forEach((l) => l(`exit code ${code}`));
      exitWaiters.splice(0).forEach((w) => w());
    });
    return {
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => void child.on('message', (m: unknown) => listener(m as FromArea)),
      onExit: (listener) => void exitListeners.push(listener),
      terminate: (graceMs) =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          exitWaiters.push(resolve);
          if (graceMs > 0) {
            child.postMessage({ type: 'cancel' });
            setTimeout(() => !exited && child.kill(), graceMs);
          } else child.kill();
        }),
    };
  };
}
