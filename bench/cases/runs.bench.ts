/**
 * Runs at scale: how long `runs.get` takes for a 10,000-bus, 24-period run — load the stored run
 * from a reopened .tessera file and build the RunDetail DTO (the backend's share of "a 10,000-bus
 * run's dashboards open in under 2 s"), then serialize it as the IPC / WebSocket transport would.
 *
 * The feeder is 80 copies of IEEE 123 (10,240 buses). The stored run is built from an AC power flow of the same size (10,240 buses × 24 periods, every
 * series the dashboards read, at full size), not from a 10,000-bus OPF solve: the OPF solve takes
 * far longer than a bench case should, and what runs.get costs depends on the sizes, not on how
 * the numbers were obtained.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMED_PRICES_2023_11_10_CENTS_PER_KWH,
  DEFAULT_STUDY,
  LOAD_SHAPE_24H,
  PV_SHAPE_24H,
} from '../../src-main/backend/store/defaults';
import { examplesDir } from '../../src-main/paths';
import { loadExampleProject } from '../../src-solver/examples/project';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import type { Feeder } from '../../src-solver/model/feeder';
import { Project } from '../../src-main/backend/store/project';
import { fromOpfResults, type StoredSettings } from '../../src-main/backend/runs/records';
import { RunService } from '../../src-main/backend/runs/service';
import { chromiumRenderPdf, pdfPageCount } from '../../src-main/backend/report/chromium';
import { ReportService } from '../../src-main/backend/report/service';
import { buildReportHtml } from '../../src-main/backend/report/template';
import type { OpfPeriod, OpfResults } from '../../src-solver/opf/results';
import { solvePowerFlow } from '../../src-solver/pf/powerflow';
import type { BenchCase } from '../types';

const PERIODS = 24;
const LOAD_SCALE = LOAD_SHAPE_24H;

/** The benchmark feeder: 80 copies of IEEE 123 in a balanced tree (10,240 buses; `tessera gen scaled`). */
function scaledIeee123(): Feeder {
  const dir = join(examplesDir, 'ieee123');
  const base = loadExampleProject(readFileSync(join(dir, 'example.json'), 'utf8'), (rel) =>
    readFileSync(join(dir, rel), 'utf8'),
  ).feeder;
  return generateScaledFeeder(base, 80);
}

/** An OPF-shaped result from a power flow without controls (batteries idle, PV at its shape, no kvar). */
function powerFlowAsResults(feeder: Feeder): OpfResults {
  const pf = solvePowerFlow(feeder, { periods: PERIODS, loadScale: LOAD_SCALE, pvScale: PV_SHAPE_24H });
  const nPv = feeder.pv.length;
  const nBat = feeder.batteries.length;
  const peakKw = feeder.loads.reduce((s, l) => s + l.pKw, 0);
  const periods: OpfPeriod[] = pf.periods.map((p, t) => {
    const price = COMED_PRICES_2023_11_10_CENTS_PER_KWH[t]! / 100;
    return {
      period: t,
      hour: p.hour,
      vPu: p.vPu,
      branchPKw: p.branchPKw,
      branchQKvar: p.branchQKvar,
      branchLossKw: p.branchLossKw,
      branchCurrentA: p.branchIA,
      pvKw: Float64Array.from(feeder.pv, (d) => d.pRatedKw * PV_SHAPE_24H[t]!),
      pvKvar: new Float64Array(nPv),
      batteryChargeKw: new Float64Array(nBat),
      batteryDischargeKw: new Float64Array(nBat),
      batteryKvar: new Float64Array(nBat),
      batterySocKwh: Float64Array.from(feeder.batteries, (b) => b.energyKwh * b.socInitial),
      substationKw: p.substationKw,
      substationKvar: p.substationKvar,
      lossKw: p.lossKw,
      demandKw: peakKw * LOAD_SCALE[t]!,
      priceUsdPerKwh: price,
      costUsd: price * p.substationKw,
    };
  });
  const sum = (f: (p: OpfPeriod) => number) => periods.reduce((s, p) => s + f(p), 0);
  return {
    feederName: feeder.name,
    status: 'solved',
    message: 'power flow (bench)',
    objective: sum((p) => p.costUsd),
    objectiveKind: 'cost',
    dtH: 1,
    busNames: pf.busNames,
    branchNames: pf.branchNames,
    pvNames: feeder.pv.map((d) => d.name),
    pvBuses: feeder.pv.map((d) => d.bus),
    batteryNames: feeder.batteries.map((d) => d.name),
    batteryBuses: feeder.batteries.map((d) => d.bus),
    periods,
    totals: {
      lineLossKwh: sum((p) => p.lossKw),
      substationKwh: sum((p) => p.substationKw),
      substationKvarh: sum((p) => p.substationKvar),
      pvKwh: sum((p) => p.pvKw.reduce((s, x) => s + x, 0)),
      pvKvarh: 0,
      batteryKwh: 0,
      batteryKvarh: 0,
      costUsd: sum((p) => p.costUsd),
      demandKwh: sum((p) => p.demandKw),
    },
    maxSimultaneousChargeDischargeKw: 0,
    maxSimultaneousChargeDischargeFraction: 0,
    relaxationGapPu: new Float64Array(pf.branchNames.length),
    maxRelaxationGapPu: 0,
    solver: { status: 'solved', message: '', iterations: 0, seconds: 0, objectiveNlp: 0 },
    notes: [],
  };
}

