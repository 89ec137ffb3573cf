/**
 * A worker never outlives its parent, whatever the transport (issue #13): the watch's rules on
 * stand-in probes, and the product's area worker started as an Electron utility process is (a
 * parentPort, no IPC channel) under a real Node parent that is then killed with SIGKILL — the
 * worker must go by itself, including when it was stopped (SIGSTOP) at the time and is continued
 * later.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parentGone, type ParentProbe } from './parent-watch';
import { isAlive as alive } from '../testing/worker/process';

const fixture = fileURLToPath(new URL('../testing/worker/utility-area.fixture.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process's state letter from /proc (R, S, T = stopped, Z = zombie), or null when it is gone. */
function state(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!alive(pid) || state(pid) === 'Z') return true;
    await sleep(50);
  }
  return false;
}

describe('parentGone', () => {
  const probe = (p: Partial<ParentProbe>): ParentProbe => ({
    parentPid: 100,
    ppid: () => 100,
    exists: () => true,
    channelOpen: () => null,
    ...p,
  });
  it('the parent is there: same ppid, pid exists, channel open or none', () => {
    expect(parentGone(probe({}))).toBeNull();
    expect(parentGone(probe({ channelOpen: () => true }))).toBeNull();
  });
  it('gone when the channel closed, when re-parented, or when the pid is gone', () => {
    expect(parentGone(probe({ channelOpen: () => false }))).toMatch(/IPC channel/);
    expect(parentGone(probe({ ppid: () => 1 }))).toBe('re-parented (parent 100, now 1)');
    // A reused pid cannot fool it: re-parenting is seen even if some process has the old pid.
    expect(parentGone(probe({ ppid: () => 4242, exists: () => true }))).toMatch(/re-parented/);
    expect(parentGone(probe({ exists: () => false }))).toMatch(/pid 100\) is gone/);
  });
});

describe.skipIf(process.platform !== 'linux')(
  'an area worker started as a utility process (parentPort, no IPC) under a Node parent',
  () => {
    /** A Node parent that starts the fixture without an IPC channel and passes on its "ready <pid>" (its watch is running). */
    function startParent() {
      const code = `
      const { spawn } = require('node:child_process');
      const w = spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(fixture)}], { stdio: ['ignore', 'ignore', 'pipe'] });
      w.stderr.on('data', (d) => process.stdout.write(d));
      setInterval(() => {}, 1 << 30);`;
      const parent = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      parent.stdout.on('data', (d) => (out += String(d)));
      return {
        parent,
        async workerPid(): Promise<number> {
          const t0 = Date.now();
          while (!/ready \d+/.test(out) && Date.now() - t0 < 60_000) await sleep(50);
          return Number(/ready (\d+)/.exec(out)?.[1]);
        },
      };
    }

    it('exits by itself within 3 s of its parent being killed (SIGKILL)', async () => {
      const { parent, workerPid } = startParent();
      const pid = await workerPid();
      try {
        expect(pid).toBeGreaterThan(0);
        expect(alive(pid)).toBe(true);
        parent.kill('SIGKILL');
        expect(await goneWithin(pid, 3000), 'worker alive 3 s after its parent was killed').toBe(true);
      } finally {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        parent.kill('SIGKILL');
      }
    }, 60_000);

    it('stopped (SIGSTOP) when the parent was killed: exits as soon as it is continued', async () => {
      const { parent, workerPid } = startParent();
      const pid = await workerPid();
      try {
        process.kill(pid, 'SIGSTOP');
        parent.kill('SIGKILL');
        await sleep(1500);
        // Stopped, it runs no code: it is still there (the supervisor's SIGKILL by pid would end it).
        expect(state(pid)).toBe('T');
        process.kill(pid, 'SIGCONT');
        expect(await goneWithin(pid, 3000), 'worker alive 3 s after it was continued').toBe(true);
      } finally {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        parent.kill('SIGKILL');
      }
    }, 60_000);
  },
);
