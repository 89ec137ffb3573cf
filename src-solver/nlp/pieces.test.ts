/**
 * Unit tests of the solver's pieces against hand-derived answers: filter, fraction to the
 * boundary, barrier updates, α_min, inertia correction (Algorithm IC), KKT assembly and ordering.
 */
import { describe, expect, it } from 'vitest';
import { Filter } from './filter';
import {
  alphaMinimum,
  blockingBound,
  blockingMultiplier,
  filterAcceptance,
  maxStepPositive,
  maxStepToBoundary,
  switchingCondition,
} from './lineSearch';
import { fractionToBoundaryTau, KktErrorReferences, loqoMu, monotoneMuDecrease } from './barrier';
import { InertiaCorrector } from './inertia';
import { InternalNlp } from './internalNlp';
import { KktSystem } from './kkt';
import { resolveOptions } from './options';
import { Iterate } from './iterate';
import { newOptimalityError, optimalityError, optimalityErrorAtMu } from './convergence';
import { createSolverWorkspace } from './workspace';
import { solveNlp } from './index';
import { tinyMultiplierStep } from './ipm';
import { boundMultiplierStep, kappaSigmaBand, kappaSigmaSafeguard, newClassSteps, stepPass } from './stepPass';
import { randomInteriorPoint } from '../testing/nlp/points';
import { hs071 } from '../testing/nlp/problems';
import { HS_PROBLEMS } from '../testing/hs/index';
import { QuadraticProgramBuilder } from '../opf3/quadratic';
import type { NlpProblem } from './problem';
import { mulberry32 } from '../random';

const C = resolveOptions();

describe('filter (W&B §2.3)', () => {
  it('rejects exactly the points dominated by a stored pair', () => {
    const f = new Filter();
    f.add(1, 10);
    expect(f.acceptable(0.5, 20)).toBe(true); // less infeasible
    expect(f.acceptable(2, 5)).toBe(true); // better objective
    expect(f.acceptable(1, 10)).toBe(false); // the pair itself
    expect(f.acceptable(2, 11)).toBe(false);
  });
  it('augments with the margins of eq. (22) and prunes dominated entries', () => {
    const f = new Filter();
    f.augment(1, 10, 1e-5, 1e-8);
    // stored pair = (1 − 1e-5, 10 − 1e-8)
    expect(f.acceptable(1 - 2e-5, 100)).toBe(true);
    expect(f.acceptable(1 - 0.5e-5, 10 - 0.5e-8)).toBe(false);
    f.add(2, 20);
    f.add(3, 30); // (3, 30) is already excluded by (2, 20) but is stored; the next pair prunes both
    f.add(0.5, 5); // dominates all previous pairs → they are removed
    expect(f.length).toBe(1);
  });
});

describe('fraction to the boundary (eq. 15)', () => {
  it('stops at τ of the distance to the nearest bound', () => {
    const w = Float64Array.from([1, 5]);
    const d = Float64Array.from([-2, 10]);
    const lo = Float64Array.from([0, -Infinity]);
    const hi = Float64Array.from([Infinity, 6]);
    const has = (a: number[]) => Uint8Array.from(a);
    // var 0: 1 − 2α ≥ 0.01 → α ≤ 0.495; var 1: 5 + 10α ≤ 6 − 0.01 → α ≤ 0.099
    expect(maxStepToBoundary(w, d, lo, hi, has([1, 0]), has([0, 1]), 0.99)).toBeCloseTo(0.099, 12);
    expect(maxStepToBoundary(w, d, lo, hi, has([1, 0]), has([0, 0]), 0.99)).toBeCloseTo(0.495, 12);
    expect(maxStepToBoundary(w, Float64Array.from([1, -1]), lo, hi, has([1, 0]), has([0, 1]), 0.99)).toBe(1);
  });
  it('names the component and bound that set the step', () => {
    const w = Float64Array.from([1, 5]);
    const d = Float64Array.from([-2, 10]);
    const lo = Float64Array.from([0, -Infinity]);
    const hi = Float64Array.from([Infinity, 6]);
    const has = (a: number[]) => Uint8Array.from(a);
    // as above: var 1's upper bound (α 0.099) before var 0's lower (0.495)
    const b = blockingBound(w, d, lo, hi, has([1, 0]), has([0, 1]), 0.99)!;
    expect(b.index).toBe(1);
    expect(b.bound).toBe('upper');
    expect(b.alpha).toBeCloseTo(0.099, 12);
    const b0 = blockingBound(w, d, lo, hi, has([1, 0]), has([0, 0]), 0.99)!;
    expect([b0.index, b0.bound]).toEqual([0, 'lower']);
    expect(blockingBound(w, Float64Array.from([1, -1]), lo, hi, has([1, 0]), has([0, 1]), 0.99)).toBeNull();
    // multipliers: z_U[1] = 1 with Δ −10 (α 0.099) cuts before z_L[0] = 2 with Δ −4 (0.495)
    const m = blockingMultiplier(
      Float64Array.from([2, 1]),
      Float64Array.from([-4, 1]),
      has([1, 1]),
      Float64Array.from([0, 1]),
      Float64Array.from([0, -10]),
      has([0, 1]),
      0.99,
    )!;
    expect([m.index, m.bound]).toEqual([1, 'upper']);
    expect(m.alpha).toBeCloseTo(0.099, 12);
  });
  it('applies to the multipliers', () => {
    expect(
      maxStepPositive(Float64Array.from([2, 1]), Float64Array.from([-4, 1]), Uint8Array.from([1, 1]), 0.99),
    ).toBeCloseTo(0.495, 12);
    expect(maxStepPositive(Float64Array.from([2]), Float64Array.from([-4]), Uint8Array.from([0]), 0.99)).toBe(1);
  });
});

