/**
 * An OPF with no controllable device is a power flow with limits: the interior-point method starts
 * at its solution (θ ≈ 1e-14) and must end there. The IEEE 123 reference CSV pair imported as a
 * planner does (no PV, no batteries) under the example's daily load shape failed every run at
 * iteration 0 ("restoration phase called at an almost feasible point") with limits 0.95–1.05 pu,
 * though every voltage lies in 1.005–1.03 pu; with a flat shape or Vmin 0.9 it solved.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importReferenceCsv } from '../io/csv/reference';
import { solveOpf } from './solve';
import { testDataPath } from '../../test-data/index';

const LOAD_SHAPE = [
  0.71, 0.657, 0.618, 0.592, 0.598, 0.613, 0.644, 0.668, 0.705, 0.75, 0.777, 0.787, 0.796, 0.782, 0.783, 0.789, 0.826,
  0.855, 0.95, 1, 0.97, 0.921, 0.85, 0.72,
];

function csvPairFeeder() {
  const read = (n: string) => readFileSync(testDataPath(`ieee123-balanced/csv/${n}`), 'utf8');
  const out = importReferenceCsv(read('linedata.csv'), read('powerdata.csv'), { name: 'ieee123-csv' });
  if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('; '));
  return out.feeder;
}

describe('an OPF with no controllable device (a power flow with limits)', () => {
  it.each([
    [2, 12],
    [1, 0],
    [24, 0],
  ])(
    'IEEE 123 CSV pair, daily load shape, %i periods from hour %i: solved at the AC power flow',
    (periods, startHour) => {
      const feeder = csvPairFeeder();
      expect(feeder.pv.length + feeder.batteries.length).toBe(0);
      const out = solveOpf(feeder, {
        periods,
        startHour,
        loadProfile: { intervalH: 1, values: LOAD_SHAPE },
        priceCentsPerKwh: { intervalH: 1, values: [2.8] },
        vMinPu: 0.95,
        vMaxPu: 1.05,
      });
      expect(out.nlp.status, out.results.message).toBe('solved');
      // The independent AC power flow (validation) agrees: the OPF's point is the power flow's.
      expect(out.results.validation!.maxVoltageDiffPu).toBeLessThan(1e-6);
      for (const p of out.results.periods) {
        expect(Math.min(...p.vPu)).toBeGreaterThan(0.95);
        expect(Math.max(...p.vPu)).toBeLessThan(1.05);
      }
    },
  );
});
