/**
 * Checks of the Hock–Schittkowski problem data without any solver:
 *  (1) exact derivatives agree with central finite differences (∇f, Jacobian, Lagrangian
 *      Hessian with random σ and λ) at x0 and at random nearby points;
 *  (2) the published x* reproduces the published f* and satisfies bounds and constraints,
 *      within what the printed rounding of x* allows;
 *  (3) structures are well formed (Hessian lower triangle, no duplicates, indices in range) and
 *      all values are finite at x0.
 * Plus a few hand-derived derivative cases for the expression compiler itself.
 */
import { describe, expect, it } from 'vitest';
import type { NlpProblem } from '../../nlp/problem';
import { define } from './define';
import { HS_PROBLEMS } from './index';
import { mulberry32 as rng } from '../../random';

/** Dense n×n Lagrangian Hessian (symmetric) from the sparse lower triangle. */
function denseHessian(p: NlpProblem, x: Float64Array, sigma: number, lambda: Float64Array): Float64Array {
  const { rows, cols } = p.hessianStructure();
  const v = new Float64Array(rows.length);
  p.evalHessian(x, sigma, lambda, v);
  const H = new Float64Array(p.n * p.n);
  for (let k = 0; k < rows.length; k++) {
    H[rows[k] * p.n + cols[k]] += v[k];
    if (rows[k] !== cols[k]) H[cols[k] * p.n + rows[k]] += v[k];
  }
  return H;
}

/** Gradient of the Lagrangian σ f + λᵀ g (dense, length n). */
function lagrangianGradient(p: NlpProblem, x: Float64Array, sigma: number, lambda: Float64Array): Float64Array {
  const grad = new Float64Array(p.n);
  p.evalGradF(x, grad);
  for (let j = 0; j < p.n; j++) grad[j] *= sigma;
  const { rows, cols } = p.jacobianStructure();
  const jv = new Float64Array(rows.length);
  p.evalJacobian(x, jv);
  for (let k = 0; k < rows.length; k++) grad[cols[k]] += lambda[rows[k]] * jv[k];
  return grad;
}

function denseJacobian(p: NlpProblem, x: Float64Array): Float64Array {
  const { rows, cols } = p.jacobianStructure();
  const jv = new Float64Array(rows.length);
  p.evalJacobian(x, jv);
  const J = new Float64Array(p.m * p.n);
  for (let k = 0; k < rows.length; k++) J[rows[k] * p.n + cols[k]] += jv[k];
  return J;
}

/**
 * Error of a central difference against the exact value, relative to the larger of |exact|,
 * a thousandth of the largest entry in its row (tiny entries are compared absolutely), and the
 * difference's own rounding noise: ε·(|function value| + 1)/h, times 10 (allowed error) / 1e-5.
 */
function relErr(exact: number, approx: number, rowMax: number, noise: number): number {
  return Math.abs(exact - approx) / Math.max(Math.abs(exact), 1e-3 * rowMax, 1e6 * noise, 1e-12);
}

/** Central-difference step for coordinate j. */
const step = (xj: number): number => 1e-6 * Math.max(1, Math.abs(xj));
const EPS = 2.220446049250313e-16;
const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** Check all derivatives of p at x against central differences; returns the worst error. */
function fdCheck(p: NlpProblem, x: Float64Array, rand: () => number): { where: string; err: number } {
  const { n, m } = p;
  const sigma = 0.5 + rand();
  const lambda = Float64Array.from({ length: m }, () => 2 * rand() - 1);
  let worst = { where: '', err: 0 };
  const note = (where: string, err: number): void => {
    if (!(err <= worst.err)) worst = { where, err };
  };

  const grad = new Float64Array(n);
  p.evalGradF(x, grad);
  const J = denseJacobian(p, x);
  const H = denseHessian(p, x, sigma, lambda);
  const f0 = Math.abs(p.evalF(x));
  const g0 = new Float64Array(m);
  p.evalG(x, g0);
  const lagGrad = maxAbs(lagrangianGradient(p, x, sigma, lambda));
  const gradMax = maxAbs(grad);
  const jRowMax = Array.from({ length: m }, (_, i) => maxAbs(J.subarray(i * n, (i + 1) * n)));
  const hRowMax = Array.from({ length: n }, (_, r) => maxAbs(H.subarray(r * n, (r + 1) * n)));

  const xp = Float64Array.from(x);
  const gp = new Float64Array(m);
  const gm = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    const h = step(x[j]);
    xp[j] = x[j] + h;
    const fp = p.evalF(xp);
    p.evalG(xp, gp);
    const lp = lagrangianGradient(p, xp, sigma, lambda);
    xp[j] = x[j] - h;
    const fm = p.evalF(xp);
    p.evalG(xp, gm);
    const lm = lagrangianGradient(p, xp, sigma, lambda);
    xp[j] = x[j];
    note(`df/dx${j + 1}`, relErr(grad[j], (fp - fm) / (2 * h), gradMax, (EPS * (f0 + 1)) / h));
    for (let i = 0; i < m; i++) {
      const noise = (EPS * (Math.abs(g0[i]) + 1)) / h;
      note(`dg${i + 1}/dx${j + 1}`, relErr(J[i * n + j], (gp[i] - gm[i]) / (2 * h), jRowMax[i], noise));
    }
    // Column j of the Hessian by differencing the exact Lagrangian gradient.
    for (let r = 0; r < n; r++) {
      const noise = (EPS * (lagGrad + 1)) / h;
      note(`H[${r + 1},${j + 1}]`, relErr(H[r * n + j], (lp[r] - lm[r]) / (2 * h), hRowMax[r], noise));
    }
  }
  return worst;
}

