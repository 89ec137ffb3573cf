/**
 * LDLᵀ tests. Every expected value is independent of the code under test: worked by hand, a
 * classical textbook factorization, Sylvester's law with a known block structure, or a dense
 * cyclic-Jacobi eigenvalue count written in this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SymmetricPattern, patternFromTriplets, symMatVec } from './csc';
import { LdlSolver } from './ldl';
import { amdOrder } from './amd';
import { permutedColumnCounts } from './symbolic';
import { opfLikeKkt } from '../testing/sparse/testmatrices';
import { randomPermutation } from '../testing/sparse/permutation';

// ---------------------------------------------------------------- helpers (independent of ldl.ts)

/** Upper-CSC pattern + values from a dense symmetric matrix (exact zeros dropped off the diagonal). */
function fromDense(a: number[][]): { pattern: SymmetricPattern; values: Float64Array } {
  const n = a.length;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < n; j++)
    for (let i = 0; i <= j; i++)
      if (a[i][j] !== 0) {
        r.push(i);
        c.push(j);
        v.push(a[i][j]);
      }
  const { pattern, map } = patternFromTriplets(n, Int32Array.from(r), Int32Array.from(c));
  const values = new Float64Array(pattern.rowIdx.length);
  v.forEach((x, k) => (values[map[k]] += x));
  return { pattern, values };
}

function toDense(p: SymmetricPattern, values: Float64Array): number[][] {
  const a = Array.from({ length: p.n }, () => new Array<number>(p.n).fill(0));
  for (let j = 0; j < p.n; j++)
    for (let q = p.colPtr[j]; q < p.colPtr[j + 1]; q++) {
      a[p.rowIdx[q]][j] += values[q];
      if (p.rowIdx[q] !== j) a[j][p.rowIdx[q]] += values[q];
    }
  return a;
}

/** Eigenvalues of a dense symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan §8.5). */
function jacobiEigenvalues(input: number[][]): number[] {
  const n = input.length;
  const a = input.map((row) => row.slice());
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        total += a[i][j] * a[i][j];
        if (i !== j) off += a[i][j] * a[i][j];
      }
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
  }
  return a.map((row, i) => row[i]);
}

/** Seeded PRNG written here (xorshift32), independent of testmatrices.ts. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** ‖A x − b‖∞ computed densely (independent of symMatVec). */
function denseResidual(a: number[][], x: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    let s = -b[i];
    for (let j = 0; j < a.length; j++) s += a[i][j] * x[j];
    m = Math.max(m, Math.abs(s));
  }
  return m;
}

const natural = { ordering: 'natural' as const };

// ---------------------------------------------------------------- tiny literal cases

// Every test runs with both numeric kernels: the WebAssembly build (default) and the TypeScript
// reference it was ported from (the fallback where WebAssembly is missing).
describe.each(['wasm', 'js'] as const)('%s kernel', (kernel) => {
  beforeAll(() => {
    LdlSolver.defaultKernel = kernel;
  });
  afterAll(() => {
    LdlSolver.defaultKernel = 'wasm';
  });
  it('is the kernel in use', () => {
    const { pattern } = patternFromTriplets(1, Int32Array.of(0), Int32Array.of(0));
    expect(new LdlSolver(pattern).kernel).toBe(kernel);
  });
  ldlSuite();
});

