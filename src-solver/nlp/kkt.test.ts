/**
 * KktSystem's two factorization paths (kkt.ts): plain AMD with a static δ₀ on the λ diagonal
 * (refined against the unperturbed K), and the stable kktOrdering it falls back to. Each test
 * checks against an independent answer: the LdlSolver's own flop count, a dense solve via the
 * stable path with its own residual computed here, a matrix singular by construction, and the
 * published Hock–Schittkowski optima.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InternalNlp } from './internalNlp';
import { factorFlops, KktSystem, kktOrdering } from './kkt';
import { amdOrder } from '../sparse/amd';
import { LdlSolver, symMatVec } from '../sparse/ldl';
import { patternFromTriplets, type SymmetricPattern } from '../sparse/csc';
import { chainProblem } from '../testing/nlp/chain';
import { denseProblem, hs071 } from '../testing/nlp/problems';
import { HS_PROBLEMS } from '../testing/hs/index';
import { solveNlp } from './index';
import type { NlpProblem } from './problem';

afterEach(() => {
  KktSystem.defaultOrdering = 'auto';
});

/** KKT of `p` at x0 with λ = 0.3, Σ = 1 + j/nw: assembled with (δw, δc). */
function kktAt(
  p: NlpProblem,
  ordering: 'amd' | 'stable',
  deltaW = 0,
  deltaC = 0,
): { kkt: KktSystem; nlp: InternalNlp } {
  const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
  const kkt = new KktSystem(nlp, { ordering });
  const x = Float64Array.from(p.x0);
  const lam = new Float64Array(p.m).fill(0.3);
  const hess = new Float64Array(nlp.hRows.length);
  nlp.evalHessian(x, 1, lam, hess);
  const jac = new Float64Array(nlp.jRows.length);
  nlp.evalJacobian(x, jac);
  const sigma = new Float64Array(nlp.nw);
  for (let j = 0; j < nlp.nw; j++) sigma[j] = 1 + j / nlp.nw;
  kkt.assemble(hess, jac, sigma, deltaW, deltaC);
  return { kkt, nlp };
}

/** ‖b − K x‖∞ / (‖K‖∞ ‖x‖∞ + ‖b‖∞), computed here from the stored upper triangle. */
function backwardError(kkt: KktSystem, b: Float64Array, x: Float64Array): number {
  const n = kkt.dim;
  const kx = new Float64Array(n);
  symMatVec(kkt.pattern, kkt.values, x, kx);
  const rowSum = new Float64Array(n);
  const { colPtr, rowIdx } = kkt.pattern;
  for (let j = 0; j < n; j++)
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
      const a = Math.abs(kkt.values[q]);
      rowSum[rowIdx[q]] += a;
      if (rowIdx[q] !== j) rowSum[j] += a;
    }
  let r = 0;
  let xm = 0;
  let bm = 0;
  let am = 0;
  for (let i = 0; i < n; i++) {
    r = Math.max(r, Math.abs(b[i] - kx[i]));
    xm = Math.max(xm, Math.abs(x[i]));
    bm = Math.max(bm, Math.abs(b[i]));
    am = Math.max(am, rowSum[i]);
  }
  return r / (am * xm + bm);
}

describe('factorFlops', () => {
  it('equals the LdlSolver flop count for the same ordering (AMD and kktOrdering)', () => {
    for (const p of [hs071(), chainProblem(60)]) {
      const { kkt, nlp } = kktAt(p, 'stable');
      const amd = amdOrder(kkt.pattern);
      const stable = kktOrdering(kkt.pattern, nlp.nw, amd);
      expect(factorFlops(kkt.pattern, amd)).toBe(new LdlSolver(kkt.pattern, { ordering: amd }).flops);
      expect(factorFlops(kkt.pattern, stable)).toBe(new LdlSolver(kkt.pattern, { ordering: stable }).flops);
      expect(kkt.flopsAmd).toBe(factorFlops(kkt.pattern, amd));
      // forced 'stable': no separate count, the solver's own (postordered) analysis gives it
      expect(kkt.flopsStable).toBe(factorFlops(kkt.pattern, stable));
      expect(kktAt(p, 'amd').kkt.flopsStable).toBe(factorFlops(kkt.pattern, stable));
    }
  });
});

