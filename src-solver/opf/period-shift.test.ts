import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTestData, testDataUrl } from '../../test-data/index';
import { withBatteries } from '../siting/battery';
import { yearStretchStudy } from '../siting/profiles';
import { testYear } from '../testing/siting/year';
import { ieee123Feeder, readIeee123Texts } from '../testing/opf/ieee123';
import { buildModel } from './model';
import { buildNetwork } from './network';
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
    expect(study.priceCentsPerKwh.values.filter((p) => p < 0).length).toBeGreaterThanOrEqual(10);
    // W&B's global step lengths in both (the OPF's default for T > 1 is per period): the shift alone.
    const global = solveOpf(feeder, study, { validate: false, nlp: { stepLengths: 'global' } });
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
});