describe('barrier parameter (eq. 7-8) and LOQO rule', () => {
  it('monotone decrease takes the smaller of κ_μ μ and μ^θ_μ, floored', () => {
    expect(monotoneMuDecrease(0.1, 0.2, 1.5, 1e-11)).toBeCloseTo(0.02, 15); // 0.1^1.5 = 0.0316 > 0.02
    expect(monotoneMuDecrease(1e-4, 0.2, 1.5, 1e-11)).toBeCloseTo(1e-6, 18); // (1e-4)^1.5 = 1e-6 < 2e-5
    expect(monotoneMuDecrease(1e-12, 0.2, 1.5, 1e-11)).toBe(1e-11);
    expect(fractionToBoundaryTau(0.1, 0.99)).toBe(0.99);
    expect(fractionToBoundaryTau(1e-4, 0.99)).toBeCloseTo(0.9999, 15);
  });
  it('LOQO: centred complementarity (ξ = 1) gives σ = 0; ξ = 0.5 gives σ = 0.1·0.05³', () => {
    expect(loqoMu(1, 1)).toBe(0);
    expect(loqoMu(2, 1)).toBeCloseTo(2 * 0.1 * Math.pow(0.05, 3), 15);
    expect(loqoMu(1, 1e-6)).toBeCloseTo(0.1 * 8, 12); // σ capped at 0.1·2³
  });
  it('KKT-error references require a reduction below the max of the last values', () => {
    const r = new KktErrorReferences(2, 0.5);
    expect(r.sufficientProgress(100)).toBe(true);
    r.add(10);
    r.add(4);
    expect(r.sufficientProgress(5)).toBe(true); // ≤ 0.5·10
    expect(r.sufficientProgress(6)).toBe(false);
    r.add(2); // window is now {4, 2}
    expect(r.sufficientProgress(2.5)).toBe(false);
    expect(r.sufficientProgress(2)).toBe(true);
  });
});

describe('switching condition and α_min (eq. 19, 23)', () => {
  it('matches the formulas', () => {
    // α(−m)^2.3 > θ^1.1: α = 1, m = −1, θ = 0.5 → 1 > 0.466
    expect(switchingCondition(1, -1, 0.5, C)).toBe(true);
    expect(switchingCondition(0.1, -1, 0.5, C)).toBe(false);
    expect(switchingCondition(1, 1, 0, C)).toBe(false);
    // ∇φᵀd > 0 → γ_α γ_θ
    expect(alphaMinimum(1, 1, 1e-4, C)).toBeCloseTo(0.05 * 1e-5, 20);
    // θ > θ_min: γ_α min(γ_θ, γ_φ θ/(−m)) = 0.05·min(1e-5, 1e-8·1/1e-2) = 0.05·1e-6
    expect(alphaMinimum(1, -1e-2, 1e-4, C)).toBeCloseTo(0.05 * 1e-6, 20);
  });
  it('filter acceptance distinguishes f-type (Armijo) from h-type steps', () => {
    const f = new Filter();
    // nearly feasible (θ ≤ θ_min) and a descent direction → Armijo decides
    expect(filterAcceptance(0, 0.9, 0, 1, 1, -1, 1e-4, 1e4, f, C)).toBe('fType');
    expect(filterAcceptance(0, 1.1, 0, 1, 1, -1, 1e-4, 1e4, f, C)).toBe('rejected');
    // infeasible point: sufficient decrease in θ suffices
    expect(filterAcceptance(0.5, 2, 1, 1, 1, -1, 1e-4, 1e4, f, C)).toBe('hType');
    // beyond θ_max
    expect(filterAcceptance(2e4, 0, 1, 1, 1, -1, 1e-4, 1e4, f, C)).toBe('rejected');
  });
});

describe('inertia correction (W&B Algorithm IC)', () => {
  /** A "matrix" that has the right inertia once δ_w ≥ need (and needs δ_c > 0 when singular). */
  const system = (need: number, singular: boolean) => {
    const calls: [number, number][] = [];
    return {
      calls,
      assembleAndFactor(dw: number, dc: number) {
        calls.push([dw, dc]);
        const zero = singular && dc === 0 ? 1 : 0;
        const good = dw >= need && zero === 0;
        return { ok: zero === 0, positive: good ? 2 : 1, negative: good ? 1 : 2 - zero, zero };
      },
      hasCorrectInertia: (r: { ok: boolean; positive: number; negative: number; zero: number }) =>
        r.ok && r.positive === 2 && r.negative === 1,
    };
  };
  it('first δ_w is δ̄_w⁰ = 1e-4, then ×100 while δ_w^last = 0', () => {
    const ic = new InertiaCorrector();
    const s = system(5e-2, false);
    expect(ic.factorize(s, 0.1)).toBe(true);
    expect(s.calls.map((c) => c[0])).toEqual([0, 1e-4, 1e-2, 1]);
    expect(ic.deltaWLast).toBe(1);
  });
  it('later iterations start from κ_w⁻ δ_w^last and grow by κ_w⁺ = 8', () => {
    const ic = new InertiaCorrector();
    ic.deltaWLast = 1;
    const s = system(2, false);
    ic.factorize(s, 0.1);
    expect(s.calls.map((c) => c[0])).toEqual([0, 1 / 3, 8 / 3]);
  });
  it('a singular matrix gets δ_c = 1e-8 μ^{1/4} before any δ_w', () => {
    const ic = new InertiaCorrector();
    const s = system(0, true);
    expect(ic.factorize(s, 1e-4)).toBe(true);
    expect(s.calls).toEqual([
      [0, 0],
      [0, 1e-8 * Math.pow(1e-4, 0.25)],
    ]);
    expect(ic.deltaC).toBeCloseTo(1e-9, 20);
  });
  it('after 3 consecutive perturbed iterations the unperturbed trial is skipped (Ipopt hess_degenerate)', () => {
    const ic = new InertiaCorrector();
    for (let k = 0; k < 3; k++) ic.factorize(system(1e-6, false), 0.1);
    const s = system(1e-6, false);
    ic.factorize(s, 0.1);
    expect(s.calls[0][0]).toBeGreaterThan(0);
    expect(s.calls.length).toBe(1);
  });
  it('gives up beyond δ̄_w^max', () => {
    const ic = new InertiaCorrector();
    expect(ic.factorize(system(Infinity, false), 0.1)).toBe(false);
  });
});

