/**
 * Runs on a three-phase feeder through the backend's commands: the three-phase OPF with the
 * scenario's units on their phases, stored as a run with per-phase results, against the solver's
 * own `solveThreePhaseOpf` on the same inputs built directly from the OpenDSS files, and validated
 * by the three-phase power flow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { importedScenario, threePhaseBackends } from './test-support';
import type {
  ImportFile,
  ImportPreview,
  ProjectSummary,
  RunDetail,
  RunProgress,
  RunSummary,
  Scenario,
} from '../../contract';
import { Backend } from '../backend';
import { call } from '../test-support';
import { opendssRef, readTestData } from '../../../test-data/index';
import { IEEE13_BATTERY_675, IEEE13_ENTRY, ieee13ImportFiles } from '../../../src-solver/testing/unbalanced/ieee13';
import { importUnbalanced } from '../../../src-solver/unbalanced/import';
import { solveUnbalanced } from '../../../src-solver/unbalanced/solve';
import { solveThreePhaseOpf } from '../../../src-solver/opf3/fromNetwork';

const { backend, closeAll } = threePhaseBackends('tessera-3ph-opf-');
afterEach(closeAll);

const ieee13Project = (b: Backend): Promise<Scenario> =>
  importedScenario(
    b,
    'three-phase OPF',
    ieee13ImportFiles((f) => readTestData('opendss-feeders', 'feeders', f)),
    IEEE13_ENTRY,
  );

const PERIODS = 6;

async function waitFinished(b: Backend, runId: number): Promise<RunDetail> {
  await b.runs.wait(runId);
  return call<RunDetail>(b, 'runs.get', { runId });
}

describe('three-phase OPF runs in the app', () => {
  it('IEEE 13 with a single-phase battery on phase B of bus 675: the run equals solveThreePhaseOpf on the same inputs, validated ≤ 1e-6 pu, per-phase results stored', async () => {
    const b = backend();
    const scenario = await ieee13Project(b);
    await call(b, 'scenarios.update', {
      id: scenario.id,
      patch: {
        study: { periods: PERIODS, vMaxPu: 1.1 },
        placements: { pv: [], batteries: [{ ...IEEE13_BATTERY_675, phases: ['B'] }] },
      },
    });
    const events: RunProgress[] = [];
    const off = b.on('run.progress', (e) => events.push(e));
    const started = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' });
    const run = await waitFinished(b, started.id);
    off();
    expect(run.status, run.message).toBe('solved');
    expect(events.some((e) => e.phase === 'solving' && e.iteration !== undefined)).toBe(true);
    expect(events.some((e) => e.phase === 'validating')).toBe(true);

    // The same inputs built directly from the OpenDSS files: taps from the nominal-load power flow
    // with controls, the battery as a unit on node 2 of bus 675, the scenario's study.
    const read = (p: string): string => readFileSync(p, 'utf8');
    const imported = importUnbalanced(opendssRef('feeders', '13Bus', 'IEEE13Nodeckt.dss'), read);
    if (!imported.ok) throw new Error(imported.errors.map((e) => e.message).join('; '));
    const net = imported.network;
    solveUnbalanced(net, { controls: true });
    const s = run.settings;
    const direct = solveThreePhaseOpf(
      net,
      {
        periods: s.periods,
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
      [{ kind: 'battery', ...IEEE13_BATTERY_675, phases: [2] }],
      { nlp: { tol: s.tolerance } },
    );
    expect(direct.outcome.optimal).toBe(true);
    expect(Math.abs(run.objective! - direct.outcome.objective)).toBeLessThanOrEqual(
      1e-9 * Math.abs(direct.outcome.objective),
    );

    const tp = run.threePhase!;
    expect(tp.validation.converged).toBe(true);
    expect(tp.validation.maxDiffPu).toBeLessThanOrEqual(1e-6);
    expect(run.message).toContain('three-phase power flow');
    expect(tp.batteryPhases).toEqual([['B']]);
    expect(run.batteryBuses).toEqual(['675']);

    // Per-phase node voltages per period: the direct solve's, node by node.
    const T = run.periods;
    expect(T).toBe(PERIODS);
    const nodeV = run.series.nodeVoltagePu!;
    expect(nodeV.length).toBe(tp.nodeBuses.length * T);
    const nw = direct.network;
    let compared = 0;
    for (let i = 0; i < nw.nFree; i++) {
      const k = tp.nodeBuses.findIndex(
        (bus, j) => bus === nw.nodeBus[i] && tp.nodePhases[j] === 'ABC'[nw.nodePhase[i]! - 1],
      );
      if (k < 0) continue;
      compared++;
      for (let t = 0; t < T; t++)
        expect(Math.abs(nodeV[k * T + t]! - direct.outcome.periods[t]!.vPu[i]!)).toBeLessThan(1e-9);
    }
    expect(compared).toBeGreaterThan(30);
    // Worst phase per bus on the balanced series: bus 611 has phase C only, so it is that phase's.
    const b611 = run.busNames.indexOf('611');
    const n611 = tp.nodeBuses.findIndex((bus, j) => bus === '611' && tp.nodePhases[j] === 'C');
    expect(run.series.voltagePu![b611 * T]).toBe(nodeV[n611 * T]);
    // Unbalance: |V₂|/|V₁| per period, checked by a second method — the CIGRE formula on the
    // line-to-line magnitudes of the direct solve's phasors (zero sequence cancels line to line).
    for (let t = 0; t < T; t++) {
      const p = direct.outcome.periods[t]!;
      const phasor = (i: number): [number, number] => [
        p.vPu[i]! * Math.cos((p.angleDeg[i]! * Math.PI) / 180),
        p.vPu[i]! * Math.sin((p.angleDeg[i]! * Math.PI) / 180),
      ];
      let worst = 0;
      let worstBus = '';
      for (const bus of new Set(Array.from(nw.nodeBus.slice(0, nw.nFree)))) {
        const idx = [1, 2, 3].map((ph) =>
          Array.from(nw.nodeBus).findIndex((b, i) => i < nw.nFree && b === bus && nw.nodePhase[i] === ph),
        );
        if (idx.some((i) => i < 0)) continue;
        const [a, b2, c] = idx.map(phasor) as [number, number][];
        const ll = [
          [a, b2],
          [b2, c],
          [c, a],
        ].map(([x, y]) => Math.hypot(x![0] - y![0], x![1] - y![1]));
        const beta = ll.reduce((s2, v) => s2 + v ** 4, 0) / ll.reduce((s2, v) => s2 + v ** 2, 0) ** 2;
        const r = Math.sqrt(Math.max(0, 3 - 6 * beta));
        const vuf = Math.sqrt((1 - r) / (1 + r));
        if (vuf > worst) {
          worst = vuf;
          worstBus = bus;
        }
      }
      expect(Math.abs(run.series.vufMax![t]! - worst)).toBeLessThan(1e-6);
      expect(tp.vufMaxBus[t]).toBe(worstBus);
      expect(worst).toBeGreaterThan(0.001); // IEEE 13 is unbalanced
    }
    // A single-phase battery carries its whole power on its phase.
    const net0 = run.series.batteryDischargeKw![0]! - run.series.batteryChargeKw![0]!;
    expect(run.series.batteryPhaseKw![0]).toBeCloseTo(net0, 9);
    // The CSV export has one row per phase node and period (element "611.C").
    const csv = await call<{ text: string }>(b, 'runs.export', { runId: run.id, format: 'csv' });
    const row = csv.text.split('\n').find((l) => l.startsWith('nodeVoltagePu,pu,611.C,611,1,'));
    expect(Number(row?.split(',')[5])).toBe(nodeV[n611 * T]);
    expect(csv.text.split('\n').filter((l) => l.startsWith('nodeVoltagePu,')).length).toBe(tp.nodeBuses.length * T);
    // Three-phase totals add up: substation + battery = demand + losses.
    for (let t = 0; t < T; t++) {
      const batNet = run.series.batteryDischargeKw![t]! - run.series.batteryChargeKw![t]!;
      expect(run.series.substationKw![t]! + batNet).toBeCloseTo(run.series.demandKw![t]! + run.series.lossKw![t]!, 6);
      expect(run.series.lossKw![t]!).toBeGreaterThan(0);
    }
  }, 120_000);

  it('with Range A (V max 1.05 pu) IEEE 13 is infeasible at one hour: the run is kept as infeasible naming the regulator bus, phase and hour as the screens number it', async () => {
    const b = backend();
    const scenario = await ieee13Project(b);
    await call(b, 'scenarios.update', {
      id: scenario.id,
      patch: {
        study: { periods: 1, vMaxPu: 1.05 },
        placements: { pv: [], batteries: [{ ...IEEE13_BATTERY_675, phases: ['B'] }] },
      },
    });
    const started = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' });
    const run = await waitFinished(b, started.id);
    expect(run.status).toBe('infeasible');
    // OpenDSS's own solution holds rg60 phase C at 1.0562 pu (the base case's Range A violation).
    expect(run.message).toContain(
      `voltage upper limit 1.05 pu at bus rg60 phase c (hour ${run.settings.startHour + 1};`,
    );
  }, 60_000);

  it('a unit on a phase its bus lacks: the run fails saying which bus has which phases; a distributed run without areas is refused', async () => {
    const b = backend();
    const scenario = await ieee13Project(b);
    await call(b, 'scenarios.update', {
      id: scenario.id,
      patch: {
        study: { periods: 2 },
        placements: { pv: [], batteries: [{ ...IEEE13_BATTERY_675, bus: '611', phases: ['A'] }] },
      },
    });
    const started = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' });
    const run = await waitFinished(b, started.id);
    expect(run.status).toBe('failed');
    expect(run.message).toContain('bus 611 has phase C only, not A');
    const dist = await b.handle('runs.start', { scenarioId: scenario.id, kind: 'distributed' });
    expect(dist.ok).toBe(false);
    if (!dist.ok) expect(dist.error.message).toMatch(/a distributed run needs areas/);
    const bad = await b.handle('scenarios.update', {
      id: scenario.id,
      patch: { placements: { pv: [], batteries: [{ ...IEEE13_BATTERY_675, phases: ['D'] }] } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toContain("phases[0] must be 'A', 'B' or 'C'");
  }, 60_000);

  it('by default the run solves in a worker thread: the backend answers meanwhile, progress per iteration, the same objective as on the calling thread; cancel stops it', async () => {
    const results: number[] = [];
    for (const worker of [false, true]) {
      const b = backend(worker);
      const scenario = await ieee13Project(b);
      await call(b, 'scenarios.update', {
        id: scenario.id,
        patch: {
          study: { periods: 2, vMaxPu: 1.1 },
          placements: { pv: [], batteries: [{ ...IEEE13_BATTERY_675, phases: ['B'] }] },
        },
      });
      const iterations: number[] = [];
      const off = b.on('run.progress', (e) => e.iteration && iterations.push(e.iteration.iter));
      const started = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' });
      if (worker) {
        // the backend answers while the worker solves
        const listed = await call<RunSummary[]>(b, 'runs.list', { scenarioId: scenario.id });
        expect(listed[0]!.status).toBe('running');
      }
      const run = await waitFinished(b, started.id);
      off();
      expect(run.status, run.message).toBe('solved');
      expect(iterations.length).toBeGreaterThan(3);
      results.push(run.objective!);
      if (worker) {
        await call(b, 'scenarios.update', { id: scenario.id, patch: { study: { periods: 24 } } });
        let first!: () => void;
        const iterating = new Promise<void>((r) => (first = r));
        const off2 = b.on('run.progress', (e) => e.iteration && first());
        const long = await call<RunSummary>(b, 'runs.start', { scenarioId: scenario.id, kind: 'centralized' });
        await iterating;
        off2();
        await call(b, 'runs.cancel', { runId: long.id });
        const cancelled = await call<RunDetail>(b, 'runs.get', { runId: long.id });
        expect(cancelled.status).toBe('cancelled');
        expect(b.runs.activeRuns()).toEqual([]);
      }
    }
    expect(results[1]).toBe(results[0]);
  }, 120_000);

  it("IEEE 123 over 24 h with a PV and three- and single-phase batteries: solved and validated ≤ 1e-6 pu, the loads' voltage regions decided in the solve", async () => {
    const b = backend();
    await call(b, 'projects.create', { name: 'IEEE 123 three-phase OPF' });
    const files: ImportFile[] = readdirSync(opendssRef('feeders', '123Bus')).map((n) => ({
      name: `123Bus/${n}`,
      text: readFileSync(opendssRef('feeders', '123Bus', n), 'utf8'),
    }));
    files.push({ name: 'IEEELineCodes.DSS', text: readFileSync(opendssRef('feeders', 'IEEELineCodes.DSS'), 'utf8') });
    const preview = await call<ImportPreview>(b, 'import.preview', { files, entry: '123Bus/IEEE123Master.dss' });
    expect(preview.ok, JSON.stringify(preview.errors)).toBe(true);
    const summary = await call<ProjectSummary>(b, 'import.commit', { token: preview.token });
    const unit = { ...IEEE13_BATTERY_675, pRatedKw: 100, energyKwh: 400, sRatedKva: 120 };
    await call(b, 'scenarios.update', {
      id: summary.scenarios.at(-1)!.id,
      patch: {
        study: { periods: 24, vMinPu: 0.9, vMaxPu: 1.1 },
        placements: {
          pv: [{ name: 'pv35', bus: '35', pRatedKw: 200, sRatedKva: 240 }],
          batteries: [
            { ...unit, name: 'b76', bus: '76' },
            { ...unit, name: 'b11', bus: '11', phases: ['A'] },
            { ...unit, name: 'b95', bus: '95', phases: ['B'] },
          ],
        },
      },
    });
    const started = await call<RunSummary>(b, 'runs.start', {
      scenarioId: summary.scenarios.at(-1)!.id,
      kind: 'centralized',
    });
    const run = await waitFinished(b, started.id);
    expect(run.status, run.message).toBe('solved');
    // one solve, or a second with the elements held whose region the first left undecided
    expect(run.threePhase!.rounds).toBeLessThanOrEqual(2);
    expect(run.threePhase!.validation.maxDiffPu).toBeLessThanOrEqual(1e-6);
    expect(run.threePhase!.batteryPhases).toEqual([['A', 'B', 'C'], ['A'], ['B']]);
  }, 300_000);
});