/** Significant-digit rounding the printed value v carries: half a unit in its last digit. */
function printedRounding(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return 0;
  const text = Math.abs(v).toExponential(); // shortest round-trip form, e.g. "1.23477e+0"
  const [mantissa, exponent] = text.split('e');
  const digits = mantissa.replace('.', '').length;
  if (digits >= 15) return 0; // a computed value, not a printed one
  return 0.5 * Math.pow(10, Number(exponent) - (digits - 1));
}

describe('expression compiler: hand-derived derivatives', () => {
  it('differentiates products, quotients, powers and functions exactly', () => {
    // f = x1²x2 + x1/x2 + exp(x1)sin(x2) + x2^x1, at (1.5, 2)
    const p = define({ n: 2, x0: [1.5, 2], f: 'x1^2*x2 + x1/x2 + exp(x1)*sin(x2) + x2^x1' });
    const [a, b] = [1.5, 2];
    const x = Float64Array.from([a, b]);
    expect(p.evalF(x)).toBeCloseTo(a * a * b + a / b + Math.exp(a) * Math.sin(b) + b ** a, 13);
    const g = new Float64Array(2);
    p.evalGradF(x, g);
    expect(g[0]).toBeCloseTo(2 * a * b + 1 / b + Math.exp(a) * Math.sin(b) + b ** a * Math.log(b), 12);
    expect(g[1]).toBeCloseTo(a * a - a / (b * b) + Math.exp(a) * Math.cos(b) + a * b ** (a - 1), 12);
    const H = denseHessian(p, x, 1, new Float64Array(0));
    expect(H[0]).toBeCloseTo(2 * b + Math.exp(a) * Math.sin(b) + b ** a * Math.log(b) ** 2, 11);
    expect(H[1]).toBeCloseTo(
      2 * a - 1 / (b * b) + Math.exp(a) * Math.cos(b) + b ** (a - 1) * (1 + a * Math.log(b)),
      11,
    );
    expect(H[3]).toBeCloseTo((2 * a) / b ** 3 - Math.exp(a) * Math.sin(b) + a * (a - 1) * b ** (a - 2), 11);
  });

  it('gives exact sparse structure: separable terms couple nothing', () => {
    const p = define({ n: 3, x0: [1, 1, 1], f: 'x1^2 + sin(x2) + 3*x3', cons: ['x1 + x3 >= 0', 'x2*x3 = 1'] });
    const H = p.hessianStructure();
    const pairs = Array.from(H.rows, (r, k) => `${r},${H.cols[k]}`).sort();
    expect(pairs).toEqual(['0,0', '1,1', '2,1']); // x1², sin(x2), and x2·x3 from g2
    const J = p.jacobianStructure();
    expect(Array.from(J.rows)).toEqual([0, 0, 1, 1]);
    expect(Array.from(J.cols)).toEqual([0, 2, 1, 2]);
    expect(Array.from(p.gL)).toEqual([0, 1]);
    expect(Array.from(p.gU)).toEqual([Infinity, 1]);
  });

  it('parses constraint forms into the right bounds', () => {
    const p = define({
      n: 2,
      x0: [0, 0],
      f: 'x1',
      cons: ['x1 <= 3', '2 >= x2', '-1 <= x1 + x2 <= 4', 'x1 = x2', '5 <= x1*x2'],
    });
    expect(Array.from(p.gL)).toEqual([-Infinity, -Infinity, -1, 0, 5]);
    expect(Array.from(p.gU)).toEqual([3, 2, 4, 0, Infinity]);
    const g = new Float64Array(5);
    p.evalG(Float64Array.from([2, 3]), g);
    expect(Array.from(g)).toEqual([2, 3, 5, -1, 6]);
  });

  it('rejects malformed text with the position', () => {
    expect(() => define({ n: 1, x0: [0], f: 'x1 +* 2' })).toThrow(/at 4/);
    expect(() => define({ n: 1, x0: [0], f: 'x2' })).toThrow(/outside x1…x1/);
    expect(() => define({ n: 1, x0: [0], f: 'foo(x1)' })).toThrow(/unknown name/);
  });
});