describe('KKT assembly (eq. 13) and ordering', () => {
  it('assembles [W+Σ+δw, Aᵀ; A, −δc] with the slack column, matching a hand-built matrix', () => {
    // HS071 at x = (1,2,3,4): W from the Lagrangian with σ = 1, λ = (0.5, −1); one inequality (slack), one equality.
    const p = hs071();
    const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
    const kkt = new KktSystem(nlp);
    const x = Float64Array.from([1, 2, 3, 4]);
    const lam = Float64Array.from([0.5, -1]);
    const hess = new Float64Array(nlp.hRows.length);
    nlp.evalHessian(x, 1, lam, hess);
    const jac = new Float64Array(nlp.jRows.length);
    nlp.evalJacobian(x, jac);
    const sigma = Float64Array.from([1, 2, 3, 4, 5]);
    kkt.assemble(hess, jac, sigma, 0.1, 0.01);
    // dense from the CSC
    const dim = 7;
    const K = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
    const { colPtr, rowIdx } = kkt.pattern;
    for (let c = 0; c < dim; c++)
      for (let q = colPtr[c]; q < colPtr[c + 1]; q++) {
        K[rowIdx[q]][c] = kkt.values[q];
        K[c][rowIdx[q]] = kkt.values[q];
      }
    const [x1, x2, x3, x4] = [1, 2, 3, 4];
    const [l1, l2] = [0.5, -1];
    const W = [
      [2 * x4 + 2 * l2, x4 + l1 * x3 * x4, x4 + l1 * x2 * x4, 2 * x1 + x2 + x3 + l1 * x2 * x3],
      [0, 2 * l2, l1 * x1 * x4, x1 + l1 * x1 * x3],
      [0, 0, 2 * l2, x1 + l1 * x1 * x2],
      [0, 0, 0, 2 * l2],
    ];
    for (let r = 0; r < 4; r++)
      for (let c = r; c < 4; c++) expect(K[r][c]).toBeCloseTo(W[r][c] + (r === c ? sigma[r] + 0.1 : 0), 12);
    // w = (x1..x4, s) with s the slack of g1 (25 ≤ g1); g2 = 40 is an equality
    expect(K[4][4]).toBeCloseTo(sigma[4] + 0.1, 12);
    const J1 = [x2 * x3 * x4, x1 * x3 * x4, x1 * x2 * x4, x1 * x2 * x3];
    const J2 = [2 * x1, 2 * x2, 2 * x3, 2 * x4];
    for (let j = 0; j < 4; j++) {
      expect(K[j][5]).toBeCloseTo(J1[j], 12);
      expect(K[j][6]).toBeCloseTo(J2[j], 12);
    }
    expect(K[4][5]).toBe(-1);
    expect(K[4][6]).toBe(0);
    expect(K[5][5]).toBe(-0.01);
    expect(K[6][6]).toBe(-0.01);
    expect(K[5][6]).toBe(0);
  });
  it('eliminates every constraint row after the variables it couples to (stable path)', () => {
    const p = hs071();
    const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
    const kkt = new KktSystem(nlp, { ordering: 'stable' });
    expect(kkt.path).toBe('stable');
    const perm = kkt.solver.permutation;
    const pos = new Int32Array(perm.length);
    perm.forEach((v, k) => (pos[v] = k));
    for (let k = 0; k < nlp.jRows.length; k++) expect(pos[nlp.nw + nlp.jRows[k]]).toBeGreaterThan(pos[nlp.jCols[k]]);
  });
});

