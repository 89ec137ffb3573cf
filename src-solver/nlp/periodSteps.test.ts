import { describe, expect, it } from 'vitest';
import { InternalNlp } from './internalNlp';
import { Iterate } from './iterate';
import { blockingBound, blockingMultiplier, maxStepPositive, maxStepToBoundary } from './lineSearch';
import { combineCoupled, stepClasses, type StepClasses } from './periodSteps';
import { boundMultiplierStep, newClassSteps, stepPass } from './stepPass';
import { randomInteriorPoint } from '../testing/nlp/points';
import { solveNlp } from './index';
import { QuadraticProgramBuilder } from '../opf3/quadratic';
import { hs071 } from '../testing/nlp/problems';
import { mulberry32 } from '../random';
import type { NlpProblem } from './problem';
import type { SolveOptions } from './options';

/**
 * A multi-period QCQP shaped like the OPF: per period t, three bounded variables x with a convex
 * quadratic row (or, `nonconvex`, an indefinite equality) and a quadratic objective whose prices
 * change sign, and — when `chained` — a store
 * e_t = e_{t−1} + u_t (e ∈ [0, 2], u ∈ [−1, 1]) whose u_t also enters period t's demand row
 * x₀ + x₁ + u_t ≥ d_t (a mixed row), the last e tied to the first by a terminal row.
 */

function multiPeriod(T: number, chained: boolean, nonconvex = false, seed = 3): NlpProblem {
  const r = mulberry32(seed);
  const b = new QuadraticProgramBuilder();
  let ePrev = -1;
  let e0 = -1;
  for (let t = 0; t < T; t++) {
    b.period = t;
    const x = [b.addVar(-1, 2, 0.5), b.addVar(-1, 2, 0.5), b.addVar(-2, 2, 0)];
    const u = chained ? b.addVar(-1, 1, 0) : -1;
    const e = chained ? b.addVar(0, 2, 1) : -1;
    if (t === 0) e0 = e;
    // demand: x0 + x1 (+ u) ≥ d_t
    const dem = b.addRow(0.3 + r(), Infinity);
    b.linear(dem, 1, { v: x[0] });
    b.linear(dem, 1, { v: x[1] });
    if (chained) b.linear(dem, 1, { v: u });
    const ct = 0.1 * r();
    if (nonconvex) {
      // x0·x1 − x2² + 0.2 x2 = c_t (indefinite)
      const q = b.addRow(ct, ct);
      b.product(q, 1, { v: x[0] }, { v: x[1] });
      b.product(q, -1, { v: x[2] }, { v: x[2] });
      b.linear(q, 0.2, { v: x[2] });
    } else {
      // x0² + x2² − 0.2 x2 ≤ 1 + c_t
      const q = b.addRow(-Infinity, 1 + ct);
      b.product(q, 1, { v: x[0] }, { v: x[0] });
      b.product(q, 1, { v: x[2] }, { v: x[2] });
      b.linear(q, -0.2, { v: x[2] });
    }
    if (chained) {
      // e_t − e_{t−1} − u_t = 0 (e_{−1} = 1)
      const soc = b.addRow(t === 0 ? 1 : 0, t === 0 ? 1 : 0);
      b.linear(soc, 1, { v: e });
      if (t > 0) b.linear(soc, -1, { v: ePrev });
      b.linear(soc, -1, { v: u });
      ePrev = e;
    }
    // a price that changes sign over the periods
    const price = Math.sin(t) + 0.3 * (r() - 0.5);
    b.objectiveLinear(price, { v: x[0] });
    b.objectiveLinear(0.5 * price, { v: x[1] });
    for (const k of x) b.objectiveProduct(0.1 + 0.2 * r(), { v: k }, { v: k });
    if (chained) b.objectiveProduct(0.05, { v: u }, { v: u });
  }
  if (chained) {
    b.period = -1;
    const term = b.addRow(0, 0);
    b.linear(term, 1, { v: ePrev });
    b.linear(term, -1, { v: e0 });
  }
  return b.build();
}

const classesOf = (p: NlpProblem): StepClasses => {
  const c = stepClasses(new InternalNlp(p, 1e-8, 1e-4, () => 0), p.periods);
  if (typeof c === 'string') throw new Error(c);
  return c;
};

