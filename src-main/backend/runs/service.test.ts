/**
 * Runs end to end through real area processes (Node child processes running the area worker):
 * a centralized IEEE 123 run reports its iterations, is stored 'solved' with the totals an
 * in-process solveOpf (no process, no store) gives, is listed and re-opened; cancel leaves no
 * process; an infeasible study and a crashed area keep their record with the specific message.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunComparison, RunDetail, RunProgress, RunSummary, Scenario, StudySettings } from '../../contract';
import { solveOpf } from '../../../src-solver/opf/solve';
import { withPlacements } from '../../../src-solver/model/placement';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { buildReportHtml } from '../report/template';
import { liveAreaProcesses, nodeAreaTransport, startedAreaPids } from '../jobs/node-area-transport';
import { call, isAlive } from '../test-support';

async function openIeee123(b: Backend, study: Partial<StudySettings>): Promise<Scenario> {
  const summary = await call<{ scenarios: { id: number }[] }>(b, 'projects.openExample', { id: 'ieee123' });
  const dup = await call<Scenario>(b, 'scenarios.duplicate', {
    id: summary.scenarios[0]!.id,
    name: `test ${Math.random()}`,
  });
  return call<Scenario>(b, 'scenarios.update', { id: dup.id, patch: { study } });
}

async function finished(b: Backend, runId: number): Promise<RunSummary> {
  await b.runs.wait(runId);
  return (
    await call<RunSummary[]>(b, 'runs.list', {
      scenarioId: (await call<RunDetail>(b, 'runs.get', { runId })).scenarioId,
    })
  ).find((r) => r.id === runId)!;
}

describe('centralized runs through the area process', () => {
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-runs-')),
    host: 'node-host',
  });
  const progress: RunProgress[] = [];
  const done: RunSummary[] = [];
  backend.on('run.progress', (p) => progress.push(p));
  backend.on('run.finished', (s) => done.push(s));
  afterAll(() => backend.close());

  let scenario: Scenario;
  let detail: RunDetail;
  beforeAll(async () => {
    scenario = await openIeee123(backend, { periods: 5 });
    const started = await call<RunSummary>(backend, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' });
    expect(started.status).toBe('running');
    await backend.runs.wait(started.id);
    detail = await call<RunDetail>(backend, 'runs.get', { runId: started.id });
  }, 120_000);

  it('reports interior-point iterations while solving and the end as run.finished', () => {
    const its = progress.filter((p) => p.runId === detail.id && p.iteration);
    expect(its.length).toBeGreaterThan(5);
    expect(its.map((p) => p.iteration!.iter)).toEqual(its.map((_, k) => k)); // 0, 1, 2, … in order
    expect(its.at(-1)!.iteration!.infPr).toBeLessThan(1e-8);
    expect(done.find((s) => s.id === detail.id)?.status).toBe('solved');
  });

  it('stores the run solved with the totals of an in-process solveOpf (1e-9 relative)', () => {
    expect(detail.status).toBe('solved');
    expect(detail.periods).toBe(5);
    // Independent path: the scenario's study written out here, solved in this process.
    const s = scenario.study;
    const feeder = withPlacements(backend.projects.getFeeder({ id: scenario.feederId }), scenario.placements);
    const direct = solveOpf(
      feeder,
      {
        periods: 5,
        dtH: s.dtH,
        startHour: s.startHour,
        objective: s.objective,
        terminalSoc: s.terminalSoc,
        batteryLimit: s.batteryLimit,
        relax: s.relax,
        vMinPu: s.vMinPu,
        vMaxPu: s.vMaxPu,
        currentLimits: s.currentLimits,
        alpha: s.alpha,
        loadProfile: { intervalH: 1, values: s.loadShape },
        pvProfile: { intervalH: 1, values: s.pvShape },
        priceCentsPerKwh: { intervalH: 1, values: s.priceCentsPerKwh },
      },
      { nlp: { tol: s.tolerance } },
    ).results;
    expect(direct.status).toBe('solved');
    for (const [k, v] of Object.entries(direct.totals)) {
      expect(Math.abs(detail.totals![k as keyof typeof direct.totals] - v)).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(v)),
      );
    }
    expect(detail.objective).toBeCloseTo(direct.objective, 9);
    // Series: the substation power per period and every bus voltage, as solved.
    expect(detail.series.substationKw).toEqual(direct.periods.map((p) => p.substationKw));
    const T = 5;
    direct.busNames.forEach((_, b) => {
      for (let t = 0; t < T; t++) expect(detail.series.voltagePu![b * T + t]).toBe(direct.periods[t]!.vPu[b]);
    });
    // Invariant: Σ substation energy = demand + losses − PV − battery net discharge (kWh).
    const t = detail.totals!;
    expect(t.substationKwh).toBeCloseTo(t.demandKwh + t.lineLossKwh - t.pvKwh - t.batteryKwh, 3);
    expect(detail.validation!.maxVoltageDiffPu).toBeLessThan(1e-6);
    expect(detail.log).toMatch(/iter\s+objective/);
  });

  it('stores every branch current and flow of the validating power flow (runs.branchSeries, not runs.get); the example rates no branch, so no loading', async () => {
    const feeder = backend.projects.getFeeder({ id: scenario.feederId });
    const T = 5;
    expect(Object.keys(detail.series).filter((k) => k.startsWith('branch'))).toEqual([]);
    const { series } = await call<{ series: Record<string, number[]> }>(backend, 'runs.branchSeries', {
      runId: detail.id,
    });
    expect(Object.keys(series).sort()).toEqual(['branchCurrentA', 'branchLoadingPct', 'branchPKw', 'branchQKvar']);
    expect(detail.branchNames).toEqual(feeder.branches.map((b) => b.name));
    expect(detail.branchAmpacityA.every((a) => a === null)).toBe(true);
    expect(series.branchCurrentA).toHaveLength(feeder.branches.length * T);
    expect(series.branchLoadingPct).toEqual([]);
    // Each branch's far bus is fed through it: |S| = |V|·|I| at its sending end (second reading of the stored numbers).
    const busIndex = new Map(detail.busNames.map((n, i) => [n, i]));
    detail.branchNames.forEach((_, e) => {
      const from = busIndex.get(detail.branchFrom[e]!)!;
      const base = feeder.buses.find((b) => b.name === detail.branchFrom[e])!.vBaseKv;
      for (let t = 0; t < T; t++) {
        const s = Math.hypot(series.branchPKw![e * T + t]!, series.branchQKvar![e * T + t]!);
        const vi = detail.series.voltagePu![from * T + t]! * base * series.branchCurrentA![e * T + t]!;
        expect(Math.abs(s - vi)).toBeLessThan(1e-3 * Math.max(1, s));
      }
    });
  });

  it('lists the run under its scenario and re-opens it from the store', async () => {
    const list = await call<RunSummary[]>(backend, 'runs.list', { scenarioId: scenario.id });
    expect(list.map((r) => [r.id, r.status, r.kind])).toEqual([[detail.id, 'solved', 'centralized']]);
    const again = await call<RunDetail>(backend, 'runs.get', { runId: detail.id });
    expect(again).toEqual(detail);
  });

  it('names a run in place: the name comes back in runs.list and runs.get, an empty name removes it, a bad id is refused', async () => {
    expect(detail.name).toBe('');
    const named = await call<RunSummary>(backend, 'runs.rename', { runId: detail.id, name: '  Base case, 5 h  ' });
    expect(named).toMatchObject({ id: detail.id, name: 'Base case, 5 h', status: 'solved' });
    expect(
      (await call<RunSummary[]>(backend, 'runs.list', { scenarioId: scenario.id })).find((r) => r.id === detail.id)!
        .name,
    ).toBe('Base case, 5 h');
    expect((await call<RunDetail>(backend, 'runs.get', { runId: detail.id })).name).toBe('Base case, 5 h');
    await call(backend, 'runs.rename', { runId: detail.id, name: '' });
    expect((await call<RunDetail>(backend, 'runs.get', { runId: detail.id })).name).toBe('');
    const r = await backend.handle('runs.rename', { runId: 999_999, name: 'x' });
    expect(r).toMatchObject({ ok: false, error: { code: 'notFound' } });
  });

  it('cancel mid-solve: status cancelled, record kept, no area process left', async () => {
    const s24 = await openIeee123(backend, { periods: 24 });
    const before = startedAreaPids.length;
    const firstIteration = new Promise<void>((resolve) => {
      const off = backend.on('run.progress', (p) => p.iteration && (off(), resolve()));
    });
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: s24.id, kind: 'centralized' });
    await firstIteration;
    await call(backend, 'runs.cancel', { runId: run.id });
    const pids = startedAreaPids.slice(before);
    expect(pids.length).toBe(1);
    expect(pids.filter(isAlive)).toEqual([]);
    const d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    expect([d.status, d.message]).toEqual(['cancelled', 'cancelled by the user']);
    expect(d.finishedAt).not.toBeNull();
  }, 120_000);

  it('an infeasible study (V_min 1.02 pu) ends infeasible with the solver message; the record is kept', async () => {
    const bad = await openIeee123(backend, { periods: 3, vMinPu: 1.02 });
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: bad.id, kind: 'centralized' });
    const s = await finished(backend, run.id);
    expect(s.status).toBe('infeasible');
    expect(s.message).toMatch(/voltage lower limit 1\.02 pu/);
    const d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    expect(d.totals).toBeNull();
    expect(d.iterations).toBeGreaterThan(0);
    // Its report says so instead of showing numbers.
    const html = buildReportHtml(backend.reports.input({ runId: run.id }));
    expect(html).toContain('No results: the run ended');
    expect(html).not.toContain('data-chart=');
  }, 120_000);

  it('a distributed run of an infeasible study ends infeasible naming the limit, bus, hour and area (not failed)', async () => {
    const bad = await openIeee123(backend, { periods: 3, vMinPu: 1.02 });
    expect(bad.partition.cuts.length).toBeGreaterThan(0);
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: bad.id, kind: 'distributed' });
    const s = await finished(backend, run.id);
    expect(s.status).toBe('infeasible');
    expect(s.message).toMatch(
      /^area \d+ \(root \w+\) is infeasible in round 1: .*Binding: voltage lower limit 1\.02 pu at bus \w+ \(hour \d+\)/,
    );
  }, 120_000);

  it('a distributed run of the same scenario: rounds reported, areas stored, totals agree with the centralized run', async () => {
    expect(scenario.partition.cuts.length).toBeGreaterThan(0);
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: scenario.id, kind: 'distributed' });
    const s = await finished(backend, run.id);
    expect([s.status, s.message]).toEqual(['solved', expect.stringMatching(/^converged in \d+ rounds/)]);
    const d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    expect(d.distributed!.areas.length).toBe(scenario.partition.cuts.length + 1);
    expect(d.distributed!.rounds.length).toBe(s.rounds);
    expect(d.distributed!.maxBoundaryChangePu).toBeLessThan(scenario.study.boundaryTolerancePu);
    const rounds = progress.filter((p) => p.runId === run.id && p.round).map((p) => p.round!.round);
    const solving = progress.filter((p) => p.runId === run.id && p.area?.state === 'solving');
    expect(solving.length).toBe(d.distributed!.areas.length * d.distributed!.rounds.length);
    expect(rounds).toEqual(d.distributed!.rounds.map((r) => r.round));
    const cmp = await call<RunComparison>(backend, 'runs.compare', { a: detail.id, b: run.id });
    expect(cmp.mode).toBe('method');
    const row = (q: string) => cmp.rows.find((r) => r.quantity === q)!;
    expect(row('Energy cost').relDiff).toBeLessThan(1e-3);
    expect(row('Substation energy').relDiff).toBeLessThan(1e-3);
    // The report of a distributed run has its rounds table and convergence chart.
    const html = buildReportHtml(backend.reports.input({ runId: run.id }));
    expect(html).toContain('data-chart="convergence"');
    expect(html).toContain('Largest boundary change');
    expect(html.match(/<tr><td>\d+<\/td><td class="num">\d\.\d\de[-+]\d+<\/td>/g)!.length).toBe(
      d.distributed!.rounds.length,
    );
    // Coordination, per-round per-area CPU seconds and the critical path (their slowest area, summed).
    const dd = d.distributed!;
    expect(dd.coordination).toBe('exact');
    for (const r of dd.rounds) {
      expect(r.areaCpuSeconds).toHaveLength(dd.areas.length);
      for (const c of r.areaCpuSeconds!) expect(c).toBeGreaterThan(0);
    }
    const crit = dd.rounds.reduce((t, r) => t + Math.max(...r.areaCpuSeconds!), 0);
    expect(dd.criticalPathCpuSeconds).toBeCloseTo(crit, 9);
    expect(dd.criticalPathCpuSeconds!).toBeLessThanOrEqual(
      dd.rounds.reduce((t, r) => t + r.areaCpuSeconds!.reduce((x, y) => x + y, 0), 0),
    );
    expect(dd.centralizedDifference).toBeUndefined(); // exact: no published difference to show
    expect(html).toContain('Critical path (CPU)');
    expect(html).toContain('exact (boundary values and prices exchanged');
  }, 300_000);

  it('a published-coordination run: stored as such, with its measured difference from the centralized run of the same settings', async () => {
    const run = await call<RunSummary>(backend, 'runs.start', {
      scenarioId: scenario.id,
      kind: 'distributed',
      coordination: 'published',
    });
    const s = await finished(backend, run.id);
    expect([s.status, s.message]).toEqual(['solved', expect.stringMatching(/^converged in \d+ rounds/)]);
    const d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    expect(d.distributed!.coordination).toBe('published');
    expect(d.log).toMatch(/^distributed run \(published coordination\)/);
    // The difference is the largest relDiff of runs.compare against the centralized run of the same study.
    const cmp = await call<RunComparison>(backend, 'runs.compare', { a: detail.id, b: run.id });
    const worst = cmp.rows.reduce((w, r) => (r.relDiff > w.relDiff ? r : w));
    expect(d.distributed!.centralizedDifference).toEqual({
      runId: detail.id,
      maxRelDiff: worst.relDiff,
      quantity: worst.quantity,
    });
    expect(worst.relDiff).toBeGreaterThan(0); // values only: not the centralized optimum
    const html = buildReportHtml(backend.reports.input({ runId: run.id }));
    expect(html).toContain('published (the source papers’ value-only exchange');
    expect(html).toContain(`differs from the centralized run #${detail.id} by up to`);
    // Another horizon is another problem: no centralized run to measure against, and the report says so.
    const other = await call<Scenario>(backend, 'scenarios.duplicate', {
      id: scenario.id,
      name: `published ${Math.random()}`,
    });
    await call<Scenario>(backend, 'scenarios.update', { id: other.id, patch: { study: { periods: 3 } } });
    const run3 = await call<RunSummary>(backend, 'runs.start', {
      scenarioId: other.id,
      kind: 'distributed',
      coordination: 'published',
    });
    await finished(backend, run3.id);
    const d3 = await call<RunDetail>(backend, 'runs.get', { runId: run3.id });
    expect(d3.distributed!.centralizedDifference).toBeNull();
    expect(buildReportHtml(backend.reports.input({ runId: run3.id }))).toContain(
      'run the same scenario centralized to measure the difference',
    );
  }, 300_000);

  it('deletes a run (and cancels it first when it is still solving)', async () => {
    const sc = await openIeee123(backend, { periods: 24 });
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
    await call(backend, 'runs.delete', { runId: run.id, confirm: true });
    expect(backend.runs.activeRuns()).toEqual([]);
    expect(await call<RunSummary[]>(backend, 'runs.list', { scenarioId: sc.id })).toEqual([]);
    expect(await backend.handle('runs.get', { runId: run.id })).toMatchObject({
      ok: false,
      error: { code: 'notFound' },
    });
  }, 120_000);

  it('a record left running by a closed app reads as failed (interrupted); cancelling a finished run does nothing', async () => {
    const project = backend.projects.requireProject();
    const id = project.saveRun({
      scenarioId: scenario.id,
      kind: 'centralized',
      status: 'running',
      settings: { study: scenario.study, partition: scenario.partition },
    });
    const d = await call<RunDetail>(backend, 'runs.get', { runId: id });
    expect([d.status, d.message]).toEqual(['failed', 'interrupted: the application closed during the solve']);
    expect(await call(backend, 'runs.cancel', { runId: detail.id })).toBeNull();
    expect((await call<RunDetail>(backend, 'runs.get', { runId: detail.id })).status).toBe('solved');
  });

  it('leaves no area process behind after all these runs', () => {
    expect(liveAreaProcesses.size).toBe(0);
    expect(startedAreaPids.filter(isAlive)).toEqual([]);
  });

  it('validates arguments and ids', async () => {
    expect(await backend.handle('runs.start', { scenarioId: scenario.id, kind: 'fast' })).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument' },
    });
    expect(
      await backend.handle('runs.start', { scenarioId: scenario.id, kind: 'distributed', coordination: 'fastest' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument', message: /coordination must be one of exact, published/ },
    });
    expect(
      await backend.handle('runs.start', { scenarioId: scenario.id, kind: 'centralized', coordination: 'exact' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument', message: /distributed runs only/ },
    });
    expect(await backend.handle('runs.get', { runId: 999_999 })).toMatchObject({
      ok: false,
      error: { code: 'notFound' },
    });
    expect(await backend.handle('runs.delete', { runId: detail.id, confirm: false })).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument' },
    });
    const whole = await call<Scenario>(backend, 'scenarios.update', {
      id: scenario.id,
      patch: { partition: { cuts: [] } },
    });
    expect(await backend.handle('runs.start', { scenarioId: whole.id, kind: 'distributed' })).toMatchObject({
      ok: false,
      error: { message: /areas/ },
    });
  });
});

describe('a crashed area process', () => {
  it('fails the run naming the area and the exit; the record is kept', async () => {
    const backend = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-runs-crash-')),
      host: 'node-host',
      spawnArea: nodeAreaTransport({ TESSERA_FAULT: 'crash@1:1' }),
    });
    try {
      const sc = await openIeee123(backend, { periods: 2 });
      const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
      const s = await finished(backend, run.id);
      expect(s.status).toBe('failed');
      expect(s.message).toBe('area central solver stopped: exit code 3');
      const d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
      expect(d.log).toMatch(/area central solver stopped/);
    } finally {
      backend.close();
    }
  }, 120_000);
});

describe('the e2e hold hook (TESSERA_TEST_HOLD)', () => {
  const until = async (cond: () => boolean, what: string) => {
    for (const t0 = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
    }
  };

  it('holds the solve right after iteration k until released, then it finishes; a held run cancels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-hold-'));
    const hold = join(dir, 'hold');
    const backend = new Backend({
      resourcesDir,
      dataDir: join(dir, 'data'),
      host: 'node-host',
      spawnArea: nodeAreaTransport({ TESSERA_TEST_HOLD: hold }),
    });
    const iters: number[] = [];
    backend.on('run.progress', (p) => p.iteration && iters.push(p.iteration.iter));
    try {
      const sc = await openIeee123(backend, { periods: 2 });
      writeFileSync(hold, '3');
      const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
      await until(() => existsSync(`${hold}.held-1`) && iters.includes(3), 'the hold at iteration 3');
      await new Promise((r) => setTimeout(r, 300));
      expect(iters).toEqual([0, 1, 2, 3]); // nothing past the hold
      expect((await call<RunDetail>(backend, 'runs.get', { runId: run.id })).status).toBe('running');
      rmSync(hold);
      expect((await finished(backend, run.id)).status).toBe('solved');
      expect(iters.length).toBeGreaterThan(5);
      expect(existsSync(`${hold}.held-1`)).toBe(false);

      // Held again, then cancelled: the blocked area process is stopped and the run is cancelled.
      writeFileSync(hold, '2');
      const before = startedAreaPids.length;
      const second = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
      await until(() => existsSync(`${hold}.held-1`), 'the second hold');
      await call(backend, 'runs.cancel', { runId: second.id });
      expect((await call<RunDetail>(backend, 'runs.get', { runId: second.id })).status).toBe('cancelled');
      expect(startedAreaPids.slice(before).filter(isAlive)).toEqual([]);
    } finally {
      backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('an area that crashes while the others are mid-solve fails the run, and no area is restarted after the end', async () => {
    // Areas 1, 2, 4 are held in round 1 (busy, as in a real solve) while area 3 crashes twice.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-hold-crash-'));
    const hold = join(dir, 'hold');
    const backend = new Backend({
      resourcesDir,
      dataDir: join(dir, 'data'),
      host: 'node-host',
      spawnArea: nodeAreaTransport({ TESSERA_TEST_HOLD: hold, TESSERA_FAULT: 'crash@3:1' }),
    });
    try {
      const sc = await openIeee123(backend, { periods: 2 });
      writeFileSync(hold, '1@1');
      const before = startedAreaPids.length;
      const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'distributed' });
      const s = await finished(backend, run.id);
      expect(s.status).toBe('failed');
      expect(s.message).toMatch(/area 3 .*solver stopped: exit code 3/);
      await new Promise((r) => setTimeout(r, 1500));
      const pids = startedAreaPids.slice(before);
      expect(pids.length).toBe(5); // 4 areas + the one restart of area 3
      expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      rmSync(hold, { force: true });
      backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
