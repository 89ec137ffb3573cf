/**
 * Distributed runs on a three-phase feeder through the backend's commands: the areas checked and
 * suggested at lines (a transformer cut refused by name), the run solved in area processes with
 * per-phase boundary values, compared with a centralized run of the same scenario (the
 * independent answer), validated by the three-phase power flow, with progress per round, cancel,
 * and the published mode's measured difference. Plus the run's losses from node voltages against
 * the solver's losses from its solution vector.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importedScenario, threePhaseBackends } from './test-support';
import type { PartitionCheck, Partition, RunDetail, RunProgress, RunSummary, Scenario } from '../../contract';
import { Backend } from '../backend';
import { liveAreaProcesses, nodeAreaTransport, startedAreaPids } from '../jobs/node-area-transport';
import { buildReportHtml } from '../report/template';
import { call, isAlive } from '../test-support';
import { lossesFromVoltages } from './distributed';
import { opendssRef, readTestData } from '../../../test-data/index';
import { IEEE13_BATTERY_675, IEEE13_ENTRY, ieee13ImportFiles } from '../../../src-solver/testing/unbalanced/ieee13';
import { importUnbalanced } from '../../../src-solver/unbalanced/import';
import { solveUnbalanced } from '../../../src-solver/unbalanced/solve';
import { opf3FromNetwork } from '../../../src-solver/opf3/fromNetwork';
import { opf3LossesKw } from '../../../src-solver/opf3/losses';
import { solveOpf3 } from '../../../src-solver/opf3/solve';
import { placeUnits } from '../../../src-solver/opf3/placement';

const { backend, closeAll } = threePhaseBackends('tessera-3ph-dist-');
afterEach(closeAll);

const ieee13Project = (b: Backend): Promise<Scenario> =>
  importedScenario(
    b,
    'three-phase distributed',
    ieee13ImportFiles((f) => readTestData('opendss-feeders', 'feeders', f)),
    IEEE13_ENTRY,
  );

/** A three-phase battery below the cut, a single-phase one on phase B above it; 2 hours from 10:00. */
async function withUnits(b: Backend, scenario: Scenario, cuts: Partition['cuts']): Promise<void> {
  await call(b, 'scenarios.update', {
    id: scenario.id,
    patch: {
      study: { periods: 2, startHour: 10, vMaxPu: 1.08 },
      placements: {
        pv: [{ name: 'pv675', bus: '675', pRatedKw: 150, sRatedKva: 180, phases: ['B'] }],
        batteries: [
          { ...IEEE13_BATTERY_675, name: 'b692', bus: '692' },
          { ...IEEE13_BATTERY_675, name: 'b634', bus: '634', phases: ['B'] },
        ],
      },
      partition: { cuts },
    },
  });
}

async function finished(b: Backend, runId: number): Promise<RunDetail> {
  await b.runs.wait(runId);
  return call<RunDetail>(b, 'runs.get', { runId });
}

describe('three-phase areas in the app', () => {
  it('IEEE 13: a cut at a line gives its areas and sizes; a cut at the transformer or the regulators is refused by name; the suggestion cuts at a line', async () => {
    const b = backend();
    const scenario = await ieee13Project(b);
    const ok = await call<PartitionCheck>(b, 'partition.check', {
      feederId: scenario.feederId,
      cuts: [{ from: '632', to: '670' }],
    });
    expect(ok.errors).toEqual([]);
    expect(ok.areas.map((a) => [a.rootBus, a.parentArea])).toEqual([
      ['sourcebus', null],
      ['670', 1],
    ]);
    // the parent keeps the boundary bus
    expect(ok.areas[0]!.buses).toContain('670');
    expect(ok.areas[1]!.buses).toContain('670');
    expect(ok.areas.every((a) => a.sizeEstimate > 0)).toBe(true);
    const bad = await call<PartitionCheck>(b, 'partition.check', {
      feederId: scenario.feederId,
      cuts: [
        { from: '633', to: '634' },
        { from: '650', to: 'rg60' },
      ],
    });
    expect(bad.ok).toBe(false);
    expect(bad.errors.join('\n')).toMatch(/cut 633–634 is at transformer xfm1: cut at a line/);
    expect(bad.errors.join('\n')).toMatch(/cut 650–rg60 is at transformer reg1, reg2, reg3/);
    const suggested = await call<Partition>(b, 'partition.suggest', { feederId: scenario.feederId, k: 2 });
    expect(suggested.cuts).toEqual([{ from: '632', to: '670' }]);
    const tooMany = await b.handle('partition.suggest', { feederId: scenario.feederId, k: 40 });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'cannotPartition', message: /at most \d+ areas/ } });
  });
});

