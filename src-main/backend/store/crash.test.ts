/**
 * Crash consistency: a child process writes to a project in a loop and is SIGKILLed at a random
 * moment (several rounds on the same file). After each kill the file must open, pass
 * `PRAGMA integrity_check` and `foreign_key_check`, and hold no half-written entity: every feeder
 * has its base scenario, every run has all three series at full length with its own values, every
 * scenario edit is whole (name and placements together), and every step the child reported done
 * is there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Project } from './project';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const CRASH_BUSES = 2000;
const CRASH_PERIODS = 24;
const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

/** Run the writer until it has reported `steps` iterations (plus a random delay), then SIGKILL it. */
function runAndKill(path: string, first: number, steps: number, extraDelayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', writer, path, String(first), String(CRASH_BUSES), String(CRASH_PERIODS)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let last = first - 1;
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) last = Number(l);
      if (!killing && last - first + 1 >= steps) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

function assertConsistent(path: string, roundFirst: number, reportedUpTo: number): number {
  const p = Project.open(path);
  try {
    const db = p.database;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const feeders = p.listFeeders();
    const scenarios = p.listScenarios();
    expect(scenarios.length).toBe(feeders.length);
    let maxFill = -1;
    for (const f of feeders) {
      const i = Number(f.name.replace('crash-', ''));
      const ss = p.listScenarios(f.id);
      expect(ss).toHaveLength(1);
      const s = p.getScenario(ss[0]!.id);
      if (s.name === 'Base case') {
        expect(s.placements.pv.length).toBe(p.getFeeder(f.id).pv.length);
      } else {
        expect(s.name).toBe(`edited ${i}`);
        expect(s.placements.pv.length).toBe(i % 5);
        expect(s.placements.pv.every((x) => x.pRatedKw === i)).toBe(true);
      }
      for (const r of p.listRuns(s.id)) {
        const { run, series } = p.loadRun(r.id);
        expect((run.stats as { fill: number }).fill).toBe(i);
        expect(Object.keys(series).sort()).toEqual(['pKw', 'qKvar', 'vPu']);
        for (const x of Object.values(series)) {
          expect(x.data.length).toBe(CRASH_BUSES * CRASH_PERIODS);
          expect(x.data.every((v) => v === i)).toBe(true);
        }
        maxFill = Math.max(maxFill, i);
      }
      // Completed steps are durable: every iteration this round reported done has its run and edit.
      if (i >= roundFirst && i <= reportedUpTo) {
        expect(s.name).toBe(`edited ${i}`);
        expect(p.listRuns(s.id)).toHaveLength(1);
      }
    }
    return maxFill;
  } finally {
    p.close();
  }
}

describe('crash consistency', () => {
  it('survives SIGKILL at random moments during writes, over several rounds', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tessera-crash-')), 'crash.tessera');
    Project.create(path, 'Crash').close();
    let next = 0;
    for (let round = 0; round < 4; round++) {
      const last = await runAndKill(path, next, 2 + round, Math.floor(Math.random() * 40));
      expect(last).toBeGreaterThanOrEqual(next + 1 + round);
      assertConsistent(path, next, last);
      next = last + 1000; // fresh iteration numbers per round, so names never collide
    }
  }, 120_000);
});