describe('AMD path: K₀ = K − δ₀ on the λ diagonal, refined against K', () => {
  it('gives the stable path’s inertia and solution on a chain NLP (T = 200), backward error ≤ 1e-14', () => {
    const p = chainProblem(200);
    const a = kktAt(p, 'amd').kkt;
    const s = kktAt(p, 'stable').kkt;
    const ra = a.factor();
    const rs = s.factor();
    expect(rs.ok).toBe(true);
    expect(ra).toEqual(rs);
    expect(a.path).toBe('amd');
    const b = new Float64Array(a.dim);
    for (let i = 0; i < b.length; i++) b[i] = Math.sin(1 + 7 * i);
    const xa = new Float64Array(a.dim);
    const xs = new Float64Array(a.dim);
    a.solve(b, xa);
    s.solve(b, xs);
    expect(a.path).toBe('amd'); // no fallback
    expect(backwardError(a, b, xa)).toBeLessThanOrEqual(1e-14);
    let d = 0;
    let mx = 0;
    for (let i = 0; i < xa.length; i++) {
      d = Math.max(d, Math.abs(xa[i] - xs[i]));
      mx = Math.max(mx, Math.abs(xs[i]));
    }
    expect(d / mx).toBeLessThan(1e-10);
  });

  it('solves in place (x aliasing b)', () => {
    const p = chainProblem(50);
    const a = kktAt(p, 'amd').kkt;
    a.factor();
    const b = new Float64Array(a.dim).map((_, i) => Math.cos(i));
    const x = b.slice();
    a.solve(x, x);
    expect(backwardError(a, b, x)).toBeLessThanOrEqual(1e-14);
  });

  it('falls back to the stable ordering when K is singular (duplicate constraint rows): the stable factor then reports the zero pivot', () => {
    // min x1² + x2² + x3²  s.t.  x1 + x2 = 1,  x1 + x2 = 1  (A has rank 1 ⇒ K singular for δc = 0)
    const p = denseProblem({
      n: 3,
      m: 2,
      gL: [1, 1],
      gU: [1, 1],
      x0: [0.2, 0.3, 0.4],
      f: (x) => x[0] ** 2 + x[1] ** 2 + x[2] ** 2,
      grad: (x, g) => g.set([2 * x[0], 2 * x[1], 2 * x[2]]),
      g: (x, g) => g.set([x[0] + x[1], x[0] + x[1]]),
      jac: (_x, J) => J.set([1, 1, 0, 1, 1, 0]),
      hess: (_x, s, _l, H) => {
        H[0] = 2 * s;
        H[4] = 2 * s;
        H[8] = 2 * s;
      },
    });
    const { kkt } = kktAt(p, 'amd');
    const r = kkt.factor();
    expect(r.ok).toBe(true); // K₀ is regular: δ₀ hides the singularity …
    const b = Float64Array.from([0, 0, 0, 1, 2]); // … and K x = b has no solution (rows 4, 5 contradict)
    const x = new Float64Array(5);
    const k = Array.from(kkt.values);
    kkt.solve(b, x);
    expect(kkt.path).toBe('stable');
    expect(kkt.fallbackReason).toMatch(/stalled/);
    // K (not K₀) moved with the switch, into the stable solver's own input array
    expect(Array.from(kkt.values)).toEqual(k);
    expect(kkt.values).toBe(kkt.solver.stagingValues() ?? kkt.values);
    const again = kkt.factor();
    expect(again.ok).toBe(false);
    expect(again.zero).toBeGreaterThanOrEqual(1);
    kkt.assemble(null, new Float64Array([1, 1, 0, 1, 1, 0]), new Float64Array(3).fill(1), 0, 1e-8);
    expect(kkt.hasCorrectInertia(kkt.factor())).toBe(true); // δc > 0 repairs it, as the IPM expects
  });

  it('reports a genuine zero pivot (a variable without curvature or constraint) without falling back', () => {
    // x3 appears nowhere: its row of K is zero ⇒ K singular for δw = 0, whatever the ordering.
    const p = denseProblem({
      n: 3,
      m: 1,
      gL: [1],
      gU: [1],
      x0: [0.2, 0.3, 0.4],
      f: (x) => x[0] ** 2 + x[1] ** 2,
      grad: (x, g) => g.set([2 * x[0], 2 * x[1], 0]),
      g: (x, g) => g.set([x[0] + x[1]]),
      jac: (_x, J) => J.set([1, 1, 0]),
      hess: (_x, s, _l, H) => {
        H[0] = 2 * s;
        H[4] = 2 * s;
      },
    });
    const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
    const kkt = new KktSystem(nlp, { ordering: 'amd' });
    kkt.assemble(null, new Float64Array([1, 1, 0]), new Float64Array(3), 0, 0);
    // W = 0 here (hess null), Σ = 0: the x1, x2 block is singular too; K has rank 2 < 4.
    const r = kkt.factor();
    expect(r.ok).toBe(false);
    expect(r.zero).toBeGreaterThanOrEqual(1);
    expect(kkt.path).toBe('amd');
    expect(kkt.zeroReports).toBe(1);
    kkt.assemble(null, new Float64Array([1, 1, 0]), new Float64Array(3), 1e-4, 0);
    const r2 = kkt.factor();
    expect(kkt.hasCorrectInertia(r2)).toBe(true); // δw > 0 repairs it on the AMD path
    expect(kkt.path).toBe('amd');
  });
});

