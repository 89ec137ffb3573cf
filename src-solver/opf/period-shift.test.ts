import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTestData, testDataUrl } from '../../test-data/index';
import { withBatteries } from '../siting/battery';
import { yearStretchStudy } from '../siting/profiles';
import { testYear } from '../testing/siting/year';
import { ieee123Feeder, readIeee123Texts } from '../testing/opf/ieee123';
import { buildModel } from './model';
import { buildNetwork } from './network';
import type { OpfVariable } from './index-map';
import { solveOpf } from './solve';

describe('the OPF period hint and the per-period Hessian shift (issue #16)', () => {
  const dir = testDataUrl('ieee123-balanced/');
  const texts = readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8'));
  const feeder = withBatteries(ieee123Feeder(texts), [{ bus: '85', kw: 60, kwh: 240, kva: 72, phases: 3 }]);
  const year = testYear((n) => readTestData('year-profiles', n));

  it('gives every variable its period', () => {
    const model = buildModel(buildNetwork(feeder, { ...yearStretchStudy(year, 0, 3), objective: 'cost' }));
    const hint = model.problem.periods!.ofVar;
    expect(hint.length).toBe(model.problem.n);
    for (let j = 0; j < model.problem.n; j++) expect(hint[j]).toBe(model.ix.variable(j).period);
  });

  it('reaches the global shift’s optimum on two days with negative prices', () => {
    // January 1–2 of the bundled 2023 year: hours 0–5 and 23–29 have negative prices, where the
    // cost objective pays for losses and the branch equations' Hessian is indefinite.
    const study = { ...yearStretchStudy(year, 0, 48), objective: 'cost' as const };
    expect((study.priceCentsPerKwh?.values ?? []).filter((p) => p < 0).length).toBeGreaterThanOrEqual(10);
    // W&B's global step lengths in both (the OPF's default for T > 1 is per period): the shift alone.
    const global = solveOpf(feeder, study, {
      validate: false,
      nlp: { stepLengths: 'global', hessianPerturbation: 'global' },
    });
    const period = solveOpf(feeder, study, {
      validate: false,
      nlp: { stepLengths: 'global', hessianPerturbation: 'perPeriod' },
    });
    expect(global.nlp.status).toBe('solved');
    expect(period.nlp.status).toBe('solved');
    // A different path (not the same iterates) to the same local optimum.
    expect(period.nlp.timing.factorizations).not.toBe(global.nlp.timing.factorizations);
    expect(Math.abs(period.nlp.objective - global.nlp.objective) / Math.abs(global.nlp.objective)).toBeLessThan(1e-8);
    let dx = 0;
    for (let j = 0; j < global.nlp.x.length; j++) {
      const k = global.model.ix.variable(j).kind;
      if (k === 'Pc' || k === 'Pd' || k === 'B') dx = Math.max(dx, Math.abs(period.nlp.x[j]! - global.nlp.x[j]!));
    }
    expect(dx).toBeLessThan(1e-6);
  });

  it('with per-period step lengths (the default for T > 1) reaches the objective and real powers of a tight global solve', () => {
    // January 1–2 of the bundled year (13 hours at negative prices), the combination the OPF uses
    // for more than one period against W&B's global step and shift at tol 1e-11.
    const study = { ...yearStretchStudy(year, 0, 48), objective: 'cost' as const };
    const ref = solveOpf(feeder, study, {
      validate: false,
      nlp: { tol: 1e-11, stepLengths: 'global', hessianPerturbation: 'global' },
    });
    expect(['solved', 'acceptable']).toContain(ref.nlp.status);
    const dflt = solveOpf(feeder, study, { validate: false });
    const steps = solveOpf(feeder, study, { validate: false, nlp: { hessianPerturbation: 'global' } });
    const both = solveOpf(feeder, study, {
      validate: false,
      nlp: { stepLengths: 'per-period', hessianPerturbation: 'perPeriod' },
    });
    expect(dflt.nlp.status).toBe('solved');
    // The default is the combination, and the shift changes its path (measured: 73 iterations
    // against 74 with the per-period steps alone, 83 for the tight global solve).
    expect([...dflt.nlp.x]).toEqual([...both.nlp.x]);
    expect([...dflt.nlp.x]).not.toEqual([...steps.nlp.x]);
    // The optimum is flat along the negative-price hours' reactive powers and voltages, and the
    // three solves end at different points of it: measured, the default 7.2e-8 relative *below*
    // the tight solve, the per-period steps alone 3.9e-8 below. Not above it beyond tol, and close.
    const rel = (dflt.nlp.objective - ref.nlp.objective) / Math.abs(ref.nlp.objective);
    expect(rel).toBeLessThan(1e-8);
    expect(Math.abs(rel)).toBeLessThan(2e-7);
    // Real powers and the battery's schedule to 1e-4 pu (measured 4.3e-5); the reactive powers,
    // voltages and currents along the flat directions to 1e-2 pu (measured 6.2e-3 in Q and qB,
    // 8.6e-4 in v).
    const worst: Partial<Record<OpfVariable['kind'], number>> = {};
    for (let j = 0; j < dflt.nlp.x.length; j++) {
      const kind = dflt.model.ix.variable(j).kind;
      worst[kind] = Math.max(worst[kind] ?? 0, Math.abs(dflt.nlp.x[j]! - ref.nlp.x[j]!));
    }
    for (const kind of ['P', 'Pc', 'Pd', 'B'] as const) expect(worst[kind]).toBeLessThan(1e-4);
    for (const kind of ['v', 'l', 'Q', 'qD', 'qB'] as const) expect(worst[kind]).toBeLessThan(1e-2);
  });
});
