/**
 * Three-phase feeders in a project, through the backend's commands: the import wizard's preview
 * (master choice, three-phase report, the explicit balanced equivalent), the store (scripts kept,
 * the network rebuilt on open), the base-case power flow against the OpenDSS engine's answers
 * (test-data/opendss-feeders/opendss-results) and the refusal of OPF runs on a three-phase feeder.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BaseCaseResult, FeederPhases, ImportFile, ImportPreview, ProjectSummary } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { inlineImport } from '../import/run';
import { inlineBaseCase } from './run';
import { lineCurrentCalculator, runBaseCase } from './basecase';
import { DEFAULT_STUDY } from '../store/defaults';
import { networkOrThrow } from './network';
import { solveUnbalanced } from '../../../src-solver/unbalanced/solve';
import { call } from '../test-support';
import { opendssRef } from '../../../test-data/index';
import { ANSI_RANGE_A, PER_PHASE_LABEL } from '../../../src-shared/threephase';

const backends: Backend[] = [];
function backend(): Backend {
  const b = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-3ph-')),
    host: 'node-host',
    runImport: inlineImport,
    runBaseCase: inlineBaseCase,
  });
  backends.push(b);
  return b;
}
/** The same base case computed on the calling thread, for comparison with the worker's. */
async function runBaseCaseInline(b: Backend, scenarioId: number): Promise<BaseCaseResult> {
  const p = b.projects.requireProject();
  const sc = p.getScenario(scenarioId);
  const scripts = p.feederScripts(sc.feederId)!;
  return inlineBaseCase(
    {
      scenarioId,
      feederId: sc.feederId,
      model: 'three-phase',
      mode: 'daily',
      controls: true,
      study: sc.study,
      scripts: { entry: scripts.entry, files: scripts.files },
    },
    () => {},
    new AbortController().signal,
  );
}

afterEach(() => {
  for (const b of backends.splice(0)) b.close();
});

/** Files under test-data/opendss-feeders/<dirs…> as the wizard sends a picked folder: paths relative to `root`. */
function folder(root: string, ...dirs: string[]): ImportFile[] {
  const out: ImportFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ name: relative(root, p).split('\\').join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}
/** The 13- and 34-bus folders share ../IEEELineCodes.DSS: give the wizard the feeders folder's part that holds them. */
const feedersFolder = (sub: string): ImportFile[] => [
  ...folder(opendssRef('feeders'), sub),
  { name: 'IEEELineCodes.DSS', text: readFileSync(opendssRef('feeders', 'IEEELineCodes.DSS'), 'utf8') },
];

interface Reference {
  bus_vll_pu: Record<string, number[]>;
  p_subs_kw: number;
  q_subs_kvar: number;
  bus_vmag_pu: Record<string, Record<string, number>>;
  regcontrol_taps: Record<string, number>;
  capacitor_states: Record<string, number[]>;
}
const reference = <T = Reference>(name: string): T =>
  JSON.parse(readFileSync(opendssRef('opendss-results', `${name}.json`), 'utf8')) as T;

async function importThreePhase(
  b: Backend,
  files: ImportFile[],
  entry: string,
  model?: 'three-phase' | 'balanced-equivalent',
) {
  await call(b, 'projects.create', { name: 'three-phase' });
  const preview = await call<ImportPreview>(b, 'import.preview', { files, entry });
  expect(preview.ok, JSON.stringify(preview.errors)).toBe(true);
  const summary = await call<ProjectSummary>(b, 'import.commit', { token: preview.token, ...(model ? { model } : {}) });
  return { preview, summary, feeder: summary.feeders.at(-1)!, scenario: summary.scenarios.at(-1)! };
}

/** Largest |V − V_OpenDSS| over every phase node OpenDSS reports, and the nodes outside Range A by each. */
function compareVoltages(r: BaseCaseResult, period: number, ref: Reference['bus_vmag_pu']) {
  const index = new Map(r.buses.map((b, i) => [b, i]));
  let worst = 0;
  let nodes = 0;
  const ours: string[] = [];
  const theirs: string[] = [];
  for (const [bus, byNode] of Object.entries(ref)) {
    for (const [node, v] of Object.entries(byNode)) {
      const n = Number(node);
      if (n < 1 || n > 3) continue;
      const shown = r.periods[period].vPu[n - 1][index.get(bus)!];
      expect(shown, `${bus}.${node}`).not.toBeNull();
      worst = Math.max(worst, Math.abs(shown! - v));
      nodes++;
      if (v < ANSI_RANGE_A.low || v > ANSI_RANGE_A.high) theirs.push(`${bus}.${'ABC'[n - 1]}`);
    }
  }
  for (const v of r.violations.filter((x) => x.hour === r.periods[period].hour)) ours.push(`${v.bus}.${v.phase}`);
  return { worst, nodes, ours: ours.sort(), theirs: theirs.sort() };
}