describe('three-phase distributed runs in the app', () => {
  it('IEEE 13, 2 areas, 2 h: rounds as progress, the centralized run’s answer, per-phase boundary values, validated; published mode with its measured difference', async () => {
    const b = backend();
    const scenario = await ieee13Project(b);
    await withUnits(b, scenario, [{ from: '632', to: '670' }]);
    const central = await finished(
      b,
      (await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' })).id,
    );
    expect(central.status, central.message).toBe('solved');

    const events: RunProgress[] = [];
    const off = b.on('run.progress', (e) => events.push(e));
    const started = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'distributed' });
    const run = await finished(b, started.id);
    off();
    expect(run.status, run.message).toBe('solved');
    expect(run.kind).toBe('distributed');
    const d = run.distributed!;
    expect(d.coordination).toBe('exact');
    expect(d.converged).toBe(true);
    expect(d.areas.map((a) => a.rootBus)).toEqual(['sourcebus', '670']);
    // one progress event per round, with the areas' CPU seconds — the price rounds, then the
    // consistency rounds that make both sides of the boundary agree (numbered on)
    const rounds = events.filter((e) => e.runId === run.id && e.round).map((e) => e.round!);
    expect(rounds.map((r) => r.round)).toEqual(d.rounds.map((r) => r.round));
    expect(d.rounds.map((r) => r.round)).toEqual(d.rounds.map((_, i) => i + 1));
    expect(d.consistencyRounds).toBeGreaterThan(0);
    expect(d.consistencyRounds).toBeLessThan(d.rounds.length);
    expect(rounds.every((r) => r.areaCpuSeconds!.length === 2)).toBe(true);
    expect(d.criticalPathCpuSeconds).toBeGreaterThan(0);
    // per-phase boundary values at 670: its three phases, each hour, the parent's voltage near the centralized one
    const [bd] = d.phaseBoundaries!;
    expect(bd!.bus).toBe('670');
    expect(bd!.phases).toEqual(['A', 'B', 'C']);
    const tp = run.threePhase!;
    const centralV = central.series.nodeVoltagePu!;
    const T = run.periods;
    bd!.phases.forEach((ph, j) => {
      const node = central.threePhase!.nodeBuses.findIndex(
        (bus, k) => bus === '670' && central.threePhase!.nodePhases[k] === ph,
      );
      for (let t = 0; t < T; t++) expect(Math.abs(bd!.vPu[j]![t]! - centralV[node * T + t]!)).toBeLessThan(1e-3);
    });
    expect(bd!.pKw.flat().every((p) => p > 0)).toBe(true); // the area below draws power on every phase
    // the same answer as the centralized run (rounds stop at tolerance / 10)
    expect(Math.abs(run.objective! - central.objective!) / Math.abs(central.objective!)).toBeLessThan(1e-3);
    expect(Math.abs(run.totals!.lineLossKwh - central.totals!.lineLossKwh) / central.totals!.lineLossKwh).toBeLessThan(
      1e-2,
    );
    expect(tp.validation.converged).toBe(true);
    expect(tp.validation.maxDiffPu).toBeLessThan(1e-3);
    expect(tp.batteryPhases).toEqual([['A', 'B', 'C'], ['B']]);
    expect(liveAreaProcesses.size).toBe(0);
    // The report: the per-phase parts of a three-phase run, and the distributed solver part with
    // its coordination and the boundary values per phase.
    const html = buildReportHtml(b.reports.input({ runId: run.id }));
    expect(html).toContain('data-part="per-phase"');
    expect(html).toContain('distributed: ENApp (exact coordination)');
    expect(html).toContain('Critical path (CPU)');
    for (const ph of ['A', 'B', 'C']) expect(html).toContain(`<td>670</td><td>2 → 1</td><td>${ph}</td>`);

    const pub = await finished(
      b,
      (
        await call<RunSummary>(b, 'runs.start', {
          scenarioId: scenario.id,
          kind: 'distributed',
          coordination: 'published',
        })
      ).id,
    );
    expect(pub.distributed!.coordination).toBe('published');
    expect(pub.log).toMatch(/^distributed three-phase run \(published coordination\)/);
    expect(pub.status, pub.message).toBe('solved');
    // measured against the centralized run of the same settings, shown with the run
    expect(pub.distributed!.centralizedDifference!.runId).toBe(central.id);
    expect(pub.distributed!.centralizedDifference!.maxRelDiff).toBeGreaterThanOrEqual(0);
    console.log(
      `IEEE 13 3ph in the app: exact ${d.rounds.length} rounds, critical path ${d.criticalPathCpuSeconds!.toFixed(2)} CPU s; published ${pub.distributed!.rounds.length} rounds, differs by ${pub.distributed!.centralizedDifference!.maxRelDiff.toExponential(2)} (${pub.distributed!.centralizedDifference!.quantity})`,
    );
  }, 300_000);

  it('no areas: refused; cancel mid-run ends it cancelled with no area process left', async () => {
    const b = backend();
    const scenario = await ieee13Project(b);
    await withUnits(b, scenario, []);
    expect(await b.handle('runs.start', { scenarioId: scenario.id, kind: 'distributed' })).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument', message: /needs areas/ },
    });
    await withUnits(b, scenario, [{ from: '632', to: '670' }]);
    await call(b, 'scenarios.update', { id: scenario.id, patch: { study: { periods: 24, startHour: 0 } } });
    let first!: () => void;
    const round = new Promise<void>((r) => (first = r));
    const off = b.on('run.progress', (e) => e.area?.state === 'solving' && first());
    const run = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'distributed' });
    await round;
    off();
    await call(b, 'runs.cancel', { runId: run.id });
    const detail = await call<RunDetail>(b, 'runs.get', { runId: run.id });
    expect(detail.status).toBe('cancelled');
    expect(b.runs.activeRuns()).toEqual([]);
    expect(liveAreaProcesses.size).toBe(0);
  }, 120_000);
});