/** A .tessera file holding the 10,240-bus feeder, its scenario and one stored 24-period run. */
function storedBigRun(): { dir: string; path: string; runId: number; feeder: Feeder } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-runs-'));
  const path = join(dir, 'big.tessera');
  const feeder = scaledIeee123();
  const results = powerFlowAsResults(feeder);
  const p = Project.create(path, 'Bench');
  const { scenarioId } = p.addFeeder(feeder, { source: 'bench' });
  const settings: StoredSettings = {
    study: DEFAULT_STUDY,
    placements: { pv: feeder.pv, batteries: feeder.batteries },
    partition: { cuts: [] },
    scenarioName: 'bench',
    feederName: feeder.name,
  };
  const { stats, series } = fromOpfResults(results, settings.placements, null);
  const runId = p.saveRun({ scenarioId, kind: 'centralized', status: 'solved', settings, stats, log: 'bench' }, series);
  p.close();
  return { dir, path, runId, feeder };
}

const noSolves = () => {
  throw new Error('no solves in this bench');
};

const cases: BenchCase[] = [
  {
    name: 'runs: runs.get of a 10,000-bus 24-period run (load from the store + build the DTO + serialize)',
    size: { buses: 10_240, periods: PERIODS },
    run() {
      const { dir, path, runId, feeder } = storedBigRun();

      // Cold: reopen the file (as after an app restart), then runs.get.
      const t0 = performance.now();
      const q = Project.open(path);
      const runs = new RunService({ project: () => q, spawnArea: noSolves, emit: () => undefined });
      const openMs = performance.now() - t0;
      const t1 = performance.now();
      const detail = runs.get({ runId });
      const getMs = performance.now() - t1;
      const t2 = performance.now();
      const json = JSON.stringify(detail);
      const serializeMs = performance.now() - t2;
      // Warm: a second runs.get of the same run (re-opening a run from the list).
      const t3 = performance.now();
      runs.get({ runId });
      const warmGetMs = performance.now() - t3;
      q.close();
      rmSync(dir, { recursive: true, force: true });
      const values = Object.values(detail.series).reduce((s, v) => s + v.length, 0);
      return {
        iterations: null,
        openMs: Math.round(openMs),
        getMs: Math.round(getMs),
        warmGetMs: Math.round(warmGetMs),
        serializeMs: Math.round(serializeMs),
        backendShareMs: Math.round(openMs + getMs + serializeMs),
        dtoMb: Math.round((json.length / 1e6) * 10) / 10,
        seriesValues: values,
        buses: detail.busNames.length,
        ok:
          detail.busNames.length === feeder.buses.length &&
          detail.series.voltagePu!.length === feeder.buses.length * PERIODS,
      };
    },
  },
  {
    name: 'report: PDF study report of a 10,240-bus 24-period run (HTML with server-side charts and network picture, then Chromium)',
    size: { buses: 10_240, periods: PERIODS },
    async run() {
      const { dir, path, runId } = storedBigRun();
      const q = Project.open(path);
      const runs = new RunService({ project: () => q, spawnArea: noSolves, emit: () => undefined });
      const reports = new ReportService({ project: () => q, runs, renderPdf: chromiumRenderPdf(), dataDir: dir });
      const t0 = performance.now();
      const html = buildReportHtml(reports.input({ runId }));
      const htmlMs = performance.now() - t0;
      const t1 = performance.now();
      const pdf = await chromiumRenderPdf()(html);
      const pdfMs = performance.now() - t1;
      q.close();
      rmSync(dir, { recursive: true, force: true });
      return {
        iterations: null,
        htmlMs: Math.round(htmlMs),
        htmlMb: Math.round((html.length / 1e6) * 10) / 10,
        pdfMs: Math.round(pdfMs),
        pdfMb: Math.round((pdf.length / 1e6) * 10) / 10,
        pages: pdfPageCount(pdf),
      };
    },
  },
];

export default cases;