describe('a three-phase OpenDSS feeder in a project', () => {
  it('IEEE 13 folder: the wizard asks which .dss is the master, reports the three-phase model and keeps it three-phase with its scripts', async () => {
    const b = backend();
    await call(b, 'projects.create', { name: 'p' });
    const files = feedersFolder('13Bus');
    const ask = await call<ImportPreview>(b, 'import.preview', { files });
    expect(ask.ok).toBe(false);
    expect(ask.entries).toEqual(['13Bus/IEEE13Nodeckt.dss', '13Bus/IEEELineCodes.DSS', 'IEEELineCodes.DSS']);
    expect(ask.errors[0].message).toMatch(/pick the master script/);

    const preview = await call<ImportPreview>(b, 'import.preview', { files, entry: '13Bus/IEEE13Nodeckt.dss' });
    expect(preview.ok).toBe(true);
    const tp = preview.threePhase!;
    // The IEEE 13-node test feeder's published spot loads: 3466 kW and 2102 kvar in all.
    expect(tp.loadKw).toBeCloseTo(3466, 6);
    expect(tp.loadKvar).toBeCloseTo(2102, 6);
    expect(tp.voltageBasesKv).toEqual([115, 4.16, 0.48]);
    expect(tp.classes.regcontrol.imported).toBe(3);
    expect(tp.classes.load.imported).toBe(15);
    // The balanced equivalent is offered beside it, per phase: a third of the three-phase load.
    expect(preview.balancedEquivalent!.ok).toBe(true);
    expect(preview.balancedEquivalent!.loadKwPerPhase).toBeCloseTo(3466 / 3, 6);
    // The graph shows the three-phase network: loads as three-phase totals.
    expect(preview.feeder!.loads.reduce((s, l) => s + l.pKw, 0)).toBeCloseTo(3466, 6);

    const summary = await call<ProjectSummary>(b, 'import.commit', { token: preview.token });
    const f = summary.feeders[0];
    expect(f.model).toBe('three-phase');
    const phases = await call<FeederPhases>(b, 'feeders.phases', { id: f.id });
    expect(phases.entry).toBe('13Bus/IEEE13Nodeckt.dss');
    // The laterals' phases as the script writes them: 611 on c, 652 on a, 684 on a and c, 645/646 on b and c.
    expect([
      phases.busPhases['611'],
      phases.busPhases['652'],
      phases.busPhases['684'],
      phases.busPhases['646'],
    ]).toEqual(['c', 'a', 'ac', 'bc']);
    expect(phases.branchPhases['684611']).toBe('c');
    expect(phases.branchPhases['reg1+reg2+reg3']).toBe('abc');

    // Reopened, the network is rebuilt from the stored scripts.
    const path = summary.path;
    await call(b, 'projects.close', null);
    const again = await call<ProjectSummary>(b, 'projects.open', { path });
    expect(again.feeders[0].model).toBe('three-phase');
    const r = await call<BaseCaseResult>(b, 'basecase.run', { scenarioId: again.scenarios[0].id, mode: 'snapshot' });
    expect(r.model).toBe('three-phase');
    expect(r.periods[0].regulatorTaps).toEqual(reference('ieee13').regcontrol_taps);
  });

  it('a folder with several .dss and an unknown master is refused by name', async () => {
    const b = backend();
    await call(b, 'projects.create', { name: 'p' });
    const r = await b.handle('import.preview', { files: feedersFolder('13Bus'), entry: '13Bus/nope.dss' });
    expect(r.ok).toBe(true);
    const p = (r as { value: ImportPreview }).value;
    expect(p.ok).toBe(false);
    expect(p.errors[0].message).toBe('13Bus/nope.dss is not one of the .dss files given');
  });

  it.each([
    ['IEEE 13', '13Bus', '13Bus/IEEE13Nodeckt.dss', 'ieee13'],
    ['IEEE 34', '34Bus', '34Bus/ieee34Mod1.dss', 'ieee34'],
  ])(
    '%s base case (snapshot, controls acting) = the OpenDSS engine: every node voltage, the taps, capacitor states, substation P/Q, and the violations are the nodes OpenDSS puts outside Range A',
    async (_label, dir, entry, refName) => {
      const b = backend();
      const { scenario } = await importThreePhase(b, feedersFolder(dir), entry);
      const ref = reference(refName);
      const r = await call<BaseCaseResult>(b, 'basecase.run', { scenarioId: scenario.id, mode: 'snapshot' });
      expect(r.periods).toHaveLength(1);
      const p = r.periods[0];
      expect(p.converged).toBe(true);
      expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
      expect(p.capacitorStates).toEqual(ref.capacitor_states);
      expect(Math.abs(p.substationKw / ref.p_subs_kw - 1)).toBeLessThan(1e-6);
      expect(Math.abs(p.substationKvar / ref.q_subs_kvar - 1)).toBeLessThan(1e-6);
      const cmp = compareVoltages(r, 0, ref.bus_vmag_pu);
      expect(cmp.nodes).toBeGreaterThan(30);
      expect(cmp.worst).toBeLessThan(1e-6);
      expect(cmp.ours).toEqual(cmp.theirs);
      expect(r.violationCount).toBe(cmp.theirs.length);
      // The largest unbalance factor, against OpenDSS's line-to-line magnitudes: from |Vab|, |Vbc|, |Vca|
      // alone, V2/V1 = √((1 − √(3 − 6β)) / (1 + √(3 − 6β))), β = Σ|V|⁴ / (Σ|V|²)² (line-to-line voltages
      // have no zero sequence, and their V2/V1 is the phase voltages').
      let worst = { value: -1, bus: '' };
      for (const [bus, ll] of Object.entries(ref.bus_vll_pu)) {
        if (ll.length !== 3) continue;
        const beta = ll.reduce((s2, v) => s2 + v ** 4, 0) / ll.reduce((s2, v) => s2 + v * v, 0) ** 2;
        const k = Math.sqrt(Math.max(0, 3 - 6 * beta));
        const vuf = Math.sqrt((1 - k) / (1 + k));
        if (vuf > worst.value) worst = { value: vuf, bus };
      }
      expect(p.vufMax!.bus).toBe(worst.bus);
      expect(Math.abs(p.vufMax!.value - worst.value)).toBeLessThan(1e-6);
      // Every row: its value against the limit it names.
      for (const v of r.violations) expect(v.side === 'low' ? v.vPu < v.limitPu : v.vPu > v.limitPu).toBe(true);
      // Distance grows away from the substation along every drawn edge.
      for (const [parent, child] of r.edges) expect(r.distance[child]).toBeGreaterThanOrEqual(r.distance[parent]);
      // Overloads: each row's loading is its current over the line's rating.
      for (const o of r.overloads) expect(o.loadingPct).toBeCloseTo((100 * o.amps) / o.normAmps, 9);
    },
    60_000,
  );

  it('line currents for the overload check = the power flow’s own element flows (IEEE 13 and 34, every closed line and conductor)', async () => {
    for (const [dir, entry] of [
      ['13Bus', '13Bus/IEEE13Nodeckt.dss'],
      ['34Bus', '34Bus/ieee34Mod1.dss'],
    ] as const) {
      const files = Object.fromEntries(feedersFolder(dir).map((f) => [f.name, f.text!]));
      const { network } = networkOrThrow({ entry, files });
      const { periods } = solveUnbalanced(network, { elementFlows: true });
      const ours = lineCurrentCalculator(network)(periods[0]!);
      expect(ours.length).toBeGreaterThan(10);
      for (const l of ours) {
        const flow = periods[0]!.elements!.find((e) => e.element === `line.${l.name}`)!;
        l.amps.forEach((a, k) => {
          const theirs = Math.max(flow.terminals[0]!.amps[k]!, flow.terminals[1]!.amps[k]!);
          expect(Math.abs(a - theirs), `${l.name} conductor ${k + 1}`).toBeLessThan(1e-6 * Math.max(1, theirs));
        });
      }
    }
  });

  it('IEEE 13 daily (24 h, controls acting) = OpenDSS daily mode once the static and time control modes agree on the taps (hour 9 on)', async () => {
    const b = backend();
    const root = opendssRef();
    const files = [
      ...folder(root, 'daily'),
      ...folder(root, 'feeders/13Bus'),
      { name: 'feeders/IEEELineCodes.DSS', text: readFileSync(opendssRef('feeders', 'IEEELineCodes.DSS'), 'utf8') },
    ];
    const { scenario } = await importThreePhase(b, files, 'daily/ieee13-daily.dss');
    const ref = reference<{ hours: Reference[] }>('ieee13_daily').hours;
    const progress: number[] = [];
    const off = b.on('basecase.progress', (e) => e.stage === 'solving' && progress.push(e.done));
    const r = await call<BaseCaseResult>(b, 'basecase.run', {
      scenarioId: scenario.id,
      mode: 'daily',
      requestId: 'daily-13',
    });
    off();
    expect(r.periods.map((p) => p.hour)).toEqual(Array.from({ length: 24 }, (_, h) => h + 1));
    expect(progress.at(-1)).toBe(24);
    for (let h = 9; h < 24; h++) {
      expect(r.periods[h].regulatorTaps, `hour ${h}`).toEqual(ref[h].regcontrol_taps);
      expect(compareVoltages(r, h, ref[h].bus_vmag_pu).worst).toBeLessThan(5e-5);
      expect(Math.abs(r.periods[h].substationKw / Number(ref[h].p_subs_kw) - 1)).toBeLessThan(1e-4);
    }
  }, 60_000);

  it('a distributed run on a three-phase feeder needs areas (they run: threephase/distributed.test.ts); chosen explicitly, the balanced equivalent is labelled per phase', async () => {
    const b = backend();
    const { scenario } = await importThreePhase(b, feedersFolder('13Bus'), '13Bus/IEEE13Nodeckt.dss');
    const run = await b.handle('runs.start', { scenarioId: scenario.id, kind: 'distributed' });
    expect(run.ok).toBe(false);
    if (!run.ok) expect(run.error.message).toMatch(/a distributed run needs areas/);

    const preview = await call<ImportPreview>(b, 'import.preview', {
      files: feedersFolder('13Bus'),
      entry: '13Bus/IEEE13Nodeckt.dss',
    });
    const s = await call<ProjectSummary>(b, 'import.commit', { token: preview.token, model: 'balanced-equivalent' });
    const eq = s.feeders.at(-1)!;
    expect(eq.model).toBe('balanced-equivalent');
    expect(eq.source).toContain(PER_PHASE_LABEL);
    const phases = await call<FeederPhases>(b, 'feeders.phases', { id: eq.id });
    expect(phases.busPhases).toEqual({});
    const r = await call<BaseCaseResult>(b, 'basecase.run', { scenarioId: s.scenarios.at(-1)!.id, mode: 'snapshot' });
    expect(r.model).toBe('balanced-equivalent');
    expect(r.periods[0].vPu).toHaveLength(1);
    expect(r.distanceUnit).toBe('Ω');
  }, 60_000);

  it('by default the base case runs in a worker thread: the backend answers meanwhile, the result equals the in-thread one, and cancel stops it', async () => {
    const b = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-3ph-')),
      host: 'node-host',
      runImport: inlineImport,
    });
    backends.push(b);
    const { scenario } = await importThreePhase(b, feedersFolder('13Bus'), '13Bus/IEEE13Nodeckt.dss');
    const running = b.handle('basecase.run', { scenarioId: scenario.id, mode: 'daily', requestId: 'w1' });
    const info = await b.handle('app.info', null);
    expect(info.ok).toBe(true);
    const r = await running;
    expect(r.ok).toBe(true);
    const inline = await runBaseCaseInline(b, scenario.id);
    const worker = (r as { value: BaseCaseResult }).value;
    expect({ ...worker, elapsedSeconds: 0 }).toEqual({ ...inline, elapsedSeconds: 0 });

    const again = b.handle('basecase.run', { scenarioId: scenario.id, mode: 'daily', requestId: 'w2' });
    await call(b, 'basecase.cancel', { requestId: 'w2' });
    const stopped = await again;
    expect(stopped.ok).toBe(false);
    if (!stopped.ok) expect(stopped.error.code).toBe('cancelled');
  }, 120_000);

  it('a result too large to show is refused before solving, saying what to do', () => {
    const files = Object.fromEntries(feedersFolder('13Bus').map((f) => [f.name, f.text!]));
    const solving: number[] = [];
    // 16 buses × 3 phases: past the cap at 83,334 periods (the screen's limit, not the study's).
    expect(() =>
      runBaseCase(
        {
          scenarioId: 1,
          feederId: 1,
          model: 'three-phase',
          mode: 'daily',
          controls: true,
          study: { ...DEFAULT_STUDY, periods: 90_000 },
          scripts: { entry: '13Bus/IEEE13Nodeckt.dss', files },
        },
        (stage, done) => stage === 'solving' && solving.push(done),
      ),
    ).toThrow(/90000 periods × 16 buses × 3 phases .* run fewer periods \(Study settings\) or a snapshot/);
    expect(solving).toEqual([]);
  });

  it('a balanced feeder (the bundled IEEE 123 example) gets the same screen as the one-phase case over its study periods', async () => {
    const b = backend();
    const s = await call<ProjectSummary>(b, 'projects.openExample', { id: 'ieee123' });
    expect(s.feeders[0].model).toBe('balanced');
    const r = await call<BaseCaseResult>(b, 'basecase.run', { scenarioId: s.scenarios[0].id, mode: 'daily' });
    expect(r.periods.length).toBeGreaterThan(1);
    expect(r.periods.every((p) => p.vPu.length === 1 && p.vPu[0].length === r.buses.length)).toBe(true);
    expect(r.busPhases.every((p) => p === '')).toBe(true);
  }, 60_000);
});
