/**
 * Siting studies through the backend: started on the IEEE 123 example scenario, OPFs in real
 * solver processes, live progress, the report kept in the project (and equal to an in-process
 * study of the same inputs), cancel leaves no process, bad requests are clear errors.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary, Scenario, SitingProgressEvent, SitingStudyDetail, SitingStudySummary } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { startedSitingPids } from '../jobs/siting-pool';
import { call } from '../test-support';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function scenario(b: Backend): Promise<Scenario> {
  const summary = await call<{ scenarios: { id: number }[] }>(b, 'projects.openExample', { id: 'ieee123' });
  return call<Scenario>(b, 'scenarios.duplicate', { id: summary.scenarios[0]!.id, name: `siting ${Math.random()}` });
}

describe('siting studies in the app backend', () => {
  it('runs with live progress, keeps the report in the project, lists and re-opens it', async () => {
    const b = new Backend({ resourcesDir, dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting-')), host: 'node-host' });
    try {
      const s = await scenario(b);
      const progress: SitingProgressEvent[] = [];
      const finished: SitingStudySummary[] = [];
      b.on('siting.progress', (p) => progress.push(p));
      b.on('siting.finished', (p) => finished.push(p));
      const started = await call<SitingStudySummary>(b, 'siting.start', {
        scenarioId: s.id,
        settings: { candidates: ['65', '114'], count: 1, days: 1, sizes: [{ kw: 40, kwh: 160 }] },
      });
      expect(started.status).toBe('running');
      await b.siting.wait(started.id);
      const detail = await call<SitingStudyDetail>(b, 'siting.get', { studyId: started.id });
      expect(detail.error).toBeNull();
      expect(detail.status).toBe('done');
      expect(detail.report!.ranked).toHaveLength(2);
      expect(detail.best!.sites[0]!.bus).toBe(detail.report!.ranked[0]!.sites[0]!.bus);
      expect(progress.at(-1)).toMatchObject({ studyId: started.id, done: 3, total: 3 });
      expect(progress.at(-1)!.best).not.toBeNull();
      expect(finished.map((f) => f.id)).toEqual([started.id]);
      const list = await call<SitingStudySummary[]>(b, 'siting.list', { scenarioId: s.id });
      expect(list.map((x) => [x.id, x.status])).toEqual([[started.id, 'done']]);

      // The second-ranked line's verified day as a normal run: stored with the scenario's runs,
      // the line's battery added, and the same OPF — its objective is the verification's.
      const line = detail.report!.ranked[1]!;
      const opened = await call<RunSummary>(b, 'siting.openRun', { studyId: started.id, rank: 2, part: 0 });
      await b.runs.wait(opened.id);
      const runs = await call<RunSummary[]>(b, 'runs.list', { scenarioId: s.id });
      const run = runs.find((r) => r.id === opened.id)!;
      expect(run.status).toBe('solved');
      expect(run.name).toBe(
        `Siting #${started.id} rank 2: ${line.sites[0]!.bus} 40 kW/160 kWh — ${line.verification.parts[0]!.label}`,
      );
      const objective = line.verification.parts[0]!.objective;
      expect(Math.abs(run.objective! - objective)).toBeLessThanOrEqual(1e-6 * Math.abs(objective));
      const runDetail = await call<{ batteryBuses: string[]; periods: number }>(b, 'runs.get', { runId: opened.id });
      expect(runDetail.batteryBuses.at(-1)).toBe(line.sites[0]!.bus);
      expect(runDetail.periods).toBe(24);
      const bad = await b.handle('siting.openRun', { studyId: started.id, rank: 9, part: 0 });
      expect(bad.ok ? 'ok' : bad.error.message).toMatch(/no ranked line 9 \(1–2\)/);
      const badPart = await b.handle('siting.openRun', { studyId: started.id, rank: 1, part: 3 });
      expect(badPart.ok ? 'ok' : badPart.error.message).toMatch(/part 3 is not one of the study's 1 days/);
    } finally {
      b.close();
    }
  }, 600_000);

  it('cancel stops the study, keeps it as cancelled, and leaves no solver process', async () => {
    const b = new Backend({ resourcesDir, dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting-')), host: 'node-host' });
    try {
      const s = await scenario(b);
      const started = await call<SitingStudySummary>(b, 'siting.start', {
        scenarioId: s.id,
        settings: { candidates: 'all', count: 1, days: 4 },
      });
      await new Promise((r) => setTimeout(r, 300));
      await call(b, 'siting.cancel', { studyId: started.id });
      const detail = await call<SitingStudyDetail>(b, 'siting.get', { studyId: started.id });
      expect(detail.status).toBe('cancelled');
      expect(detail.report).toBeNull();
      expect(startedSitingPids.length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(startedSitingPids.filter(isAlive)).toEqual([]);
    } finally {
      b.close();
    }
  }, 120_000);

  it('refuses bad requests with a clear message', async () => {
    const b = new Backend({ resourcesDir, dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting-')), host: 'node-host' });
    try {
      const s = await scenario(b);
      const bad = async (settings: unknown): Promise<string> => {
        const r = await b.handle('siting.start', { scenarioId: s.id, settings });
        return r.ok ? 'ok' : r.error.message;
      };
      expect(await bad({ candidates: [], count: 1, days: 1 })).toMatch(/no candidate bus/);
      expect(await bad({ candidates: ['65', 'Z9'], count: 1, days: 1 })).toMatch(
        /candidate bus not in the feeder .*: Z9/,
      );
      expect(await bad({ candidates: ['65'], count: 2, days: 1 })).toMatch(/2 sites asked for but only 1 candidates/);
      expect(await bad({ candidates: 'all', count: 1, days: 400 })).toMatch(
        /settings\.days must be a whole number from 1 to 365/,
      );
      expect(await bad({ candidates: 'all', count: 1, days: 1, sizes: [{ kw: -1, kwh: 4 }] })).toMatch(
        /size 1 kw must be a positive number/,
      );
      expect(await bad({ candidates: 'all', count: 1, days: 1, budget: 5 })).toMatch(/unknown field "budget"/);
      expect(await call(b, 'siting.list', { scenarioId: s.id })).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('says before starting when one OPF would not fit in the memory there is, and stores nothing', async () => {
    // 128 buses × 24 h × 4,800 B ≈ 14 MiB per day-OPF; give the study 10 MiB.
    const b = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting-')),
      host: 'node-host',
      sitingMemoryBytes: 10 * 1024 ** 2,
    });
    try {
      const s = await scenario(b);
      const r = await b.handle('siting.start', {
        scenarioId: s.id,
        settings: { candidates: 'all', count: 1, days: 2 },
      });
      expect(r.ok ? 'ok' : r.error.message).toMatch(
        /one day's OPF of this feeder \(128 buses × 24 h\) needs about 14 MB, more than the 10 MB this machine has/,
      );
      expect(await call(b, 'siting.list', { scenarioId: s.id })).toEqual([]);
    } finally {
      b.close();
    }
  });
});