describe('Hock–Schittkowski collection', () => {
  it('has at least 100 distinct problems', () => {
    const ids = HS_PROBLEMS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(100);
  });

  describe.each(HS_PROBLEMS.map((p) => [p.id, p] as const))('%s', (_id, hp) => {
    const p = hp.build();

    it('has well-formed structures and finite values at x0', () => {
      expect(p.x0.length).toBe(p.n);
      expect(p.xL.length).toBe(p.n);
      expect(p.gL.length).toBe(p.m);
      for (let i = 0; i < p.n; i++) expect(p.xL[i]).toBeLessThanOrEqual(p.xU[i]);
      for (let i = 0; i < p.m; i++) expect(p.gL[i]).toBeLessThanOrEqual(p.gU[i]);
      const H = p.hessianStructure();
      const seen = new Set<number>();
      for (let k = 0; k < H.rows.length; k++) {
        expect(H.rows[k]).toBeGreaterThanOrEqual(H.cols[k]);
        expect(H.rows[k]).toBeLessThan(p.n);
        expect(H.cols[k]).toBeGreaterThanOrEqual(0);
        const key = H.rows[k] * p.n + H.cols[k];
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      const J = p.jacobianStructure();
      for (let k = 0; k < J.rows.length; k++) {
        expect(J.rows[k]).toBeLessThan(p.m);
        expect(J.cols[k]).toBeLessThan(p.n);
      }
      expect(Number.isFinite(p.evalF(p.x0))).toBe(true);
      const values = [
        new Float64Array(p.n),
        new Float64Array(p.m),
        new Float64Array(J.rows.length),
        new Float64Array(H.rows.length),
      ];
      p.evalGradF(p.x0, values[0]);
      p.evalG(p.x0, values[1]);
      p.evalJacobian(p.x0, values[2]);
      p.evalHessian(p.x0, 1, new Float64Array(p.m).fill(1), values[3]);
      for (const arr of values) for (const v of arr) expect(Number.isFinite(v)).toBe(true);
    });

    it('has exact derivatives (central differences at x0 and nearby points)', () => {
      const rand = rng(0x5eed + Number(hp.id.slice(2)));
      const points = [Float64Array.from(p.x0)];
      for (let s = 0; s < 3; s++) {
        points.push(
          Float64Array.from(p.x0, (v, j) => {
            let y = v + 0.1 * (2 * rand() - 1) * Math.max(1, Math.abs(v));
            // Stay inside finite bounds (some functions are undefined outside, e.g. log).
            if (Number.isFinite(p.xL[j])) y = Math.max(y, p.xL[j] + 1e-3 * Math.max(1, Math.abs(p.xL[j])));
            if (Number.isFinite(p.xU[j])) y = Math.min(y, p.xU[j] - 1e-3 * Math.max(1, Math.abs(p.xU[j])));
            return y;
          }),
        );
      }
      for (const x of points) {
        const worst = fdCheck(p, x, rand);
        expect(worst.err, `${worst.where} at x = [${Array.from(x).join(', ')}]`).toBeLessThanOrEqual(1e-5);
      }
    });

    if (hp.xStar) {
      const xStar = Float64Array.from(hp.xStar);
      // What the printed rounding of x* allows: |Δx_i| ≤ half a unit in its last printed digit.
      const eps = Float64Array.from(hp.xStar, printedRounding);

      it('reproduces f* at the published x*', () => {
        const grad = new Float64Array(p.n);
        p.evalGradF(xStar, grad);
        const slack = grad.reduce((s, gj, j) => s + Math.abs(gj) * eps[j], 0);
        const f = p.evalF(xStar);
        const tol = 1e-6 * Math.max(1, Math.abs(hp.fStar)) + 2 * slack;
        expect(Math.abs(f - hp.fStar), `f(x*) = ${f}, f* = ${hp.fStar}, tol ${tol}`).toBeLessThanOrEqual(tol);
      });

      it('published x* satisfies bounds and constraints', () => {
        for (let j = 0; j < p.n; j++) {
          const tol = 1e-5 * Math.max(1, Math.abs(xStar[j])) + eps[j];
          expect(xStar[j], `x${j + 1}`).toBeGreaterThanOrEqual(p.xL[j] - tol);
          expect(xStar[j], `x${j + 1}`).toBeLessThanOrEqual(p.xU[j] + tol);
        }
        const g = new Float64Array(p.m);
        p.evalG(xStar, g);
        const J = denseJacobian(p, xStar);
        for (let i = 0; i < p.m; i++) {
          let slack = 0;
          for (let j = 0; j < p.n; j++) slack += Math.abs(J[i * p.n + j]) * eps[j];
          const scale = Math.max(
            1,
            Math.abs(p.gL[i]) < Infinity ? Math.abs(p.gL[i]) : 0,
            Math.abs(p.gU[i]) < Infinity ? Math.abs(p.gU[i]) : 0,
          );
          const tol = 1e-5 * scale + 2 * slack;
          expect(g[i], `g${i + 1}`).toBeGreaterThanOrEqual(p.gL[i] - tol);
          expect(g[i], `g${i + 1}`).toBeLessThanOrEqual(p.gU[i] + tol);
        }
      });
    }
  });
});