describe('per-iteration shortcuts give bit for bit what the full computation gives', () => {
  /** HS071 at x = (1, 2, 3, 4) with λ = (0.5, −1): W, A and Σ = (1, …, 5). */
  function hs071Kkt() {
    const p = hs071();
    const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
    const x = Float64Array.from([1, 2, 3, 4]);
    const hess = new Float64Array(nlp.hRows.length);
    nlp.evalHessian(x, 1, Float64Array.from([0.5, -1]), hess);
    const jac = new Float64Array(nlp.jRows.length);
    nlp.evalJacobian(x, jac);
    return { nlp, hess, jac, sigma: Float64Array.from([1.1, 2.3, 3.7, 4.9, 5.3]) };
  }

  it('KktSystem.perturb rewrites only the diagonal: the values of a full assembly with the new (δw, δc)', () => {
    const { nlp, hess, jac, sigma } = hs071Kkt();
    const trial = new KktSystem(nlp, { ordering: 'stable' });
    const fresh = new KktSystem(nlp, { ordering: 'stable' });
    trial.assemble(hess, jac, sigma, 1e-4 / 3, 0);
    for (const [dw, dc] of [
      [8e-4 / 3, 0],
      [0.1, 1e-9],
      [0, 0],
    ] as const) {
      trial.perturb(sigma, dw, dc);
      fresh.assemble(hess, jac, sigma, dw, dc);
      expect(Array.from(trial.values)).toEqual(Array.from(fresh.values));
    }
    expect([trial.assemblies, trial.perturbations]).toEqual([1, 3]);
    expect(() => new KktSystem(nlp).perturb(sigma, 0, 0)).toThrow(/before assemble/);
  });

  it('the solver assembles W and A once per iteration; inertia trials only perturb the diagonal', () => {
    // HS6 (Rosenbrock's valley as an equality) from its x0 needs δ_w: every factorization after
    // the first of an iteration is a trial of the inertia correction.
    const ws = createSolverWorkspace();
    const r = solveNlp(HS_PROBLEMS.find((h) => h.id === 'hs006')!.build(), {}, { workspace: ws });
    expect(r.status).toBe('solved');
    expect(r.objective).toBeCloseTo(0, 12); // published f* = 0
    const kkt = ws.kept!.kkt;
    expect(kkt.perturbations).toBeGreaterThan(0);
    // one assembly for the least-squares multipliers, one per iteration's first trial
    expect(kkt.assemblies + kkt.perturbations).toBe(r.timing.factorizations);
    expect(kkt.assemblies).toBeLessThanOrEqual(r.iterations + 2);
  });

  it('the convergence test leaves ∇f + Aᵀλ for the step: the same ∇φ_μ + Aᵀλ as computed afresh', () => {
    const p = hs071();
    const nlp = new InternalNlp(p, 1e-8, 1e-4, () => 0);
    const it = new Iterate(nlp);
    it.w.set([1.5, 4.2, 3.3, 1.2, 30]);
    it.lambda.set([0.7, -0.4]);
    it.zL.set([0.3, 0.2, 0.1, 0.05, 0.01]);
    it.zU.set([0.01, 0.02, 0.03, 0.04, 0]);
    expect(it.evalFunctions() && it.evalDerivatives()).toBe(true);
    const gradL = new Float64Array(nlp.nw);
    const resid = new Float64Array(nlp.nw);
    const e = newOptimalityError();
    optimalityError(it, 0, 100, resid, e, gradL);
    // ∇f + Aᵀλ by hand: the problem's own gradient and Jacobian, the slack column −1
    const gf = new Float64Array(4);
    p.evalGradF(it.x, gf);
    const J = new Float64Array(nlp.jRows.length);
    p.evalJacobian(it.x, J);
    const expected = [...gf, 0];
    for (let k = 0; k < J.length; k++) expected[nlp.jCols[k]] += J[k] * it.lambda[nlp.jRows[k]];
    expected[4] -= it.lambda[0]; // g1 (25 ≤ g1) is the inequality with the slack
    for (let j = 0; j < 5; j++) expect(gradL[j]).toBeCloseTo(expected[j], 12);
    for (let j = 0; j < 5; j++) expect(resid[j]).toBe(gradL[j] + (it.zU[j] - it.zL[j]));
    const fromCache = new Float64Array(nlp.nw);
    const afresh = new Float64Array(nlp.nw);
    it.barrierGradientFrom(gradL, 1e-3, 1e-4, fromCache);
    it.barrierGradientPlusAtLambda(1e-3, 1e-4, afresh, true);
    expect(Array.from(fromCache)).toEqual(Array.from(afresh));
  });

  it('E_μ of the barrier update from the convergence test pass equals E_μ computed afresh', () => {
    const nlp = new InternalNlp(hs071(), 1e-8, 1e-4, () => 0);
    const at = (zL0: number) => {
      const it = new Iterate(nlp);
      it.w.set([1.5, 4.2, 3.3, 1.2, 30]);
      it.lambda.set([0.7, -0.4]);
      it.zL.set([zL0, 0.2, 0.1, 0.05, 0.01]);
      it.zU.set([0.01, 0.02, 0.03, 0.04, 0]);
      it.evalFunctions();
      it.evalDerivatives();
      return it;
    };
    const resid = new Float64Array(nlp.nw);
    /** E_μ the long way: E_0 without the second μ, then the complementarity pass. */
    const afresh = (it: Iterate, mu: number) => {
      const e0 = newOptimalityError();
      optimalityError(it, 0, 100, resid, e0);
      expect(e0.complAtMuOf).toBeNull();
      const e = newOptimalityError();
      optimalityErrorAtMu(it, mu, e0, e);
      return e;
    };
    const it = at(0.3);
    const e0 = newOptimalityError();
    optimalityError(it, 0, 100, resid, e0, undefined, 0.02);
    expect(e0.complAtMuOf).toBe(it);
    const e = newOptimalityError();
    optimalityErrorAtMu(it, 0.02, e0, e);
    expect(e).toEqual(afresh(it, 0.02));
    // another μ (the update's loop after a decrease) or another iterate: computed, not taken
    optimalityErrorAtMu(it, 0.004, e0, e);
    expect(e).toEqual(afresh(it, 0.004));
    const other = at(5);
    optimalityErrorAtMu(other, 0.02, e0, e); // (e0 is it's: only the complementarity is other's)
    expect(e.compl).toBe(afresh(other, 0.02).compl);
    expect(e.compl).not.toBe(afresh(it, 0.02).compl);
    // an E_0 computed without the second μ forgets it (the iterate's z may have changed since)
    it.zL[0] = 5;
    optimalityError(it, 0, 100, resid, e0);
    optimalityErrorAtMu(it, 0.02, e0, e);
    expect(e).toEqual(afresh(it, 0.02));
  });

  it('the convergence pass gives max |x| of the divergence test: the loop over x, NaN included', () => {
    const nlp = new InternalNlp(hs071(), 1e-8, 1e-4, () => 0);
    const it = new Iterate(nlp);
    it.w.set([1.5, -4.7, 3.3, 1.2, 30]); // the slack (30) is not an x
    it.lambda.set([0.7, -0.4]);
    it.zL.set([0.3, 0.2, 0.1, 0.05, 0.01]);
    it.zU.set([0.01, 0.02, 0.03, 0.04, 0]);
    it.evalFunctions();
    it.evalDerivatives();
    const resid = new Float64Array(nlp.nw);
    const e = newOptimalityError();
    const loop = () => {
      let m = 0;
      for (let j = 0; j < nlp.n; j++) m = Math.max(m, Math.abs(it.w[j]));
      return m;
    };
    optimalityError(it, 0, 100, resid, e);
    expect(e.xAbsMax).toBe(4.7);
    expect(e.xAbsMax).toBe(loop());
    it.w[2] = NaN;
    optimalityError(it, 0, 100, resid, e);
    expect(e.xAbsMax).toBeNaN();
    expect(loop()).toBeNaN();
  });

  it('φ_μ at a second μ from the kept sums equals φ_μ computed afresh, bit for bit', () => {
    const nlp = new InternalNlp(randomQcqp(1, true), 1e-8, 1e-4, () => 0);
    const r = mulberry32(11);
    const a = new Iterate(nlp);
    const b = new Iterate(nlp);
    for (let trial = 0; trial < 10; trial++) {
      randomInteriorPoint(nlp, a, r);
      b.copyVariablesFrom(a);
      expect(a.evalFunctions() && b.evalFunctions()).toBe(true);
      const mu1 = 10 ** (-1 - 6 * r());
      const mu2 = mu1 * 0.2;
      a.barrierObjective(mu1, 1e-4);
      const fromSums = a.barrierObjective(mu2, 1e-4); // the sums of the first call
      expect(Object.is(fromSums, b.barrierObjective(mu2, 1e-4))).toBe(true);
      const c = new Iterate(nlp);
      c.copyVariablesFrom(a);
      c.evalFunctions();
      expect(Object.is(a.barrierObjective(mu2, 1e-5), c.barrierObjective(mu2, 1e-5))).toBe(true);
    }
    // outside a bound: +∞ at every μ; a new evaluation forgets the sums
    const j = nlp.hasL.findIndex((h, k) => Boolean(h) && !(k < nlp.n && nlp.fixed[k] !== 0));
    a.w[j] = nlp.wL[j] - 1;
    a.evalFunctions();
    expect(a.barrierObjective(0.1, 1e-4)).toBe(Infinity);
    expect(a.barrierObjective(0.01, 1e-4)).toBe(Infinity);
    a.copyVariablesFrom(b);
    a.evalFunctions();
    expect(Object.is(a.barrierObjective(0.01, 1e-4), b.barrierObjective(0.01, 1e-4))).toBe(true);
  });

  it('the tiny-step test of Δλ stops at the first large component: the same answer as the maximum', () => {
    const r = mulberry32(7);
    const byMax = (dl: Float64Array, lam: Float64Array) => {
      let rel = 0;
      for (let i = 0; i < dl.length; i++) rel = Math.max(rel, Math.abs(dl[i]) / (1 + Math.abs(lam[i])));
      return rel < 1e-2;
    };
    for (let t = 0; t < 200; t++) {
      const n = 1 + (t % 6);
      const lam = Float64Array.from({ length: n }, () => (r() - 0.5) * 10 ** (4 * r()));
      const dl = Float64Array.from({ length: n }, (_, i) => (r() - 0.5) * 0.04 * (1 + Math.abs(lam[i])));
      if (t % 17 === 0) dl[n - 1] = NaN;
      expect(tinyMultiplierStep(dl, lam)).toBe(byMax(dl, lam));
    }
    // exactly at the tolerance is not tiny; an empty Δλ is
    expect(tinyMultiplierStep(Float64Array.of(0.02), Float64Array.of(1))).toBe(false);
    expect(tinyMultiplierStep(Float64Array.of(0.0199), Float64Array.of(1))).toBe(true);
    expect(tinyMultiplierStep(new Float64Array(0), new Float64Array(0))).toBe(true);
  });

  it('the line search pass forms Δz, ∇φ_μᵀΔw and the fractions to the boundary as their own functions do', () => {
    // the random QCQP: lower-only, upper-only, two-sided and absent bounds, a fixed variable, slacks
    const nlp = new InternalNlp(randomQcqp(1, true), 1e-8, 1e-4, () => 0);
    expect([...nlp.hasL].some((h, j) => h && !nlp.hasU[j])).toBe(true);
    expect([...nlp.hasU].some((h, j) => h && !nlp.hasL[j])).toBe(true);
    expect([...nlp.hasU].some((h, j) => !h && !nlp.hasL[j] && !(j < nlp.n && nlp.fixed[j]))).toBe(true);
    const r = mulberry32(5);
    const it = new Iterate(nlp);
    const { nw, wL, wU, hasL, hasU } = nlp;
    const pass = newClassSteps(1);
    let blockedPr = 0;
    let blockedDu = 0;
    for (let trial = 0; trial < 20; trial++) {
      randomInteriorPoint(nlp, it, r);
      const mu = 10 ** (-1 - 6 * r());
      const tau = 0.99;
      // a step of every size: from round-off level (tiny) to beyond the bounds
      const size = trial % 5 === 0 ? 1e-17 : 10 ** (2 * r() - 1);
      const dw = Float64Array.from({ length: nw }, () => (r() - 0.5) * size);
      const dzL = new Float64Array(nw).fill(NaN);
      const dzU = new Float64Array(nw).fill(NaN);
      const tiny = stepPass(it, mu, 1e-4, tau, dw, dzL, dzU, null, pass);
      const refL = new Float64Array(nw);
      const refU = new Float64Array(nw);
      boundMultiplierStep(it, mu, dw, refL, refU);
      expect(bits(dzL)).toEqual(bits(refL));
      expect(bits(dzU)).toEqual(bits(refU));
      const g = new Float64Array(nw);
      it.barrierGradientPlusAtLambda(mu, 1e-4, g, false);
      let gd = 0;
      for (let j = 0; j < nw; j++) gd += g[j] * dw[j];
      expect(pass.gradPhiD[0]).toBe(gd);
      expect(pass.alphaPr[0]).toBe(maxStepToBoundary(it.w, dw, wL, wU, hasL, hasU, tau));
      expect(pass.alphaDu[0]).toBe(
        Math.min(maxStepPositive(it.zL, refL, hasL, tau), maxStepPositive(it.zU, refU, hasU, tau)),
      );
      // the blocking component and multiplier (SolveHooks.onStep) as their own functions find them
      const bp = blockingBound(it.w, dw, wL, wU, hasL, hasU, tau);
      const bd = blockingMultiplier(it.zL, refL, hasL, it.zU, refU, hasU, tau);
      const b = pass.blocking; // (layout: PassBlocking)
      expect(b[0]).toBe(bp?.index ?? -1);
      if (bp) expect([b[1], b[2]]).toEqual([bp.bound === 'upper' ? 1 : 0, bp.alpha]);
      expect(b[3]).toBe(bd?.index ?? -1);
      if (bd) expect([b[4], b[5]]).toEqual([bd.bound === 'upper' ? 1 : 0, bd.alpha]);
      if (bp) blockedPr++;
      if (bd) blockedDu++;
      let rel = 0;
      for (let j = 0; j < nw; j++) rel = Math.max(rel, Math.abs(dw[j]) / (1 + Math.abs(it.w[j])));
      expect(tiny).toBe(rel < 10 * 2.220446049250313e-16);
      if (trial % 5 === 0) expect(tiny).toBe(true);
    }
    // the steps beyond the bounds were cut, by a variable and by a multiplier
    expect(blockedPr).toBeGreaterThan(5);
    expect(blockedDu).toBeGreaterThan(5);
  });

  it('Σ and the step right-hand side from one pass equal the Σ loop and −(∇φ_μ + Aᵀλ) computed apart', () => {
    const nlp = new InternalNlp(randomQcqp(1, true), 1e-8, 1e-4, () => 0);
    const r = mulberry32(9);
    const it = new Iterate(nlp);
    const { nw, wL, wU, hasL, hasU } = nlp;
    for (let trial = 0; trial < 10; trial++) {
      for (let i = 0; i < nlp.m; i++) it.lambda[i] = r() - 0.5;
      randomInteriorPoint(nlp, it, r);
      const mu = 10 ** (-1 - 6 * r());
      const gradL = new Float64Array(nw);
      it.lagrangianGradient(gradL);
      const sigma = new Float64Array(nw).fill(NaN);
      const rhs = new Float64Array(nw + nlp.m).fill(NaN);
      it.sigmaAndStepRhs(gradL, mu, 1e-4, sigma, rhs);
      const refSigma = new Float64Array(nw);
      for (let j = 0; j < nw; j++) {
        let s = 0;
        if (hasL[j]) s += it.zL[j] / (it.w[j] - wL[j]);
        if (hasU[j]) s += it.zU[j] / (wU[j] - it.w[j]);
        refSigma[j] = s;
      }
      const g = new Float64Array(nw);
      it.barrierGradientPlusAtLambda(mu, 1e-4, g, true);
      expect(bits(sigma)).toEqual(bits(refSigma));
      expect(bits(rhs.subarray(0, nw))).toEqual(bits(g.map((v) => -v)));
      expect(Number.isNaN(rhs[nw])).toBe(true); // the λ part is the caller's
      // the convergence test's pass forms them too (optimalityError's `step`), the same bits, and
      // the same E with and without ∇_w L kept
      const sigma2 = new Float64Array(nw).fill(NaN);
      const rhs2 = new Float64Array(nw + nlp.m).fill(NaN);
      const gradL2 = new Float64Array(nw);
      const e1 = newOptimalityError();
      const e2 = newOptimalityError();
      const resid = new Float64Array(nw);
      optimalityError(it, 0, 100, resid, e1, undefined, mu);
      optimalityError(it, 0, 100, null, e2, gradL2, mu, { sigma: sigma2, rhs: rhs2, mu, kappaD: 1e-4 });
      expect(bits(sigma2)).toEqual(bits(sigma));
      expect(bits(rhs2.subarray(0, nw))).toEqual(bits(rhs.subarray(0, nw)));
      expect(Number.isNaN(rhs2[nw])).toBe(true);
      expect(bits(gradL2)).toEqual(bits(gradL));
      expect({ ...e2, complAtMuOf: null }).toEqual({ ...e1, complAtMuOf: null });
    }
  });

  it('the unscaled dual infeasibility from one division per kind equals the maximum of the quotients', () => {
    const nlp = new InternalNlp(randomQcqp(1, true), 1e-8, 1e-4, () => 0);
    const r = mulberry32(13);
    const it = new Iterate(nlp);
    const { nw, n, m } = nlp;
    const resid = new Float64Array(nw);
    const e = newOptimalityError();
    for (const objScale of [1, 0.37, 3e-5, 0, Infinity]) {
      nlp.objScale = objScale;
      for (let i = 0; i < m; i++) nlp.conScale[i] = 10 ** (2 * r() - 1);
      for (let j = 0; j < nw; j++) {
        it.w[j] = j < n && nlp.fixed[j] ? nlp.p.xL[j] : r() - 0.5;
        it.zL[j] = nlp.hasL[j] ? r() : 0;
        it.zU[j] = nlp.hasU[j] ? r() : 0;
      }
      for (let i = 0; i < m; i++) it.lambda[i] = r() - 0.5;
      it.evalFunctions();
      it.evalDerivatives();
      optimalityError(it, 0, 100, resid, e);
      let dualU = 0;
      for (let j = 0; j < nw; j++) {
        const a = Math.abs(resid[j]);
        const u = j < n ? a / objScale : (a * nlp.conScale[nlp.conOfSlack[j - n]]) / objScale;
        if (u > dualU) dualU = u;
      }
      expect(Object.is(e.dualInfUnscaled, dualU)).toBe(true);
    }
  });

  it('the κ_Σ safeguard skips its divisions only where the formula returns z itself', () => {
    /** The next double above (dir 1) or below (dir −1) a positive x. */
    const step = (x: number, dir: number) => {
      const b = new BigInt64Array(Float64Array.of(x).buffer);
      b[0] += BigInt(dir);
      return new Float64Array(b.buffer)[0];
    };
    const formula = (z: number, sl: number, mu: number, k: number) =>
      Math.max(Math.min(z, (k * mu) / sl), mu / (k * sl));
    const r = mulberry32(11);
    const band = { hi: 0, lo: 0 };
    let inside = 0;
    for (let t = 0; t < 4000; t++) {
      const mu = 10 ** (-11 + 10 * r());
      const k = t % 3 === 0 ? 1e10 : 1 + 10 * r(); // Ipopt's κ_Σ, and narrow bands where the edges are hit
      const sl = 10 ** (-8 + 12 * r());
      kappaSigmaBand(mu, k, band);
      const upper = (k * mu) / sl;
      const lower = mu / (k * sl);
      const edge = [upper, lower][t % 2]!;
      // at the edges and a few ulps around them, and anywhere between
      const candidates = [edge, step(edge, 1), step(edge, -1), step(step(edge, 1), 1), step(step(edge, -1), -1)];
      candidates.push(lower + (upper - lower) * r(), -edge, 0, NaN, Infinity);
      for (const z of candidates) {
        const got = kappaSigmaSafeguard(z, sl, mu, k, band);
        expect(Object.is(got, formula(z, sl, mu, k))).toBe(true);
        if (z * sl < band.hi && z * sl > band.lo) inside++;
      }
      // s ≤ 0 (never at an accepted point): the formula's answer
      expect(Object.is(kappaSigmaSafeguard(1, 0, mu, k, band), formula(1, 0, mu, k))).toBe(true);
      expect(Object.is(kappaSigmaSafeguard(1, -sl, mu, k, band), formula(1, -sl, mu, k))).toBe(true);
    }
    expect(inside).toBeGreaterThan(2000); // the shortcut is the common case
  });

  it('φ_μ is remembered per (μ, κ_d) until the functions are evaluated at a new point', () => {
    const nlp = new InternalNlp(hs071(), 1e-8, 1e-4, () => 0);
    const it = new Iterate(nlp);
    it.w.set([1.5, 4.2, 3.3, 1.2, 30]);
    it.evalFunctions();
    const at = (w: number[], mu: number) => {
      const o = new Iterate(nlp);
      o.w.set(w);
      o.evalFunctions();
      return o.barrierObjective(mu, 1e-4);
    };
    expect(it.barrierObjective(0.1, 1e-4)).toBe(at([1.5, 4.2, 3.3, 1.2, 30], 0.1));
    expect(it.barrierObjective(0.01, 1e-4)).toBe(at([1.5, 4.2, 3.3, 1.2, 30], 0.01));
    it.w.set([1.4, 4.1, 3.2, 1.3, 29]);
    it.evalFunctions();
    expect(it.barrierObjective(0.01, 1e-4)).toBe(at([1.4, 4.1, 3.2, 1.3, 29], 0.01));
    expect(it.barrierObjective(0.01, 1e-4)).not.toBe(at([1.5, 4.2, 3.3, 1.2, 30], 0.01));
  });
});

