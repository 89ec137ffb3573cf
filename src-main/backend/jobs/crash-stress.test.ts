/**
 * Opt-in stress test (TESSERA_STRESS=1; `TESSERA_STRESS_RUNS` overrides the count, default 20):
 * the e2e scenario "a crashed area fails the run with the area named and leaves no process"
 * (e2e/runs.spec.ts) through the same backend and area processes, without the browser, repeated
 * under a CPU load generator (one busy-looping process per core). The race it guards: area 3
 * crashes in round 1 (and again after its restart) while the other areas are still solving; the
 * run ends and stops them, and before the supervisor (enapp/coordinator.ts) each of them took
 * the stop for a crash and started a fresh process after the run was over. Each repetition
 * checks that every area process it started is gone within 15 s (the e2e's limit), and the test
 * reports how many repetitions passed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary, Scenario } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { nodeAreaTransport, startedAreaPids } from './node-area-transport';
import { call, isAlive } from '../test-support';

const enabled = process.env.TESSERA_STRESS === '1';
const RUNS = Number(process.env.TESSERA_STRESS_RUNS ?? 20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!enabled)('crashed area under CPU load (opt-in: TESSERA_STRESS=1)', () => {
  it(`fails the run naming the area and leaves no process, ${RUNS} times in a row`, async () => {
    const load: ChildProcess[] = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
    );
    const backend = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-stress-')),
      host: 'node-host',
      spawnArea: nodeAreaTransport({ TESSERA_FAULT: 'crash@3:1' }),
    });
    const outcomes: string[] = [];
    try {
      const summary = await call<{ scenarios: { id: number }[] }>(backend, 'projects.openExample', { id: 'ieee123' });
      const sc = await call<Scenario>(backend, 'scenarios.get', { id: summary.scenarios[0]!.id });
      expect(sc.partition.cuts.length).toBeGreaterThan(0);
      for (let k = 0; k < RUNS; k++) {
        const before = startedAreaPids.length;
        const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'distributed' });
        await backend.runs.wait(run.id);
        const d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
        const t0 = Date.now();
        let left = startedAreaPids.slice(before).filter(isAlive);
        while (left.length > 0 && Date.now() - t0 < 15_000) {
          await sleep(100);
          left = startedAreaPids.slice(before).filter(isAlive);
        }
        const ok =
          d.status === 'failed' &&
          /area 3 \(root \w+\) solver stopped: exit code 3/.test(d.message) &&
          left.length === 0;
        outcomes.push(
          ok ? 'ok' : `run ${k + 1}: ${d.status} "${d.message}", ${left.length} area process(es) alive 15 s later`,
        );
        for (const pid of left) process.kill(pid, 'SIGKILL');
      }
    } finally {
      backend.close();
      for (const p of load) p.kill('SIGKILL');
    }
    const passed = outcomes.filter((o) => o === 'ok').length;
    console.log(`crash stress: ${passed}/${RUNS} repetitions passed under ${load.length} busy-looping processes`);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
  }, 3_600_000);
});
