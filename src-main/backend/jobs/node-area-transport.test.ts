/**
 * Area worker processes never outlive their parent and die quietly: a parent killed (SIGKILL)
 * while its area is in the middle of a long solve takes the area with it within a second or two
 * (before: the area computed on until the solve ended), without an EPIPE / channel-closed stack
 * trace on stderr.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../test-support';

const fixture = fileURLToPath(new URL('./area-parent.fixture.ts', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an area worker whose parent dies mid-solve', () => {
  it('exits within 3 s, quietly (no stack trace), long before its solve would have ended', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture, '6'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    parent.stdout.on('data', (d) => (out += String(d)));
    parent.stderr.on('data', (d) => (err += String(d)));
    try {
      const t0 = Date.now();
      while (!/worker \d+/.test(out) && Date.now() - t0 < 90_000) await sleep(50);
      const pid = Number(/worker (\d+)/.exec(out)?.[1]);
      expect(pid, `parent output: ${out} ${err}`).toBeGreaterThan(0);
      parent.kill('SIGKILL');
      const tKill = Date.now();
      while (isAlive(pid) && Date.now() - tKill < 3000) await sleep(50);
      const alive = isAlive(pid);
      if (alive) process.kill(pid, 'SIGKILL');
      expect(alive, 'area worker still running 3 s after its parent was killed').toBe(false);
      // The worker shares the parent's stderr pipe: nothing but what the parent itself wrote.
      await sleep(200);
      expect(err).not.toMatch(/EPIPE|ERR_IPC_CHANNEL_CLOSED|Error/);
      expect(out).not.toMatch(/solved/);
    } finally {
      if (parent.exitCode === null) parent.kill('SIGKILL');
    }
  }, 120_000);
});
