/**
 * The solver workspace (workspace.ts): a sequence of solves of one structure with different
 * values reuses the KKT system and still reaches each problem's own optimum; a different
 * structure gets its own system; reuse never changes a result.
 *
 * Test problem with a closed-form answer: the Euclidean projection onto a scaled simplex,
 *     min Σ_i (x_i − a_i)²   s.t.   Σ_i x_i = b,   x ≥ 0   (optionally x_k fixed),
 * solved by x_i = max(a_i − θ, 0) with θ the root of Σ max(a_i − θ, 0) = b (sort-based, below).
 */
import { describe, expect, it } from 'vitest';
import { createSolverWorkspace, solveNlp, type NlpProblem } from './index';

function projection(a: readonly number[], b: number): number[] {
  const s = [...a].sort((p, q) => q - p);
  let cum = 0;
  let theta = 0;
  for (let k = 0; k < s.length; k++) {
    cum += s[k]!;
    const t = (cum - b) / (k + 1);
    if (k === s.length - 1 || s[k + 1]! <= t) {
      theta = t;
      break;
    }
  }
  return a.map((v) => Math.max(v - theta, 0));
}

/** The projection problem; `fixedIndex` pins x_k = 0 (a fixed variable changes the structure). */
function simplexProblem(a: readonly number[], b: number, fixedIndex = -1): NlpProblem {
  const n = a.length;
  const xU = new Float64Array(n).fill(Infinity);
  if (fixedIndex >= 0) xU[fixedIndex] = 0;
  const all = Int32Array.from({ length: n }, (_, j) => j);
  return {
    n,
    m: 1,
    xL: new Float64Array(n),
    xU,
    gL: Float64Array.of(b),
    gU: Float64Array.of(b),
    x0: new Float64Array(n).fill(b / n),
    jacobianStructure: () => ({ rows: new Int32Array(n), cols: all.slice() }),
    hessianStructure: () => ({ rows: all.slice(), cols: all.slice() }),
    evalF: (x) => a.reduce((s, ai, j) => s + (x[j]! - ai) ** 2, 0),
    evalGradF: (x, out) => {
      for (let j = 0; j < n; j++) out[j] = 2 * (x[j]! - a[j]!);
    },
    evalG: (x, out) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[j]!;
      out[0] = s;
    },
    evalJacobian: (_x, out) => out.fill(1),
    evalHessian: (_x, objFactor, _lambda, out) => out.fill(2 * objFactor),
  };
}

const N = 40;
const data = (seed: number) =>
  Array.from({ length: N }, (_, j) => Math.sin(1.7 * j + seed) + 0.3 * Math.cos(0.3 * j * seed));

describe('solver workspace', () => {
  it('reuses the KKT system across solves of one structure and reaches each optimum', () => {
    const ws = createSolverWorkspace();
    let previous: ReturnType<typeof solveNlp> | null = null;
    for (let k = 0; k < 5; k++) {
      const a = data(k);
      const b = 3 + k;
      const warm = previous
        ? { warmStart: { x: previous.x, lambda: previous.lambda, zL: previous.zL, zU: previous.zU } }
        : {};
      const r = solveNlp(simplexProblem(a, b), { tol: 1e-10 }, { workspace: ws, ...warm });
      expect(r.status).toBe('solved');
      const exact = projection(a, b);
      for (let j = 0; j < N; j++) expect(Math.abs(r.x[j]! - exact[j]!)).toBeLessThan(1e-6);
      previous = r;
    }
    expect(ws.stats).toEqual({ built: 1, reused: 4 });
  });

  it('gives bit-for-bit the result of a solve without it', () => {
    const ws = createSolverWorkspace();
    solveNlp(simplexProblem(data(1), 2), {}, { workspace: ws });
    const reused = solveNlp(simplexProblem(data(2), 5), {}, { workspace: ws });
    const fresh = solveNlp(simplexProblem(data(2), 5), {});
    expect(ws.stats.reused).toBe(1);
    expect(reused.iterations).toBe(fresh.iterations);
    expect(Array.from(reused.x)).toEqual(Array.from(fresh.x));
    expect(Array.from(reused.lambda)).toEqual(Array.from(fresh.lambda));
    expect(reused.timing.setup).toBeLessThanOrEqual(fresh.timing.setup + 1e-3);
  });

  it('builds a new system when the structure differs (size, fixed variables) and stays correct', () => {
    const ws = createSolverWorkspace();
    solveNlp(simplexProblem(data(1), 2), {}, { workspace: ws });
    // A fixed variable: the KKT row becomes the identity, a different system.
    const a = data(3);
    const r1 = solveNlp(simplexProblem(a, 4, 7), { tol: 1e-10 }, { workspace: ws });
    const exact1 = projection(
      a.map((v, j) => (j === 7 ? -1e9 : v)),
      4,
    ); // x_7 = 0 forced
    expect(r1.x[7]).toBe(0);
    for (let j = 0; j < N; j++) expect(Math.abs(r1.x[j]! - exact1[j]!)).toBeLessThan(1e-6);
    // Another size.
    const a2 = data(4).slice(0, 25);
    const r2 = solveNlp(simplexProblem(a2, 1.5), { tol: 1e-10 }, { workspace: ws });
    const exact2 = projection(a2, 1.5);
    for (let j = 0; j < 25; j++) expect(Math.abs(r2.x[j]! - exact2[j]!)).toBeLessThan(1e-6);
    expect(ws.stats).toEqual({ built: 3, reused: 0 });
  });

  it('kktOrdering picks the factorization (path reported), both reach the optimum, and a kept system of the other ordering is not reused', () => {
    const ws = createSolverWorkspace();
    const a = data(5);
    const exact = projection(a, 2.5);
    const amd = solveNlp(simplexProblem(a, 2.5), { tol: 1e-10, kktOrdering: 'amd' }, { workspace: ws });
    const stable = solveNlp(simplexProblem(a, 2.5), { tol: 1e-10, kktOrdering: 'stable' }, { workspace: ws });
    expect(amd.timing.kkt.path).toBe('amd');
    expect(stable.timing.kkt.path).toBe('stable');
    for (const r of [amd, stable]) {
      expect(r.status).toBe('solved');
      for (let j = 0; j < N; j++) expect(Math.abs(r.x[j]! - exact[j]!)).toBeLessThan(1e-6);
    }
    expect(ws.stats).toEqual({ built: 2, reused: 0 });
    const bad = solveNlp(simplexProblem(a, 2.5), { kktOrdering: 'cholesky' as 'amd' });
    expect(bad.status).toBe('invalidProblem');
    expect(bad.message).toMatch(/kktOrdering = cholesky is not 'auto', 'amd' or 'stable'/);
  });
});