describe('AMD path on the Hock–Schittkowski collection', () => {
  // Same exclusions as hs.test.ts: the collection's known failures and the explained local optima.
  const KNOWN = new Set(['hs044', 'hs055', 'hs057', 'hs058', 'hs108']);
  const regular = HS_PROBLEMS.filter((h) => !h.knownFailure && !KNOWN.has(h.id));
  it.each(regular.map((h) => [h.id, h] as const))('%s reaches the published f* with the AMD path forced', (_id, h) => {
    KktSystem.defaultOrdering = 'amd';
    const r = solveNlp(h.build());
    expect(['solved', 'acceptable']).toContain(r.status);
    expect(Math.abs(r.objective - h.fStar)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(h.fStar)));
  });
});

describe('AMD path zero-pivot threshold (KktSystem.amdPivotTolerance)', () => {
  /** K₀ = [−δ₀ 1 1; 1 h 0; 1 0 h] in natural order: λ first, then x₁, x₂. */
  function k0(delta0: number, h: number): { pattern: SymmetricPattern; values: Float64Array } {
    const rows = Int32Array.of(0, 0, 0, 1, 2);
    const cols = Int32Array.of(0, 1, 2, 1, 2);
    const v = [-delta0, 1, 1, h, h];
    const { pattern, map } = patternFromTriplets(3, rows, cols);
    const values = new Float64Array(pattern.colPtr[3]);
    v.forEach((x, k) => (values[map[k]] += x));
    return { pattern, values };
  }

  it('x₂’s pivot 2h, formed by cancelling 1/δ₀ terms, is a pivot with the right sign, not a zero', () => {
    const h = 1e-7;
    const { pattern, values } = k0(1e-6, h);
    // quasi-definite (h > 0, δ₀ > 0): inertia (2, 1, 0) in any order (Vanderbei 1995)
    const strict = new LdlSolver(pattern, { ordering: 'natural', pivotTolerance: 1e-12 });
    expect(strict.factor(values).zero).toBe(1); // |d|/scale ≈ h·δ₀ = 1e-13: the default calls it singular
    const amd = new LdlSolver(pattern, { ordering: 'natural', pivotTolerance: KktSystem.amdPivotTolerance });
    expect(amd.factor(values)).toEqual({ ok: true, positive: 2, negative: 1, zero: 0 });
    const exact = h + h / (1 + h * 1e-6); // h + 1/δ₀ − (1/δ₀)²/(h + 1/δ₀)
    expect(Math.abs(amd.pivots()[2] - exact) / exact).toBeLessThan(1e-2); // rounding ε/δ₀ ≈ 2e-10 absolute
  });

  it('at the initial δ₀ = 1e-8 the same pivot is still flagged (|d|/scale ≈ 1e-15): δ₀ is raised', () => {
    const { pattern, values } = k0(KktSystem.staticDeltaC, 1e-7);
    const amd = new LdlSolver(pattern, { ordering: 'natural', pivotTolerance: KktSystem.amdPivotTolerance });
    expect(amd.factor(values).zero).toBe(1);
  });
});

