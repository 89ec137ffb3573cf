/**
 * The desktop app's area transport without the Electron binary (issue #13): a stand-in for
 * Electron's UtilityProcess with its documented behaviour — `pid` undefined until 'spawn' and
 * after 'exit', `kill()` sends SIGTERM — around a real process. The supervisor gets the pid once
 * the process has spawned, and stopping kills by pid with SIGKILL: a stopped (SIGSTOP) area, on
 * which SIGTERM stays pending for ever, is gone too; the exit hook's list holds exactly the
 * live ones.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { isAlive as alive } from '../../src-solver/testing/worker/process';

vi.mock('electron', () => ({
  utilityProcess: {
    fork: () => {
      throw new Error('no Electron in tests');
    },
  },
}));

const { liveUtilityAreas, utilityAreaTransport } = await import('./utility-area-transport');
type Fork = NonNullable<Parameters<typeof utilityAreaTransport>[0]>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Electron's UtilityProcess as documented, around a Node process that idles and records messages. */
const posted: unknown[] = [];
const fakeFork: Fork = () => {
  const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  const child = Object.assign(new EventEmitter(), {
    pid: undefined as number | undefined,
    postMessage: (m: unknown) => void posted.push(m),
    kill: () => proc.kill('SIGTERM'),
  });
  proc.once('spawn', () => {
    child.pid = proc.pid;
    child.emit('spawn');
  });
  proc.once('exit', (code, signal) => {
    child.pid = undefined;
    child.emit('exit', code ?? (signal ? 1 : 0));
  });
  return child;
};

describe.skipIf(process.platform === 'win32')('utilityAreaTransport', () => {
  it('gives the pid once spawned; a stopped area is killed (SIGKILL by pid) and leaves the live list', async () => {
    const t = utilityAreaTransport(fakeFork, 'area-worker.js')(1, 'a');
    const t0 = Date.now();
    while (t.pid === undefined && Date.now() - t0 < 10_000) await sleep(20);
    const pid = t.pid!;
    expect(pid).toBeGreaterThan(0);
    expect(liveUtilityAreas.has(pid)).toBe(true);
    process.kill(pid, 'SIGSTOP');
    const reasons: string[] = [];
    t.onExit((r) => reasons.push(r));
    const done = t.terminate(0);
    const result = await Promise.race([done.then(() => 'stopped'), sleep(5000).then(() => 'still there')]);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    expect(result).toBe('stopped');
    expect(alive(pid)).toBe(false);
    expect(liveUtilityAreas.has(pid)).toBe(false);
    expect(reasons).toHaveLength(1);
    expect(t.pid, 'the pid it had, for diagnostics, after exit').toBe(pid);
  }, 30_000);

  it('with a grace period: asks to cancel first, then kills after the grace', async () => {
    posted.length = 0;
    const t = utilityAreaTransport(fakeFork, 'area-worker.js')(2, 'b');
    const t0 = Date.now();
    while (t.pid === undefined && Date.now() - t0 < 10_000) await sleep(20);
    const pid = t.pid!;
    process.kill(pid, 'SIGSTOP');
    const start = Date.now();
    await t.terminate(300);
    expect(posted).toEqual([{ type: 'cancel' }]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(alive(pid)).toBe(false);
  }, 30_000);
});
