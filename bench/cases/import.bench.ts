/**
 * Import/export throughput: the IEEE 123 OpenDSS script, and the 10,240-bus scaled feeder
 * written as OpenDSS and as Tessera CSV and read back, plus the per-unit conversion.
 */
import { readFileSync } from 'node:fs';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import { readTesseraCsv, writeTesseraCsv } from '../../src-solver/io/csv/tessera';
import { exportDss } from '../../src-solver/io/dss/export';
import { importDss, importDssFiles } from '../../src-solver/io/dss/index';
import { unwrapImport } from '../../src-solver/io/types';
import type { BenchCase } from '../types';
import { testDataPath } from '../../test-data/index';

const master123 = testDataPath('ieee123-balanced/dss/Master.dss');
const readFs = (p: string) => readFileSync(p, 'utf8');
const ieee123 = () => unwrapImport(importDss(master123, readFs, { storageSocMax: 0.95 })).feeder;

function timeIt(reps: number, f: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - t0) / reps;
}

const cases: BenchCase[] = [
  {
    name: 'import IEEE 123 OpenDSS script',
    size: { buses: 128, repetitions: 50 },
    run() {
      const ms = timeIt(50, ieee123);
      return { iterations: 50, msPerImport: ms };
    },
  },
  {
    name: 'OpenDSS export + re-import, 10k-bus feeder',
    size: { buses: 10_240 },
    run() {
      const big = generateScaledFeeder(ieee123(), 80);
      let files: Record<string, string> = {};
      const exportMs = timeIt(1, () => (files = exportDss(big)));
      const inMemory = Object.fromEntries(Object.entries(files).map(([k, v]) => [`/b/${k}`, v]));
      let buses = 0;
      const importMs = timeIt(
        3,
        () =>
          (buses = unwrapImport(importDssFiles('/b/Master.dss', inMemory, { storageSocMax: 0.95 })).feeder.buses
            .length),
      );
      const chars = Object.values(files).reduce((s, t) => s + t.length, 0);
      return { iterations: 3, exportMs, importMs, scriptChars: chars, buses };
    },
  },
  {
    name: 'Tessera CSV write + read, 10k-bus feeder',
    size: { buses: 10_240 },
    run() {
      const big = generateScaledFeeder(ieee123(), 80);
      let files: Record<string, string> = {};
      const writeMs = timeIt(3, () => (files = writeTesseraCsv(big)));
      const readMs = timeIt(3, () => unwrapImport(readTesseraCsv(files)));
      return { iterations: 3, writeMs, readMs };
    },
  },
];

export default cases;