describe('stable path zero-pivot threshold (KktOptions.stablePivotTolerance, SolveOptions.kktPivotTolerance)', () => {
  // H = [1 1; 1 1 + 1e-13]: positive definite, but the second pivot (1 + 1e-13) − 1 cancels to
  // 5e-14 of the terms that form it — of certain sign (rounding error ~1e-16), yet below τ = 1e-12.
  const p = denseProblem({
    n: 2,
    m: 0,
    x0: [0.1, 0.2],
    f: (x) => 0.5 * (x[0] + x[1]) ** 2 + 0.5e-13 * x[1] ** 2,
    grad: (x, g) => g.set([x[0] + x[1], x[0] + x[1] + 1e-13 * x[1]]),
    hess: (_x, s, _l, H) => {
      H[0] = s;
      H[2] = s;
      H[3] = s * (1 + 1e-13);
    },
  });

  it('such a pivot is a zero at the default threshold and a positive pivot (correct inertia) at 1e-14', () => {
    const nlp = new InternalNlp(p, 0, 1e-4, () => 0);
    const hess = new Float64Array(nlp.hRows.length);
    nlp.evalHessian(Float64Array.from(p.x0), 1, new Float64Array(0), hess);
    const factor = (options: { stablePivotTolerance?: number }): ReturnType<KktSystem['factor']> => {
      const kkt = new KktSystem(nlp, { ordering: 'stable', ...options });
      kkt.assemble(hess, new Float64Array(0), new Float64Array(2), 0, 0);
      return kkt.factor();
    };
    const strict = factor({});
    expect(strict.ok).toBe(false);
    expect(strict.zero).toBe(1);
    const loose = factor({ stablePivotTolerance: 1e-14 });
    expect(loose.ok).toBe(true);
    expect(loose.positive).toBe(2);
  });

  it('the solver option reaches the factorization: the default needs a regularized KKT (δ_w > 0), 1e-14 does not', () => {
    const first = (options: { kktPivotTolerance?: number }): number | null => {
      const r = solveNlp(p, { ...options, history: true, printLevel: 0 });
      expect(r.status).toBe('solved');
      return r.history![1]!.lgRg;
    };
    expect(first({})).not.toBeNull();
    expect(first({ kktPivotTolerance: 1e-14 })).toBeNull();
    expect(() => solveNlp(p, { kktPivotTolerance: 0.7 })).not.toThrow();
    expect(solveNlp(p, { kktPivotTolerance: 0.7 }).status).toBe('invalidProblem');
  });
});

describe('iterative refinement target (KktSystem.refinementTolerance, SolveOptions.kktRefinementTolerance) and the solve counts', () => {
  it('the AMD path (K − δ₀ factored, so refinement is needed) meets each target; every refined solve counts its triangular solves', () => {
    const p = chainProblem(200);
    const b = (dim: number): Float64Array => new Float64Array(dim).map((_, i) => Math.sin(1 + 7 * i));
    const run = (tol: number): { err: number; tri: number; solves: number } => {
      const { kkt } = kktAt(p, 'amd');
      kkt.refinementTolerance = tol;
      kkt.factor();
      const rhs = b(kkt.dim);
      const x = new Float64Array(kkt.dim);
      kkt.solve(rhs, x);
      kkt.solve(rhs, x);
      expect(kkt.path).toBe('amd');
      return { err: backwardError(kkt, rhs, x), tri: kkt.triangularSolves, solves: kkt.solves };
    };
    const tight = run(1e-14);
    const loose = run(1e-10);
    expect(tight.solves).toBe(2);
    expect(loose.solves).toBe(2);
    expect(tight.err).toBeLessThanOrEqual(1e-14);
    expect(loose.err).toBeLessThanOrEqual(1e-10);
    // each refined solve is one triangular solve pair plus one per refinement correction
    expect(tight.tri).toBeGreaterThan(tight.solves);
    expect(tight.tri).toBeGreaterThanOrEqual(loose.tri);
    expect(loose.tri).toBeGreaterThanOrEqual(loose.solves);
  });

  it('solveNlp reports the refined solves and their triangular solves; the option is bounded by 1e-10', () => {
    const p = chainProblem(100);
    const tight = solveNlp(p, { kktOrdering: 'amd', printLevel: 0 });
    const loose = solveNlp(p, { kktOrdering: 'amd', kktRefinementTolerance: 1e-10, printLevel: 0 });
    for (const r of [tight, loose]) {
      expect(r.status).toBe('solved');
      expect(r.timing.kkt.solves).toBeGreaterThanOrEqual(r.iterations);
      expect(r.timing.kkt.triangularSolves).toBeGreaterThanOrEqual(r.timing.kkt.solves);
    }
    expect(loose.timing.kkt.triangularSolves / loose.timing.kkt.solves).toBeLessThan(
      tight.timing.kkt.triangularSolves / tight.timing.kkt.solves,
    );
    expect(Math.abs(loose.objective - tight.objective)).toBeLessThanOrEqual(1e-8 * Math.abs(tight.objective));
    const bad = solveNlp(p, { kktRefinementTolerance: 1e-8 });
    expect(bad.status).toBe('invalidProblem');
    expect(bad.message).toMatch(/kktRefinementTolerance/);
  });
});
