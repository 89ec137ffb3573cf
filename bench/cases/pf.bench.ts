/**
 * AC power flow benchmarks: import + 24-period power flow of the 10,240-bus scaled feeder
 * (80 × IEEE 123, src-solver/examples/scaled.ts; target < 1 s for the power flow) and of the
 * IEEE 123 example itself. The feeder is written to its reference-CSV text form first, so
 * "import" is the real importer (parse + validation), as `tessera pf <folder>` does it.
 * The wall time the runner records includes generation and the process start; `importMs` and
 * `pfMs` are the measured parts (pfMs: best and median of REPEATS runs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleFolderFiles } from '../../src-solver/examples/export';
import { loadExampleProject } from '../../src-solver/examples/project';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import type { Feeder } from '../../src-solver/model/feeder';
import { solvePowerFlow } from '../../src-solver/pf/powerflow';
import { examplesDir } from '../../src-main/paths';
import type { BenchCase } from '../types';

const PERIODS = 24;
const REPEATS = 5;
const PF_TARGET_MS = 1000;

function exampleTexts(): { manifest: string; read: (rel: string) => string } {
  const dir = join(examplesDir, 'ieee123');
  return {
    manifest: readFileSync(join(dir, 'example.json'), 'utf8'),
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
  };
}

function measure(files: { manifest: string; read: (rel: string) => string }) {
  const t0 = performance.now();
  const { feeder } = loadExampleProject(files.manifest, files.read);
  const importMs = performance.now() - t0;
  const times: number[] = [];
  let result = solvePowerFlow(feeder, { periods: PERIODS });
  for (let r = 0; r < REPEATS; r++) {
    const t1 = performance.now();
    result = solvePowerFlow(feeder, { periods: PERIODS });
    times.push(performance.now() - t1);
  }
  times.sort((a, b) => a - b);
  const sweeps = result.periods.reduce((s, p) => s + p.iterations, 0);
  const vmin = result.periods.reduce((m, p) => (p.vmin.pu < m.pu ? p.vmin : m), result.periods[0].vmin);
  const vmax = result.periods.reduce((m, p) => (p.vmax.pu > m.pu ? p.vmax : m), result.periods[0].vmax);
  return {
    feeder,
    record: {
      iterations: sweeps,
      importMs: Math.round(importMs * 10) / 10,
      pfMsBest: Math.round(times[0] * 10) / 10,
      pfMsMedian: Math.round(times[REPEATS >> 1] * 10) / 10,
      pfTargetMs: PF_TARGET_MS,
      pfUnderTarget: times[REPEATS >> 1] < PF_TARGET_MS,
      sweepsPerPeriodMax: Math.max(...result.periods.map((p) => p.iterations)),
      maxMismatchPu: Math.max(...result.periods.map((p) => p.maxMismatchPu)),
      vminPu: vmin.pu,
      vminBus: vmin.bus,
      vmaxPu: vmax.pu,
      lossKwhDay: result.periods.reduce((s, p) => s + p.lossKw, 0),
    },
  };
}

function scaledTexts(base: Feeder, copies: number) {
  const big = generateScaledFeeder(base, copies);
  const files = exampleFolderFiles(big, { title: 'bench', description: `${copies} × IEEE 123` });
  return { manifest: files.get('example.json')!, read: (rel: string) => files.get(rel)!, buses: big.buses.length };
}

const cases: BenchCase[] = [
  {
    name: 'pf: import + 24-period AC power flow, 80 × IEEE 123 (10,240 buses)',
    size: { buses: 10_240, periods: PERIODS },
    run() {
      const base = loadExampleProject(exampleTexts().manifest, exampleTexts().read).feeder;
      const texts = scaledTexts(base, 80);
      const { record } = measure(texts);
      return { ...record, buses: texts.buses };
    },
  },
  {
    name: 'pf: import + 24-period AC power flow, IEEE 123 example (128 buses)',
    size: { buses: 128, periods: PERIODS },
    run() {
      return measure(exampleTexts()).record;
    },
  },
];

export default cases;
