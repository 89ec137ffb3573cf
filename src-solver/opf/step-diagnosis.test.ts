import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readTestData, testDataUrl } from '../../test-data/index';
import type { IterationRecord, StepRecord } from '../nlp/index';
import { withBatteries } from '../siting/battery';
import { dayStudy, yearStretchStudy } from '../siting/profiles';
import { testYear } from '../testing/siting/year';
import { ieee123Feeder, readIeee123Texts } from '../testing/opf/ieee123';
import { createIndexMap } from './index-map';
import { solveOpf } from './solve';
import { createStepDiagnosis } from './step-diagnosis';

describe('OPF variables by name (IndexMap.variable)', () => {
  it('is the inverse of P, Q, l, v, qD, Pc, Pd, qB, B for every variable', () => {
    const T = 3;
    const nBr = 4;
    const nPv = 2;
    const nBat = 3;
    const ix = createIndexMap(T, nBr, nPv, nBat, false, true);
    const seen = new Set<number>();
    const check = (j: number, kind: string, period: number, index: number): void => {
      expect(ix.variable(j)).toEqual({ kind, period, index });
      seen.add(j);
    };
    for (let t = 0; t < T; t++) {
      for (let e = 0; e < nBr; e++) {
        check(ix.P(e, t), 'P', t, e);
        check(ix.Q(e, t), 'Q', t, e);
        check(ix.l(e, t), 'l', t, e);
        check(ix.v(e + 1, t), 'v', t, e + 1);
      }
      for (let k = 0; k < nPv; k++) check(ix.qD(k, t), 'qD', t, k);
      for (let k = 0; k < nBat; k++) {
        check(ix.Pc(k, t), 'Pc', t, k);
        check(ix.Pd(k, t), 'Pd', t, k);
        check(ix.qB(k, t), 'qB', t, k);
        check(ix.B(k, t), 'B', t, k);
      }
    }
    expect(seen.size).toBe(ix.n);
    expect(() => ix.variable(ix.n)).toThrow(RangeError);
    expect(() => ix.variable(-1)).toThrow(RangeError);
  });
});

describe('step diagnosis of an OPF solve', () => {
  it('names the bounds that cut the steps of a day with negative prices, without changing the solve', () => {
    // January 1st of the bundled 2023 year: its first hours have negative prices, where the cost
    // objective pays for losses (docs/siting.md) and the inverters' reactive powers cut the steps.
    const year = testYear((n) => readTestData('year-profiles', n));
    const study = { ...dayStudy(year, 0), objective: 'cost' as const };
    expect(study.priceCentsPerKwh!.values.slice(0, 6).some((p) => p < 0)).toBe(true);
    const dir = testDataUrl('ieee123-balanced/');
    const texts = readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8'));
    const feeder = withBatteries(ieee123Feeder(texts), [{ bus: '85', kw: 60, kwh: 240, kva: 72, phases: 3 }]);
    const steps: StepRecord[] = [];
    const out = solveOpf(feeder, study, { validate: false }, { onStep: (s) => steps.push(s) });
    const plain = solveOpf(feeder, study, { validate: false });
    expect(out.nlp.status).toBe('solved');
    expect(out.nlp.iterations).toBe(plain.nlp.iterations);
    expect(out.nlp.objective).toBe(plain.nlp.objective);
    const d = createStepDiagnosis(out.model.ix);
    for (const s of steps) d.onStep(s);
    const sum = d.summary();
    expect(sum.steps).toBe(out.nlp.iterations);
    expect(sum.phases.reduce((a, p) => a + p.steps, 0)).toBe(sum.steps);
    // μ only decreases (monotone strategy) and each phase's cut steps are among its steps.
    for (let i = 1; i < sum.phases.length; i++) expect(sum.phases[i]!.mu).toBeLessThan(sum.phases[i - 1]!.mu);
    for (const p of sum.phases) {
      expect(p.cut).toBeLessThanOrEqual(p.steps);
      expect(p.periodsBlocking).toBeLessThanOrEqual(Math.min(p.cut, 24));
    }
    const cut = steps.filter((s) => s.alphaPrimalMax < 1).length;
    expect(Object.values(sum.primalBlockedBy).reduce((a, b) => a + b, 0)).toBe(cut);
    // The labels are OPF symbols with a side; the reactive powers are among them.
    for (const label of Object.keys(sum.primalBlockedBy))
      expect(label).toMatch(/^(P|Q|l|v|qD|Pc|Pd|qB|B) (lower|upper)$/);
    const reactive = Object.entries(sum.primalBlockedBy)
      .filter(([k]) => k.startsWith('qD') || k.startsWith('qB'))
      .reduce((a, [, n]) => a + n, 0);
    expect(reactive).toBeGreaterThan(0);
  });
});

describe('the per-period shift held after a full step that raised θ (InertiaCorrector.holdShift)', () => {
  it('holds only right after a full primal step, as a shifted start, and the diagnosis counts it', () => {
    // The year's first 48 hours with the 60 kW / 240 kWh battery at bus 85: per-period steps and
    // shift (the OPF's defaults for T > 1); its end game holds the shift (measured: once).
    const year = testYear((n) => readTestData('year-profiles', n));
    const study = { ...yearStretchStudy(year, 0, 48), objective: 'cost' as const };
    const dir = testDataUrl('ieee123-balanced/');
    const texts = readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8'));
    const feeder = withBatteries(ieee123Feeder(texts), [{ bus: '85', kw: 60, kwh: 240, kva: 72, phases: 3 }]);
    const steps: StepRecord[] = [];
    const records = new Map<number, IterationRecord>();
    const out = solveOpf(
      feeder,
      study,
      { validate: false },
      { onStep: (s) => steps.push(s), onIteration: (r) => void records.set(r.iter, { ...r }) },
    );
    expect(out.nlp.status).toBe('solved');
    const held = steps.filter((s) => s.shiftHeld);
    expect(held.length).toBeGreaterThan(0);
    for (const s of held) {
      // the step into this point was full (α = 1 for every period: the per-period α's product
      // with the line search's β is β = 1 here) and this iteration needed a shift
      expect(records.get(s.iter)?.alphaPr).toBe(1);
      expect(s.deltaW).toBeGreaterThan(0);
    }
    const d = createStepDiagnosis(out.model.ix);
    for (const s of steps) d.onStep(s);
    expect(d.summary().phases.reduce((a, p) => a + p.held, 0)).toBe(held.length);
  });
});