describe('per-period step classes (periodSteps.ts)', () => {
  it('takes the variables of rows that span periods as the coupled class, from the structure alone', () => {
    const T = 4;
    const p = multiPeriod(T, true);
    const nlp = new InternalNlp(p, 1e-8, 1e-4, () => 0);
    const c = classesOf(p);
    expect(c.count).toBe(T + 1);
    // per period: x0 x1 x2 u e; the SOC rows of t ≥ 1 and the terminal row couple: u_t (t ≥ 1), every e
    for (let t = 0; t < T; t++) {
      for (let q = 0; q < 3; q++) expect(c.ofVar[5 * t + q]).toBe(t);
      expect(c.ofVar[5 * t + 3]).toBe(t === 0 ? t : T); // u_0 is only in period 0's rows
      expect(c.ofVar[5 * t + 4]).toBe(T);
    }
    expect(c.couplingRows).toBe(T - 1 + 1 + 0); // SOC rows t = 1…T−1 and the terminal row
    // SOC row 0 holds e_0 (coupled) and u_0 (period 0); the demand rows of t ≥ 1 hold u_t
    expect(c.mixedRows).toBe(1 + (T - 1));
    // the demand rows are inequalities: their slacks take the row's period
    for (let s = 0; s < nlp.nS; s++) expect(c.ofVar[nlp.n + s]).toBe(c.ofRow[nlp.conOfSlack[s]]);
    expect(nlp.nS).toBe(2 * T);
    // a λ of a coupling row moves with the coupled class
    expect(c.ofRow[p.m - 1]).toBe(T);
  });

  it('has no coupled class when the periods share no row', () => {
    const c = classesOf(multiPeriod(3, false));
    expect(c.coupledVars).toBe(0);
    expect(c.couplingRows).toBe(0);
  });

  it('a Hessian entry between periods couples its two variables', () => {
    const b = new QuadraticProgramBuilder();
    b.period = 0;
    const a = b.addVar(-1, 1, 0);
    const a2 = b.addVar(-1, 1, 0);
    b.period = 1;
    const c1 = b.addVar(-1, 1, 0);
    b.objectiveProduct(1, { v: a }, { v: c1 });
    b.objectiveProduct(1, { v: a2 }, { v: a2 });
    const c = classesOf(b.build());
    expect([...c.ofVar]).toEqual([2, 0, 2]);
  });

  it('gives a reason instead of classes without a usable hint', () => {
    const p = hs071();
    expect(typeof stepClasses(new InternalNlp(p, 1e-8, 1e-4, () => 0), p.periods)).toBe('string');
    const bad = { ...multiPeriod(2, false), periods: { count: 2, ofVar: new Int32Array(3), ofCon: new Int32Array(4) } };
    expect(stepClasses(new InternalNlp(bad, 1e-8, 1e-4, () => 0), bad.periods)).toMatch(/wrong length/);
  });

  it('per class: Δz, ∇φ_μᵀΔw and the fractions to the boundary equal the direct computation on each class', () => {
    const T = 5;
    const p = multiPeriod(T, true);
    const nlp = new InternalNlp(p, 1e-8, 1e-4, () => 0);
    const cls = classesOf(p);
    const it = new Iterate(nlp);
    const { nw, n, wL, wU, hasL, hasU } = nlp;
    const r = mulberry32(9);
    const steps = newClassSteps(cls.count);
    for (let trial = 0; trial < 20; trial++) {
      randomInteriorPoint(nlp, it, r);
      const mu = 10 ** (-1 - 6 * r());
      const tau = 0.99;
      const size = 10 ** (2 * r() - 1);
      const dw = Float64Array.from({ length: nw }, () => (r() - 0.5) * size);
      const dzL = new Float64Array(nw).fill(NaN);
      const dzU = new Float64Array(nw).fill(NaN);
      stepPass(it, mu, 1e-4, tau, dw, dzL, dzU, cls.ofVar, steps);
      const refL = new Float64Array(nw);
      const refU = new Float64Array(nw);
      boundMultiplierStep(it, mu, dw, refL, refU);
      expect([...dzL]).toEqual([...refL]);
      expect([...dzU]).toEqual([...refU]);
      // over all classes, the blocking component and multiplier of the whole step
      const bp = blockingBound(it.w, dw, nlp.wL, nlp.wU, nlp.hasL, nlp.hasU, tau);
      const bd = blockingMultiplier(it.zL, refL, nlp.hasL, it.zU, refU, nlp.hasU, tau);
      expect([steps.blocking[0], steps.blocking[3]]).toEqual([bp?.index ?? -1, bd?.index ?? -1]);
      if (bp) expect(steps.blocking[1]).toBe(bp.bound === 'upper' ? 1 : 0);
      if (bd) expect(steps.blocking[4]).toBe(bd.bound === 'upper' ? 1 : 0);
      const g = new Float64Array(nw);
      it.barrierGradientPlusAtLambda(mu, 1e-4, g, false);
      let cut = 0;
      for (let k = 0; k < cls.count; k++) {
        // the class's own components only: the others' step set to 0
        const dk = dw.map((v, j) => (cls.ofVar[j] === k ? v : 0));
        const zLk = refL.map((v, j) => (cls.ofVar[j] === k ? v : 0));
        const zUk = refU.map((v, j) => (cls.ofVar[j] === k ? v : 0));
        expect(steps.alphaPr[k]).toBe(maxStepToBoundary(it.w, dk, wL, wU, hasL, hasU, tau));
        expect(steps.alphaDu[k]).toBe(
          Math.min(maxStepPositive(it.zL, zLk, hasL, tau), maxStepPositive(it.zU, zUk, hasU, tau)),
        );
        let gd = 0;
        for (let j = 0; j < nw; j++) if (cls.ofVar[j] === k) gd += (j < n && nlp.fixed[j] ? 0 : g[j]) * dw[j];
        expect(steps.gradPhiD[k]).toBe(gd);
        if (steps.alphaPr[k] < 1) cut++;
        // the scaled step w + α_k Δw stays a fraction τ inside the bounds
        for (let j = 0; j < nw; j++) {
          if (cls.ofVar[j] !== k) continue;
          const wj = it.w[j] + steps.alphaPr[k] * dw[j];
          if (hasL[j]) expect(wj - wL[j]).toBeGreaterThanOrEqual((1 - tau) * (it.w[j] - wL[j]) * (1 - 1e-12));
          if (hasU[j]) expect(wU[j] - wj).toBeGreaterThanOrEqual((1 - tau) * (wU[j] - it.w[j]) * (1 - 1e-12));
        }
      }
      // the global fraction is the smallest class's
      expect(Math.min(...steps.alphaPr)).toBe(maxStepToBoundary(it.w, dw, wL, wU, hasL, hasU, tau));
      if (size > 1) expect(cut).toBeGreaterThan(0);
    }
  });

  it("'min' caps the coupled class at every period's step; 'own' leaves it", () => {
    const s = newClassSteps(3);
    s.alphaPr.set([0.5, 0.9, 0.8]);
    s.alphaDu.set([1, 0.2, 0.7]);
    combineCoupled(s, 'own');
    expect([...s.alphaPr, ...s.alphaDu]).toEqual([0.5, 0.9, 0.8, 1, 0.2, 0.7]);
    combineCoupled(s, 'min');
    expect([...s.alphaPr, ...s.alphaDu]).toEqual([0.5, 0.9, 0.5, 1, 0.2, 0.2]);
  });
});

