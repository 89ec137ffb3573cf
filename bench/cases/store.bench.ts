/**
 * The project store at scale: a 10,000-bus feeder and a 24-period run's results (bus voltages,
 * branch flows and currents, battery and PV dispatch as Float64Array blobs) saved to a new
 * .tessera file, the file closed, reopened and everything loaded back (and checked bit for bit).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomTreeFeeder } from '../../src-main/backend/store/fixtures';
import { Project } from '../../src-main/backend/store/project';
import type { BenchCase } from '../types';

const BUSES = 10_000;
const PERIODS = 24;

const cases: BenchCase[] = [
  {
    name: 'store: save and load a 10,000-bus feeder with 24-period results',
    size: { buses: BUSES, periods: PERIODS },
    run() {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-store-'));
      const path = join(dir, 'big.tessera');
      const feeder = randomTreeFeeder(BUSES, 11);
      const nb = feeder.branches.length;
      const shaped = (rows: number, seed: number) => {
        const data = new Float64Array(rows * PERIODS);
        for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.001 + seed) + seed;
        return { shape: [rows, PERIODS], data };
      };
      const series = {
        vPu: shaped(BUSES, 1),
        pKw: shaped(nb, 2),
        qKvar: shaped(nb, 3),
        lSqPu: shaped(nb, 4),
        batteryPcKw: shaped(feeder.batteries.length, 5),
        batteryPdKw: shaped(feeder.batteries.length, 6),
        batteryQKvar: shaped(feeder.batteries.length, 7),
        batteryEnergyKwh: shaped(feeder.batteries.length, 8),
        pvQKvar: shaped(feeder.pv.length, 9),
      };

      const t0 = performance.now();
      const p = Project.create(path, 'Bench');
      const { scenarioId } = p.addFeeder(feeder, { source: 'bench' });
      const runId = p.saveRun({ scenarioId, kind: 'centralized', status: 'solved', settings: {} }, series);
      p.close();
      const saveMs = performance.now() - t0;
      const fileBytes = statSync(path).size;

      const t1 = performance.now();
      const q = Project.open(path);
      const loadedFeeder = q.getFeeder(1);
      const loaded = q.loadRun(runId);
      q.close();
      const loadMs = performance.now() - t1;

      let same = loadedFeeder.buses.length === BUSES;
      for (const [name, s] of Object.entries(series)) {
        const got = loaded.series[name]!.data;
        for (let i = 0; i < s.data.length && same; i++) same = got[i] === s.data[i];
      }
      rmSync(dir, { recursive: true, force: true });
      if (!same) throw new Error('loaded results differ from saved ones');
      const values = Object.values(series).reduce((a, s) => a + s.data.length, 0);
      return {
        iterations: null,
        saveMs,
        loadMs,
        fileMb: fileBytes / 2 ** 20,
        resultValues: values,
        bytesPerValue: fileBytes / values,
      };
    },
  },
];

export default cases;