/**
 * A random QCQP (QuadraticProgramBuilder: its linear terms are marked constant) with equality
 * and inequality rows, a fixed variable, and linear and quadratic terms landing on the same
 * (row, column) — KKT slots that sum constant and changing entries. `scale` multiplies the
 * linear coefficients (another problem of the same structure).
 */
function randomQcqp(scale = 1, oneSided = false): NlpProblem {
  const r = mulberry32(16);
  const b = new QuadraticProgramBuilder();
  const n = 30;
  const m = 12;
  // oneSided: every fourth variable has a lower bound only, the next an upper bound only, the next
  // none; every sixth inequality row a lower bound only
  const lo = (k: number) => (oneSided && (k % 4 === 2 || k % 4 === 3) ? -Infinity : -2);
  const hi = (k: number) => (oneSided && (k % 4 === 1 || k % 4 === 3) ? Infinity : 2);
  for (let k = 0; k < n; k++) b.addVar(k === 7 ? 0.25 : lo(k), k === 7 ? 0.25 : hi(k), r() - 0.5);
  for (let i = 0; i < m; i++) b.addRow(i % 3 === 0 ? 0 : -1, i % 3 === 0 ? 0 : oneSided && i % 6 === 1 ? Infinity : 1);
  for (let t = 0; t < 160; t++) {
    const row = Math.floor(r() * m);
    const k = Math.floor(r() * n);
    const l = Math.floor(r() * n);
    const coef = r() * 2 - 1;
    if (t % 2 === 0) b.linear(row, scale * coef, { v: k });
    else b.product(row, 0.1 * coef, { v: k }, { v: t % 5 === 0 ? k : l });
    if (t % 11 === 0) b.product(row, 0.1 * coef, { v: k }, { v: l }); // beside a linear term of the same (row, k)
  }
  for (let k = 0; k < n; k++) b.objectiveProduct(0.5, { v: k }, { v: k });
  for (let k = 0; k < n; k++) b.objectiveLinear(r() - 0.5, { v: k });
  return b.build();
}