describe('three-phase distributed runs: area processes that crash', () => {
  it('a crash in round 2 is restarted once and the run still solves; crashing again, the run fails naming the area, no process left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-3ph-crash-'));
    const results: RunDetail[] = [];
    for (const env of [
      { TESSERA_FAULT: 'crash@2:2', TESSERA_FAULT_ONCE: join(dir, 'once') },
      { TESSERA_FAULT: 'crash@2:1' },
    ]) {
      const b = backend(false, nodeAreaTransport(env));
      const scenario = await ieee13Project(b);
      await withUnits(b, scenario, [{ from: '632', to: '670' }]);
      const before = startedAreaPids.length;
      const run = await finished(
        b,
        (await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'distributed' })).id,
      );
      results.push(run);
      const pids = startedAreaPids.slice(before);
      // 2 areas + the one restart of area 2, then (exact runs that got there) the consistency rounds' 2 areas
      expect(pids.length).toBe(3 + (run.distributed?.consistencyRounds ? 2 : 0));
      await new Promise((r) => setTimeout(r, 500));
      expect(pids.filter(isAlive)).toEqual([]);
    }
    const [restarted, failed] = results;
    expect(restarted!.status, restarted!.message).toBe('solved');
    expect(restarted!.log).toMatch(/area 2: restarted/);
    expect(failed!.status).toBe('failed');
    expect(failed!.message).toMatch(/area 2 .*solver stopped: exit code 3/);
  }, 300_000);
});

describe('losses from node voltages', () => {
  it('equal the solver’s losses from its solution vector (IEEE 13 and IEEE 123, lines, transformers, regulators)', () => {
    const read = (p: string): string => readFileSync(p, 'utf8');
    for (const master of [
      opendssRef('feeders', '13Bus', 'IEEE13Nodeckt.dss'),
      opendssRef('feeders', '123Bus', 'IEEE123Master.dss'),
    ]) {
      const imported = importUnbalanced(master, read);
      if (!imported.ok) throw new Error(imported.errors.map((e) => e.message).join('; '));
      const unet = imported.network;
      solveUnbalanced(unet, { controls: true });
      const units = placeUnits(unet, 3, 2, 2);
      for (const sourceModel of ['norton', undefined] as const) {
        const net = opf3FromNetwork(
          unet,
          { periods: 2, startHour: 10, vMinPu: 0.9, vMaxPu: 1.1 },
          units,
          sourceModel ? { sourceModel } : {},
        );
        const out = solveOpf3(net);
        expect(out.optimal, out.nlp.message).toBe(true);
        const ref = opf3LossesKw(out);
        const ours = lossesFromVoltages(net, out.periods);
        ref.forEach((l, t) => expect(Math.abs(ours[t]! - l)).toBeLessThan(1e-6 * Math.abs(l)));
      }
    }
  }, 120_000);
});