function ldlSuite(): void {
  describe('LdlSolver on literal matrices', () => {
    it('identity: inertia (n,0,0), solve returns b', () => {
      const n = 5;
      const { pattern } = patternFromTriplets(n, new Int32Array(0), new Int32Array(0));
      const s = new LdlSolver(pattern);
      expect(s.factor(new Float64Array(n).fill(1))).toEqual({ ok: true, positive: n, negative: 0, zero: 0 });
      expect(s.nnzL).toBe(0);
      const b = Float64Array.from([1, -2, 3, -4, 5]);
      s.solve(b);
      expect(Array.from(b)).toEqual([1, -2, 3, -4, 5]);
    });

    it('2×2 SPD [[4,2],[2,3]]: D = (4, 2), x = (0.5, 0) for b = (2, 1)', () => {
      // By hand: l21 = 2/4 = 0.5, d2 = 3 − 0.5·2 = 2; det = 8, x = (3·2 − 2·1, 4·1 − 2·2)/8.
      const { pattern, values } = fromDense([
        [4, 2],
        [2, 3],
      ]);
      const s = new LdlSolver(pattern, natural);
      expect(s.factor(values)).toEqual({ ok: true, positive: 2, negative: 0, zero: 0 });
      expect(Array.from(s.pivots())).toEqual([4, 2]);
      const b = Float64Array.from([2, 1]);
      s.solve(b);
      expect(b[0]).toBeCloseTo(0.5, 15);
      expect(b[1]).toBeCloseTo(0, 15);
    });

    it('2×2 indefinite [[1,2],[2,1]]: eigenvalues 3, −1 → inertia (1,1,0), D = (1, −3)', () => {
      const { pattern, values } = fromDense([
        [1, 2],
        [2, 1],
      ]);
      const s = new LdlSolver(pattern, natural);
      expect(s.factor(values)).toEqual({ ok: true, positive: 1, negative: 1, zero: 0 });
      expect(Array.from(s.pivots())).toEqual([1, -3]);
      const b = Float64Array.from([3, 3]); // x = (1, 1)
      s.solve(b);
      expect(b[0]).toBeCloseTo(1, 14);
      expect(b[1]).toBeCloseTo(1, 14);
    });

    it('dense 3×3 SPD matches the textbook Cholesky L = [[2],[6,1],[−8,5,3]]', () => {
      // A = L Lᵀ with the L above (a classical worked example), so in LDLᵀ form D = diag(4, 1, 9)
      // and unit L = [[1],[3,1],[−4,5,1]]. b = A·(1,1,1) = (0, 6, 39) → x = (1,1,1).
      const a = [
        [4, 12, -16],
        [12, 37, -43],
        [-16, -43, 98],
      ];
      const { pattern, values } = fromDense(a);
      const s = new LdlSolver(pattern, natural);
      expect(s.factor(values)).toEqual({ ok: true, positive: 3, negative: 0, zero: 0 });
      const d = s.pivots();
      expect(d[0]).toBeCloseTo(4, 13);
      expect(d[1]).toBeCloseTo(1, 13);
      expect(d[2]).toBeCloseTo(9, 13);
      const b = Float64Array.from([0, 6, 39]);
      s.solve(b);
      for (const xi of b) expect(xi).toBeCloseTo(1, 12);
    });
  });

  // ---------------------------------------------------------------- KKT inertia and pathologies

  /** [H Aᵀ; A −δc I] with H = tridiag(−1, 4, −1) (SPD, 4×4) and A (2×4, full row rank). */
  function smallKkt(deltaC: number, duplicateRow = false): number[][] {
    const H = [
      [4, -1, 0, 0],
      [-1, 4, -1, 0],
      [0, -1, 4, -1],
      [0, 0, -1, 4],
    ];
    const A = [[1, 2, 0, 1], duplicateRow ? [1, 2, 0, 1] : [0, 1, -1, 3]];
    const K = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) K[i][j] = H[i][j];
    for (let r = 0; r < 2; r++)
      for (let j = 0; j < 4; j++) {
        K[4 + r][j] = A[r][j];
        K[j][4 + r] = A[r][j];
      }
    K[4][4] = -deltaC;
    K[5][5] = -deltaC;
    return K;
  }

  describe('LdlSolver on KKT matrices', () => {
    it('[H Aᵀ; A 0], H SPD, A full row rank: inertia (n, m, 0) = (4, 2, 0)', () => {
      // Sylvester: K is congruent to diag(H, −A H⁻¹ Aᵀ), so n positive and m negative.
      const K = smallKkt(0);
      const { pattern, values } = fromDense(K);
      const s = new LdlSolver(pattern, natural); // constraints last: no zero pivot even with δc = 0
      expect(s.factor(values)).toEqual({ ok: true, positive: 4, negative: 2, zero: 0 });
      const b = Float64Array.from([1, 2, 3, 4, 5, 6]);
      const x = new Float64Array(6);
      const rel = s.solveRefined(values, b, x);
      expect(rel).toBeLessThan(1e-14);
      expect(denseResidual(K, x, b)).toBeLessThan(1e-12);
    });

    it('zero on the diagonal: constraint row eliminated first with δc = 0 is reported, not garbage', () => {
      // Order the multiplier row 4 first: its pivot is exactly K[4][4] = 0.
      const K = smallKkt(0);
      const { pattern, values } = fromDense(K);
      const first = Int32Array.from([4, 0, 1, 2, 3, 5]);
      const s = new LdlSolver(pattern, { ordering: first });
      expect(s.permutation[0]).toBe(4); // postordering keeps it first (it is a leaf of the tree)
      const f = s.factor(values);
      expect(f.ok).toBe(false);
      expect(f.zero).toBe(1);
      expect(f.positive + f.negative + f.zero).toBe(6);
      for (const d of s.pivots()) expect(Number.isFinite(d)).toBe(true);
      const b = Float64Array.from([1, 1, 1, 1, 1, 1]);
      s.solve(b);
      for (const xi of b) expect(Number.isFinite(xi)).toBe(true);

      // The same ordering with δc > 0 (quasi-definite) factors with the exact inertia (4, 2, 0),
      // and refinement recovers the solution of the regularized system.
      const Kreg = smallKkt(1e-8);
      const reg = fromDense(Kreg);
      const s2 = new LdlSolver(reg.pattern, { ordering: first });
      expect(s2.factor(reg.values)).toEqual({ ok: true, positive: 4, negative: 2, zero: 0 });
      const rhs = Float64Array.from([1, 2, 3, 4, 5, 6]);
      const x = new Float64Array(6);
      expect(s2.solveRefined(reg.values, rhs, x)).toBeLessThan(1e-14);
      expect(denseResidual(Kreg, x, rhs) / maxAbs(x)).toBeLessThan(1e-12);
    });

    it('zero on the diagonal of [[0,1],[1,0]]: ok false, one zero pivot, no NaN', () => {
      const { pattern, values } = fromDense([
        [0, 1],
        [1, 0],
      ]);
      const s = new LdlSolver(pattern, natural);
      const f = s.factor(values);
      expect(f.ok).toBe(false);
      expect(f.zero).toBeGreaterThanOrEqual(1);
      for (const d of s.pivots()) expect(Number.isNaN(d)).toBe(false);
    });

    it('rank-deficient Jacobian (two identical constraint rows), δc = 0: singular is reported', () => {
      // K is singular (rows 4 and 5 are equal), so one eigenvalue is 0; the zero pivot appears by
      // cancellation and must be caught by the relative test.
      const K = smallKkt(0, true);
      const ev = jacobiEigenvalues(K);
      expect(ev.filter((e) => Math.abs(e) < 1e-10).length).toBe(1); // the reference agrees: singular
      const { pattern, values } = fromDense(K);
      for (const ordering of ['natural', 'amd'] as const) {
        const f = new LdlSolver(pattern, { ordering }).factor(values);
        expect(f.ok).toBe(false);
        expect(f.zero).toBeGreaterThanOrEqual(1);
      }
    });

    it('singular [[1,1],[1,1]] and a rank-2 3×3 B·Bᵀ: ok false, zero = 1', () => {
      const two = fromDense([
        [1, 1],
        [1, 1],
      ]);
      expect(new LdlSolver(two.pattern, natural).factor(two.values)).toEqual({
        ok: false,
        positive: 1,
        negative: 0,
        zero: 1,
      });
      // B = [[1,2],[3,4],[5,6]] → B Bᵀ has rank 2 (eigenvalues ≈ 90.7, 0.26, 0).
      const B = [
        [1, 2],
        [3, 4],
        [5, 6],
      ];
      const BBt = B.map((ri) => B.map((rj) => ri[0] * rj[0] + ri[1] * rj[1]));
      const m = fromDense(BBt);
      expect(new LdlSolver(m.pattern, natural).factor(m.values)).toEqual({
        ok: false,
        positive: 2,
        negative: 0,
        zero: 1,
      });
    });

    it('near-singular [[1,1],[1,1+ε]]: ε = 1e-8 factors and solves; ε = 1e-15 is flagged', () => {
      const eps = 1e-8;
      const a = [
        [1, 1],
        [1, 1 + eps],
      ];
      const m = fromDense(a);
      const s = new LdlSolver(m.pattern, natural);
      expect(s.factor(m.values)).toEqual({ ok: true, positive: 2, negative: 0, zero: 0 });
      // b = A·(1, 1) = (2, 2 + ε); the condition number is ≈ 4/ε = 4e8.
      const b = Float64Array.from([2, 2 + eps]);
      const x = new Float64Array(2);
      s.solveRefined(m.values, b, x);
      expect(Math.abs(x[0] - 1)).toBeLessThan(1e-6);
      expect(Math.abs(x[1] - 1)).toBeLessThan(1e-6);
      const tiny = fromDense([
        [1, 1],
        [1, 1 + 1e-15],
      ]);
      const f = new LdlSolver(tiny.pattern, natural).factor(tiny.values);
      expect(f.ok).toBe(false);
      expect(f.zero).toBe(1);
    });

    it('NaN or Infinity in the values: ok false, not an exception', () => {
      const m = fromDense([
        [4, 1],
        [1, 3],
      ]);
      const s = new LdlSolver(m.pattern, natural);
      const bad = m.values.slice();
      bad[0] = NaN;
      expect(s.factor(bad).ok).toBe(false);
      bad[0] = Infinity;
      expect(s.factor(bad).ok).toBe(false);
      // The same solver recovers on good values (no state carried over).
      expect(s.factor(m.values)).toEqual({ ok: true, positive: 2, negative: 0, zero: 0 });
    });

    it('rejects an ordering that is not a permutation and a short value array', () => {
      const m = fromDense([
        [4, 1],
        [1, 3],
      ]);
      expect(() => new LdlSolver(m.pattern, { ordering: Int32Array.from([0, 0]) })).toThrow(RangeError);
      expect(() => new LdlSolver(m.pattern, { pivotTolerance: 1 })).toThrow(RangeError);
      expect(() => new LdlSolver(m.pattern).factor(new Float64Array(1))).toThrow(RangeError);
    });
  });

  // ---------------------------------------------------------------- random matrices vs a dense reference

  /** Random sparse symmetric matrix: n×n, about `perRow` off-diagonal entries per row. */
  function randomSymmetric(
    rand: () => number,
    n: number,
    perRow: number,
    kind: 'indefinite' | 'quasidefinite',
  ): number[][] {
    const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const nPos = Math.floor(n / 2);
    for (let i = 0; i < n; i++) {
      for (let e = 0; e < perRow / 2; e++) {
        const j = Math.floor(rand() * n);
        if (j === i) continue;
        // Quasi-definite: no coupling inside the negative block (it must stay −δc I).
        if (kind === 'quasidefinite' && i >= nPos && j >= nPos) continue;
        const v = rand() * 2 - 1;
        a[i][j] = v;
        a[j][i] = v;
      }
    }
    for (let i = 0; i < n; i++) {
      if (kind === 'indefinite') {
        a[i][i] = (rand() < 0.5 ? -1 : 1) * (0.1 + rand());
      } else if (i < nPos) {
        let rowSum = 0;
        for (let j = 0; j < nPos; j++) if (j !== i) rowSum += Math.abs(a[i][j]);
        a[i][i] = rowSum + 0.1 + rand(); // positive block diagonally dominant ⇒ SPD
      } else {
        a[i][i] = -1e-6;
      }
    }
    return a;
  }

  describe('LdlSolver on random sparse matrices (dense Jacobi eigenvalues as the reference)', () => {
    it('indefinite: inertia equals the eigenvalue sign count; refined residual ≤ 1e-12', () => {
      const rand = xorshift(2024);
      let checked = 0;
      for (let trial = 0; trial < 40; trial++) {
        const n = 5 + Math.floor(rand() * 50);
        const a = randomSymmetric(rand, n, 4, 'indefinite');
        const ev = jacobiEigenvalues(a);
        const scale = maxAbs(ev);
        if (ev.some((e) => Math.abs(e) < 1e-8 * scale)) continue; // ambiguous reference: skip
        const { pattern, values } = fromDense(a);
        for (const ordering of ['amd', 'natural'] as const) {
          const s = new LdlSolver(pattern, { ordering });
          const f = s.factor(values);
          // Static pivoting on a general indefinite matrix can meet a tiny pivot; if so it must
          // say so. When it says ok, the inertia must be exact.
          if (!f.ok) {
            expect(f.zero).toBeGreaterThan(0);
            continue;
          }
          expect(f.positive).toBe(ev.filter((e) => e > 0).length);
          expect(f.negative).toBe(ev.filter((e) => e < 0).length);
          const b = Float64Array.from({ length: n }, () => rand() * 2 - 1);
          const x = new Float64Array(n);
          const rel = s.solveRefined(values, b, x);
          expect(rel).toBeLessThan(1e-12);
          expect(denseResidual(a, x, b) / (maxAbs(x) + maxAbs(b))).toBeLessThan(1e-11);
          // ‖A‖∞ computed with the first residual is the dense max row sum
          const rowSums = a.map((row) => row.reduce((acc, v) => acc + Math.abs(v), 0));
          expect(s.lastNormA).toBeCloseTo(Math.max(...rowSums), 12);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(50); // most trials must actually be checked
    });

    it('quasi-definite: always ok, inertia (n₊, n₋, 0) for every ordering, small residual', () => {
      const rand = xorshift(7);
      for (let trial = 0; trial < 20; trial++) {
        const n = 6 + Math.floor(rand() * 40);
        const a = randomSymmetric(rand, n, 5, 'quasidefinite');
        const ev = jacobiEigenvalues(a);
        const nPos = Math.floor(n / 2);
        expect(ev.filter((e) => e > 0).length).toBe(nPos); // the reference confirms the block inertia
        const { pattern, values } = fromDense(a);
        const shuffled = randomPermutation(n, rand);
        for (const ordering of ['amd', 'natural', shuffled] as const) {
          const s = new LdlSolver(pattern, { ordering });
          expect(s.factor(values)).toEqual({ ok: true, positive: nPos, negative: n - nPos, zero: 0 });
          const b = Float64Array.from({ length: n }, () => rand() * 2 - 1);
          const x = new Float64Array(n);
          expect(s.solveRefined(values, b, x)).toBeLessThan(1e-12);
        }
      }
    });

    it('refactoring with new values reuses the analysis and matches a fresh solver', () => {
      const rand = xorshift(31);
      const a1 = randomSymmetric(rand, 30, 4, 'quasidefinite');
      const { pattern, values: v1 } = fromDense(a1);
      const v2 = v1.map((v) => v * (1 + 0.5 * rand()));
      const reused = new LdlSolver(pattern);
      reused.factor(v1);
      const f2 = reused.factor(v2);
      const fresh = new LdlSolver(pattern);
      expect(fresh.factor(v2)).toEqual(f2);
      expect(Array.from(reused.pivots())).toEqual(Array.from(fresh.pivots()));
    });
  });

  describe('LdlSolver with a given analysis (the tree and column counts of the order)', () => {
    it('gives the factor it computes itself: same nnz(L), flops, blocks, inertia and pivots', () => {
      const kkt = opfLikeKkt({ buses: 30, periods: 4, batteries: 2, seed: 7 });
      const n = kkt.nVar + kkt.nCon;
      const rand = xorshift(5);
      for (const order of [amdOrder(kkt.pattern), randomPermutation(n, rand)]) {
        const own = new LdlSolver(kkt.pattern, { ordering: order });
        const given = new LdlSolver(kkt.pattern, {
          ordering: order,
          analysis: permutedColumnCounts(kkt.pattern, order),
        });
        expect([given.nnzL, given.flops, given.storedEntries, given.supernodes]).toEqual([
          own.nnzL,
          own.flops,
          own.storedEntries,
          own.supernodes,
        ]);
        expect(given.factor(kkt.values)).toEqual(own.factor(kkt.values));
        expect(Array.from(given.pivots())).toEqual(Array.from(own.pivots()));
      }
    });
  });

  // ---------------------------------------------------------------- OPF-like KKT matrices

  describe('LdlSolver on OPF-like KKT matrices (testmatrices.ts)', () => {
    it('quasi-definite KKT (δc > 0): inertia (nVar, nCon, 0); solve to backward error ≤ 1e-14', () => {
      const kkt = opfLikeKkt({ buses: 40, periods: 6, batteries: 3, seed: 11 });
      const s = new LdlSolver(kkt.pattern);
      expect(s.factor(kkt.values)).toEqual({ ok: true, positive: kkt.nVar, negative: kkt.nCon, zero: 0 });
      const n = kkt.nVar + kkt.nCon;
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const x = new Float64Array(n);
      expect(s.solveRefined(kkt.values, b, x)).toBeLessThan(1e-14);
      const ax = new Float64Array(n);
      symMatVec(kkt.pattern, kkt.values, x, ax);
      let r = 0;
      for (let i = 0; i < n; i++) r = Math.max(r, Math.abs(ax[i] - b[i]));
      expect(r / maxAbs(x)).toBeLessThan(1e-10);
    });

    it('small KKT matches the dense eigenvalue count, with δc > 0 and with δc = 0', () => {
      for (const deltaC of [1e-8, 0]) {
        const kkt = opfLikeKkt({ buses: 6, periods: 3, batteries: 1, pvs: 1, seed: 5, deltaC });
        const ev = jacobiEigenvalues(toDense(kkt.pattern, kkt.values));
        const pos = ev.filter((e) => e > 0).length;
        expect(pos).toBe(kkt.nVar); // the generator's promise, checked independently
        // Natural order puts all multipliers after all variables: no zero pivot even with δc = 0.
        const f = new LdlSolver(kkt.pattern, natural).factor(kkt.values);
        expect(f).toEqual({ ok: true, positive: kkt.nVar, negative: kkt.nCon, zero: 0 });
      }
    });

    it('refinement against the unregularized KKT (δc = 0) while factoring the regularized one (δc = 1e-6)', () => {
      // Clarabel-style: factor K + δ, refine with K. The fixed point of refinement is the solution
      // of K x = b itself, so the backward error w.r.t. K must reach rounding level.
      const exact = opfLikeKkt({ buses: 30, periods: 6, seed: 21, deltaC: 0 });
      const reg = opfLikeKkt({ buses: 30, periods: 6, seed: 21, deltaC: 1e-6 });
      expect(Array.from(reg.pattern.rowIdx)).toEqual(Array.from(exact.pattern.rowIdx));
      const n = exact.nVar + exact.nCon;
      const s = new LdlSolver(reg.pattern);
      expect(s.factor(reg.values).ok).toBe(true);
      const b = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 13) - 6);
      const x = new Float64Array(n);
      const unrefined = s.solveRefined(exact.values, b, x, 0);
      const refined = s.solveRefined(exact.values, b, x, 20);
      expect(unrefined).toBeGreaterThan(1e-12); // the perturbation is visible without refinement
      expect(refined).toBeLessThan(1e-14);
      // Independent check of the final x: dense residual of the exact system.
      const K = toDense(exact.pattern, exact.values);
      expect(denseResidual(K, x, b) / (maxAbs(x) + maxAbs(b))).toBeLessThan(1e-12);
    });

    it('an empty (0×0) matrix factors with inertia (0, 0, 0)', () => {
      const { pattern } = patternFromTriplets(0, new Int32Array(0), new Int32Array(0));
      const s = new LdlSolver(pattern);
      expect(s.factor(new Float64Array(0))).toEqual({ ok: true, positive: 0, negative: 0, zero: 0 });
      expect(s.solveRefined(new Float64Array(0), new Float64Array(0), new Float64Array(0))).toBe(0);
    });

    it('AMD fill on a 24-period feeder is far below natural order', () => {
      const kkt = opfLikeKkt({ buses: 64, periods: 24, seed: 3 });
      const amd = new LdlSolver(kkt.pattern);
      const nat = new LdlSolver(kkt.pattern, natural);
      expect(amd.nnzL).toBeLessThan(nat.nnzL / 3);
      // Tree-like structure: fill stays within a small multiple of the matrix itself.
      expect(amd.nnzL).toBeLessThan(2 * amd.nnzA);
    });
  });
}