/** The bytes of a Float64Array: equality of these is equality bit for bit (−0 ≠ 0, NaN = NaN). */
const bits = (a: Float64Array): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe('partial KKT assembly with constant Jacobian entries', () => {
  /** W, A at a random point and λ (problem scaling on), Σ, for the problem's InternalNlp. */
  function valuesAt(nlp: InternalNlp, seed: number) {
    const r = mulberry32(seed);
    const x = Float64Array.from({ length: nlp.n }, (_, k) => (nlp.fixed[k] ? nlp.p.xL[k] : r() * 2 - 1));
    const lam = Float64Array.from({ length: nlp.m }, () => r() * 4 - 2);
    const hess = new Float64Array(nlp.hRows.length);
    nlp.evalHessian(x, 1, lam, hess);
    const jac = new Float64Array(nlp.jRows.length);
    nlp.evalJacobian(x, jac);
    const sigma = Float64Array.from({ length: nlp.nw }, () => r());
    return { hess, jac, sigma };
  }

  it('leaves the λ diagonal alone while δ_c is unchanged: the values of a full assembly, factorizations between', () => {
    const nlp = new InternalNlp(randomQcqp(), 0, 1e-4, () => 0);
    const a = valuesAt(nlp, 3);
    const b = valuesAt(nlp, 4);
    // the AMD path forms K₀ = K − δ₀ on the λ diagonal inside each factorization and restores K
    const kkt = new KktSystem(nlp, { ordering: 'amd' });
    const check = (h: Float64Array | null, s: typeof a, dw: number, dc: number) => {
      const fresh = new KktSystem(nlp, { ordering: 'amd' }); // (one full assembly, no history)
      fresh.assemble(h, s.jac, s.sigma, dw, dc);
      expect(bits(kkt.values)).toEqual(bits(fresh.values));
    };
    kkt.assemble(a.hess, a.jac, a.sigma, 0, 0);
    kkt.factor();
    kkt.assemble(b.hess, b.jac, b.sigma, 1e-4, 0); // partial, δ_c as before
    check(b.hess, b, 1e-4, 0);
    kkt.factor();
    kkt.perturb(b.sigma, 1e-3, 0);
    check(b.hess, b, 1e-3, 0);
    kkt.perturb(b.sigma, 1e-2, 1e-8); // δ_c changes
    check(b.hess, b, 1e-2, 1e-8);
    kkt.factor();
    kkt.perturb(b.sigma, 1e-2, -0); // back to (−)0
    check(b.hess, b, 1e-2, -0);
    kkt.assemble(a.hess, a.jac, a.sigma, 0, 1e-6);
    check(a.hess, a, 0, 1e-6);
    kkt.assemble(null, a.jac, a.sigma, 0, 1e-6); // a full assembly (W = 0, all of K zeroed), δ_c unchanged
    check(null, a, 0, 1e-6);
    kkt.assemble(a.hess, a.jac, a.sigma, 0, 0);
    check(a.hess, a, 0, 0);
    expect(kkt.path).toBe('amd');
    expect(kkt.partialAssemblies).toBeGreaterThan(0);
  });

  it('rewrites only the slots that can change: the values of a full assembly, bit for bit', () => {
    const nlp = new InternalNlp(randomQcqp(), 0, 1e-4, () => 0);
    const a = valuesAt(nlp, 1);
    const b = valuesAt(nlp, 2);
    const kkt = new KktSystem(nlp, { ordering: 'stable' });
    kkt.assemble(a.hess, a.jac, a.sigma, 1e-3, 1e-8);
    kkt.assemble(b.hess, b.jac, b.sigma, 0, 0); // partial: the slots with changing entries only
    kkt.assemble(b.hess, b.jac, b.sigma, 0, 0); // again: a slot not zeroed first would double
    const fresh = new KktSystem(nlp, { ordering: 'stable' });
    fresh.assemble(b.hess, b.jac, b.sigma, 0, 0);
    expect(bits(kkt.values)).toEqual(bits(fresh.values));
    expect([kkt.assemblies, kkt.partialAssemblies, fresh.partialAssemblies]).toEqual([3, 2, 0]);
    expect(nlp.fixed.some((f) => f === 1)).toBe(true);
    // the inertia correction's next trial on a partial assembly: the diagonal's base is W's
    kkt.perturb(b.sigma, 0.3, 1e-6);
    fresh.assemble(b.hess, b.jac, b.sigma, 0.3, 1e-6);
    expect(bits(kkt.values)).toEqual(bits(fresh.values));
    // the same with W = 0 (the least-squares multipliers' system) after a partial assembly
    kkt.assemble(null, b.jac, b.sigma, 0, 1e-8);
    fresh.assemble(null, b.jac, b.sigma, 0, 1e-8);
    expect(bits(kkt.values)).toEqual(bits(fresh.values));
    // and its factorization and solve
    const rhs = Float64Array.from({ length: kkt.dim }, (_, i) => Math.sin(i + 1));
    const x1 = new Float64Array(kkt.dim);
    const x2 = new Float64Array(kkt.dim);
    kkt.factor();
    kkt.solve(rhs, x1);
    fresh.factor();
    fresh.solve(rhs, x2);
    expect(bits(x1)).toEqual(bits(x2));
  });

  it('rewrites the constant slots after invalidateConstants (new constants: another problem or scaling)', () => {
    const nlp = new InternalNlp(randomQcqp(), 0, 1e-4, () => 0);
    const a = valuesAt(nlp, 1);
    const kkt = new KktSystem(nlp, { ordering: 'stable' });
    kkt.assemble(a.hess, a.jac, a.sigma, 0, 0);
    // the constant entries take other values (the linear coefficients of another problem)
    const other = new InternalNlp(randomQcqp(3), 0, 1e-4, () => 0);
    const c = valuesAt(other, 1);
    const fresh = new KktSystem(other, { ordering: 'stable' });
    fresh.assemble(c.hess, c.jac, c.sigma, 0, 0);
    kkt.assemble(c.hess, c.jac, c.sigma, 0, 0);
    expect(bits(kkt.values)).not.toEqual(bits(fresh.values)); // stale: the shortcut's contract
    kkt.invalidateConstants();
    kkt.assemble(c.hess, c.jac, c.sigma, 0, 0);
    expect(bits(kkt.values)).toEqual(bits(fresh.values));
  });

  it('a kept workspace solves a problem with other constants exactly as a fresh solve does', () => {
    const first = randomQcqp();
    const second = randomQcqp(3);
    const ws = createSolverWorkspace();
    const r1 = solveNlp(first, {}, { workspace: ws });
    const r2 = solveNlp(second, {}, { workspace: ws });
    expect(ws.stats).toEqual({ reused: 1, built: 1 });
    expect(ws.kept!.kkt.partialAssemblies).toBeGreaterThan(0);
    const fresh = solveNlp(second);
    expect(r1.status).toBe('solved');
    expect(r2.status).toBe('solved');
    expect(r2.iterations).toBe(fresh.iterations);
    expect(bits(r2.x)).toEqual(bits(fresh.x));
  });

  it('marking the constant entries does not change the iterates', () => {
    const p = randomQcqp();
    const { constantJacobian, ...unmarked } = p;
    expect(constantJacobian!.some((c) => c === 1)).toBe(true);
    const hist = (q: NlpProblem) => {
      const r = solveNlp(q, { history: true });
      return { r, h: r.history!.map((e) => [e.objective, e.infPr, e.infDu, e.dNorm, e.alphaPr, e.alphaDu]) };
    };
    const marked = hist(p);
    const plain = hist(unmarked as NlpProblem);
    expect(marked.r.status).toBe('solved');
    expect(marked.h).toEqual(plain.h);
    expect(bits(marked.r.x)).toEqual(bits(plain.r.x));
  });

  it('checks the constant Jacobian entries for finiteness until a whole Jacobian passed, and after a new scaling', () => {
    const p = randomQcqp();
    const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
    const jac = new Float64Array(nlp.jRows.length);
    nlp.evalJacobian(p.x0, jac);
    const constant = p.constantJacobian!;
    const kc = constant.indexOf(1);
    const kv = constant.indexOf(0);
    const withValue = (k: number, v: number) => {
      const a = jac.slice();
      a[k] = v;
      return a;
    };
    // before any whole Jacobian passed: a non-finite constant entry is caught
    expect(nlp.jacobianFinite(withValue(kc, NaN))).toBe(false);
    expect(nlp.jacobianFinite(withValue(kv, Infinity))).toBe(false);
    expect(nlp.jacobianFinite(jac)).toBe(true);
    // then only the changing entries are looked at (the constant ones cannot change)
    expect(nlp.jacobianFinite(withValue(kv, NaN))).toBe(false);
    expect(nlp.jacobianFinite(withValue(kc, NaN))).toBe(true);
    // a new scaling multiplies the constant entries: checked whole again
    nlp.computeScaling(p.x0, new Float64Array(nlp.n), new Float64Array(nlp.jRows.length), 1e-3, 1e-8);
    expect(nlp.jacobianFinite(withValue(kc, NaN))).toBe(false);
    // without marks: every entry, every time
    const plain = new InternalNlp({ ...p, constantJacobian: undefined }, 0, 1e-4, () => 0);
    expect(plain.jacobianFinite(jac)).toBe(true);
    expect(plain.jacobianFinite(withValue(kc, NaN))).toBe(false);
  });

  it('rejects marks of the wrong length with a clear message', () => {
    const p = { ...randomQcqp(), constantJacobian: new Uint8Array(3) };
    const r = solveNlp(p);
    expect(r.status).toBe('invalidProblem');
    expect(r.message).toMatch(/constantJacobian has 3 marks for \d+ Jacobian entries/);
  });
});
