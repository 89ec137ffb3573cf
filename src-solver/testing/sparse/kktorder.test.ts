import { describe, expect, it } from 'vitest';
import { patternFromTriplets } from '../../sparse/csc';
import { kktAmdOrder } from './kktorder';
import { LdlSolver } from '../../sparse/ldl';
import { opfLikeKkt } from './testmatrices';

/** Upper pattern + values from a dense symmetric matrix. */
function fromDense(a: number[][]) {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < a.length; j++)
    for (let i = 0; i <= j; i++)
      if (a[i][j] !== 0) {
        r.push(i);
        c.push(j);
        v.push(a[i][j]);
      }
  const { pattern, map } = patternFromTriplets(a.length, Int32Array.from(r), Int32Array.from(c));
  const values = new Float64Array(pattern.rowIdx.length);
  v.forEach((x, k) => (values[map[k]] += x));
  return { pattern, values };
}

/** [I Jᵀ; J 0] for a given dense J (m×n). */
function kkt(J: number[][], nVar: number): number[][] {
  const n = nVar + J.length;
  const K = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < nVar; i++) K[i][i] = 2;
  J.forEach((row, r) =>
    row.forEach((x, j) => {
      K[nVar + r][j] = x;
      K[j][nVar + r] = x;
    }),
  );
  return K;
}

function isPermutation(p: Int32Array, n: number): boolean {
  const seen = new Uint8Array(n);
  for (const i of p) {
    if (i < 0 || i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return p.length === n;
}

describe('kktAmdOrder', () => {
  it('unregularized OPF-like KKT (δc = 0): plain AMD meets zero pivots, the KKT ordering none', () => {
    const m = opfLikeKkt({ buses: 48, periods: 8, seed: 9, deltaC: 0 });
    // Independent fact: J has full row rank and W ≻ 0, so the inertia is (nVar, nCon, 0).
    const plain = new LdlSolver(m.pattern).factor(m.values);
    expect(plain.ok).toBe(false); // constraint rows eliminated before their variables
    const { perm, unmatched } = kktAmdOrder(m.pattern, m.nVar, m.values);
    expect(unmatched).toBe(0);
    expect(isPermutation(perm, m.nVar + m.nCon)).toBe(true);
    const s = new LdlSolver(m.pattern, { ordering: perm });
    expect(s.factor(m.values)).toEqual({ ok: true, positive: m.nVar, negative: m.nCon, zero: 0 });
    const n = m.nVar + m.nCon;
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    expect(s.solveRefined(m.values, b, new Float64Array(n))).toBeLessThan(1e-14);
  });

  it('every constraint is preceded by a distinct variable it contains (the prefix property)', () => {
    const m = opfLikeKkt({ buses: 30, periods: 4, seed: 2, deltaC: 0 });
    const { perm } = kktAmdOrder(m.pattern, m.nVar);
    const solver = new LdlSolver(m.pattern, { ordering: perm }); // postordering must keep it
    const pos = new Int32Array(perm.length);
    solver.permutation.forEach((orig, k) => (pos[orig] = k));
    // Hall's condition on every prefix is implied by: a matching c → v with pos[v] < pos[c].
    // Check it with an independent greedy over constraints sorted by position.
    const cons = Array.from({ length: m.nCon }, (_, c) => m.nVar + c).sort((a, b) => pos[a] - pos[b]);
    const used = new Uint8Array(m.nVar);
    const { colPtr, rowIdx } = m.pattern;
    let ok = true;
    for (const c of cons) {
      // Any unused variable of row c placed before c (the pairs make the greedy succeed).
      let found = -1;
      for (let q = colPtr[c]; q < colPtr[c + 1]; q++) {
        const v = rowIdx[q];
        if (v < m.nVar && !used[v] && pos[v] === pos[c] - 1) found = v;
      }
      if (found === -1) ok = false;
      else used[found] = 1;
    }
    expect(ok).toBe(true);
  });

  it('uses an augmenting path when the greedy choice blocks a row', () => {
    // J = [[5, 1], [1, 0]]: greedy by |value| gives row 0 → x0, leaving row 1 (only x0) unmatched;
    // the augmenting path moves row 0 to x1.
    const J = [
      [5, 1],
      [1, 0],
    ];
    const K = kkt(J, 2);
    const { pattern, values } = fromDense(K);
    const { perm, unmatched } = kktAmdOrder(pattern, 2, values);
    expect(unmatched).toBe(0);
    // Row 1 must come right after x0 and row 0 right after x1.
    const pos = new Int32Array(4);
    perm.forEach((orig, k) => (pos[orig] = k));
    expect(pos[3]).toBe(pos[0] + 1);
    expect(pos[2]).toBe(pos[1] + 1);
    // det J ≠ 0 ⇒ inertia (2, 2, 0) with δc = 0.
    expect(new LdlSolver(pattern, { ordering: perm }).factor(values)).toEqual({
      ok: true,
      positive: 2,
      negative: 2,
      zero: 0,
    });
  });

  it('a structurally rank-deficient J: the unmatched row goes last and is reported as a zero pivot', () => {
    // Two rows on the single variable x0: rank 1 < 2 rows, so K (δc = 0) is singular.
    const J = [
      [1, 0, 0],
      [2, 0, 0],
    ];
    const { pattern, values } = fromDense(kkt(J, 3));
    const { perm, unmatched } = kktAmdOrder(pattern, 3);
    expect(unmatched).toBe(1);
    expect(perm[4]).toBeGreaterThanOrEqual(3); // a constraint row last
    const f = new LdlSolver(pattern, { ordering: perm }).factor(values);
    expect(f.ok).toBe(false);
    expect(f.zero).toBe(1);
  });

  it('rejects nVar outside [0, n]', () => {
    const { pattern } = fromDense([[1]]);
    expect(() => kktAmdOrder(pattern, 2)).toThrow(RangeError);
  });
});
