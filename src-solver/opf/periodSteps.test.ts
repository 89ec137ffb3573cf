/**
 * The solver's per-period step lengths (nlp/periodSteps.ts, SolveOptions.stepLengths) on the
 * OPF they were built for: IEEE 123 with a battery added at bus 85, over January 1 of the bundled
 * year, whose hours 0–5 have negative prices (the hours whose inverter bounds cut the global step).
 */
import { describe, expect, it } from 'vitest';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import { readTestData } from '../../test-data/index';
import { BATTERY_DEFAULTS, withBatteries } from '../siting/battery';
import { yearStretchStudy } from '../siting/profiles';
import { testYear } from '../testing/siting/year';
import { solveOpf } from './solve';
import type { OpfVariable } from './index-map';

describe("OPF with stepLengths 'per-period' (IEEE 123 + 60 kW / 240 kWh at bus 85, January 1)", () => {
  const year = testYear((name) => readTestData('year-profiles', name));
  const feeder = withBatteries(loadIeee123().feeder, [
    { bus: '85', kw: 60, kwh: 240, kva: BATTERY_DEFAULTS.inverterKvaPerKw * 60, phases: BATTERY_DEFAULTS.phases },
  ]);
  const study = { ...yearStretchStudy(year, 0, 24), objective: 'cost' as const };

  it('reaches the optimum of a tighter global solve, with per-period steps taken', () => {
    const price = study.priceCentsPerKwh;
    expect(price && 'values' in price && price.values.slice(0, 24).some((c) => c < 0)).toBe(true);
    const ref = solveOpf(feeder, study, { nlp: { tol: 1e-11 }, validate: false });
    expect(['solved', 'acceptable']).toContain(ref.nlp.status);
    let taken = -1;
    const pp = solveOpf(
      feeder,
      study,
      { nlp: { stepLengths: 'per-period', printLevel: 1 }, validate: false },
      {
        log: (line) => {
          const m = /per-period steps taken in (\d+) iterations/.exec(line);
          if (m) taken = Number(m[1]);
        },
      },
    );
    expect(pp.nlp.status).toBe('solved');
    expect(taken).toBeGreaterThan(0);
    // The default (global) solve is 5e-8 relative above the tight one at tol 1e-8 (measured; the
    // optimum is flat along the negative-price hours' reactive powers): the same band for both.
    const rel = (pp.nlp.objective - ref.nlp.objective) / Math.abs(ref.nlp.objective);
    expect(Math.abs(rel)).toBeLessThan(2e-7);
    // Primal: the real powers, voltages and the battery's schedule to 1e-4 pu; the reactive
    // quantities and the currents they drive (flat directions at negative prices: the default
    // global solve is 3e-4 pu off in l and 1e-3 pu in Q there) to 1e-2 pu.
    const worst: Partial<Record<OpfVariable['kind'], number>> = {};
    for (let j = 0; j < pp.nlp.x.length; j++) {
      const kind = pp.model.ix.variable(j).kind;
      worst[kind] = Math.max(worst[kind] ?? 0, Math.abs(pp.nlp.x[j] - ref.nlp.x[j]));
    }
    for (const kind of ['P', 'v', 'Pc', 'Pd', 'B'] as const) expect(worst[kind]).toBeLessThan(1e-4);
    for (const kind of ['l', 'Q', 'qD', 'qB'] as const) expect(worst[kind]).toBeLessThan(1e-2);
  });

  it("is the OPF's default for more than one period ('global' overrides it); one period keeps W&B's step", () => {
    const short = { ...yearStretchStudy(year, 0, 6), objective: 'cost' as const };
    const dflt = solveOpf(feeder, short, { validate: false });
    // (the default also shifts the Hessian per period: opf/period-shift.test.ts)
    const pp = solveOpf(feeder, short, {
      nlp: { stepLengths: 'per-period', hessianPerturbation: 'perPeriod' },
      validate: false,
    });
    const g = solveOpf(feeder, short, { nlp: { stepLengths: 'global' }, validate: false });
    expect(dflt.nlp.iterations).toBe(pp.nlp.iterations);
    expect([...dflt.nlp.x]).toEqual([...pp.nlp.x]);
    expect([...g.nlp.x]).not.toEqual([...pp.nlp.x]);
    const one = { ...yearStretchStudy(year, 3, 1), objective: 'cost' as const };
    const a = solveOpf(feeder, one, { validate: false });
    const b = solveOpf(feeder, one, { nlp: { stepLengths: 'global' }, validate: false });
    expect(a.nlp.iterations).toBe(b.nlp.iterations);
    expect([...a.nlp.x]).toEqual([...b.nlp.x]);
  });
});