describe("solveNlp with stepLengths 'per-period'", () => {
  /** Solve with per-period steps; also how many iterations took them (the solver's log). */
  function solvePerPeriod(p: NlpProblem, options: SolveOptions) {
    let taken = -1;
    let fellBack = -1;
    const r = solveNlp(
      p,
      { ...options, stepLengths: 'per-period', printLevel: 1 },
      {
        log: (line) => {
          const m = /per-period steps taken in (\d+) iterations, .* in (\d+)$/.exec(line);
          if (m) {
            taken = Number(m[1]);
            fellBack = Number(m[2]);
          }
        },
      },
    );
    return { r, taken, fellBack };
  }

  it('reaches the optimum of a tighter global solve on a chained convex problem (both variants)', () => {
    const p = multiPeriod(48, true);
    const ref = solveNlp(p, { tol: 1e-12 });
    expect(ref.status).toBe('solved');
    for (const coupledStep of ['own', 'min'] as const) {
      const { r, taken } = solvePerPeriod(p, { tol: 1e-10, coupledStep });
      expect(r.status).toBe('solved');
      expect(taken).toBeGreaterThan(0); // the per-period steps were taken, not only W&B's
      expect(Math.abs(r.objective - ref.objective)).toBeLessThan(1e-9 * (1 + Math.abs(ref.objective)));
      let dx = 0;
      for (let j = 0; j < p.n; j++) dx = Math.max(dx, Math.abs(r.x[j] - ref.x[j]));
      expect(dx).toBeLessThan(1e-5);
      expect(r.infPr).toBeLessThan(1e-7);
    }
  });

  it('on a nonconvex chained problem, trials W&B’s tests reject fall back to the global step, which converges', () => {
    const p = multiPeriod(12, true, true, 11);
    expect(solveNlp(p, {}).status).toBe('solved');
    const { r, taken, fellBack } = solvePerPeriod(p, {});
    expect(r.status).toBe('solved');
    expect(r.infPr).toBeLessThan(1e-7);
    expect(taken).toBeGreaterThan(0);
    expect(fellBack).toBeGreaterThan(0);
  });

  it('is the global step, bit for bit, on a problem without a period hint', () => {
    const g = solveNlp(hs071(), {});
    const q = solveNlp(hs071(), { stepLengths: 'per-period' });
    expect(q.iterations).toBe(g.iterations);
    expect([...q.x]).toEqual([...g.x]);
    expect([...q.lambda]).toEqual([...g.lambda]);
  });

  it('rejects an unknown value with a specific error', () => {
    // @ts-expect-error a value outside the type
    const r = solveNlp(hs071(), { stepLengths: 'hourly' });
    expect(r.status).toBe('invalidProblem');
    expect(r.message).toMatch(/stepLengths = hourly is not 'global' or 'per-period'/);
  });
});
