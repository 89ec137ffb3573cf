/**
 * The WebAssembly LDLᵀ kernel against the TypeScript kernel it was ported from (an independent
 * code path over the same symbolic structure): same inertia and zero-pivot count, pivots and
 * solutions equal to rounding, on OPF-like KKT matrices with relaxed supernodes of every width
 * and with zero pivots; and the fallback where WebAssembly does not exist.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { symMatVec } from './csc';
import { LdlSolver } from './ldl';
import { opfLikeKkt } from '../testing/sparse/testmatrices';
import { decodeBase64 } from './wasmKernel';
import { mulberry32 } from '../random';

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

describe('WebAssembly LDLᵀ kernel', () => {
  it.each([
    { buses: 64, periods: 8, seed: 3, deltaC: 1e-8 },
    { buses: 200, periods: 24, seed: 7, deltaC: 1e-8 },
    { buses: 120, periods: 12, seed: 9, deltaC: 0 },
  ])('agrees with the TypeScript kernel: $buses buses × $periods periods, δc = $deltaC', (o) => {
    const kkt = opfLikeKkt(o);
    const wasm = new LdlSolver(kkt.pattern, { kernel: 'wasm' });
    const js = new LdlSolver(kkt.pattern, { kernel: 'js' });
    expect(wasm.kernel).toBe('wasm');
    expect(js.kernel).toBe('js');
    expect(wasm.storedEntries).toBe(js.storedEntries);
    const fw = wasm.factor(kkt.values);
    const fj = js.factor(kkt.values);
    expect(fw).toEqual(fj);
    // Summation orders differ (left- vs right-looking inside a supernode) and δc = 1e-8 pivots
    // are formed by cancelling ±a²/δc ~ 1e8 terms: agreement to ~1e-8 is rounding, not a bug.
    expect(maxRelDiff(wasm.pivots(), js.pivots())).toBeLessThan(1e-6);
    const rand = mulberry32(o.seed);
    const b = Float64Array.from({ length: kkt.pattern.n }, () => rand() - 0.5);
    const xw = b.slice();
    const xj = b.slice();
    wasm.solve(xw);
    js.solve(xj);
    if (fw.ok) {
      expect(maxRelDiff(xw, xj)).toBeLessThan(1e-5);
      // …and the refined solutions are equally good backward-stable answers
      expect(wasm.solveRefined(kkt.values, b, new Float64Array(b.length))).toBeLessThan(1e-14);
      expect(js.solveRefined(kkt.values, b, new Float64Array(b.length))).toBeLessThan(1e-14);
    } else {
      // δc = 0 under AMD: zero pivots reported identically, and both outputs stay finite
      expect(fw.zero).toBeGreaterThan(0);
      expect(xw.every(Number.isFinite)).toBe(true);
    }
  });

  it('reads its input from the staging array without a copy, and solves K x = b', () => {
    const kkt = opfLikeKkt({ buses: 50, periods: 6, seed: 13 });
    const s = new LdlSolver(kkt.pattern, { kernel: 'wasm' });
    const staged = s.stagingValues();
    expect(staged).not.toBeNull();
    staged!.set(kkt.values);
    expect(s.factor(staged!).ok).toBe(true);
    const x = Float64Array.from({ length: kkt.pattern.n }, (_, i) => Math.sin(i));
    const b = new Float64Array(x.length);
    symMatVec(kkt.pattern, kkt.values, x, b);
    s.solveRefined(kkt.values, b, b); // x may alias b
    expect(maxRelDiff(b, x)).toBeLessThan(1e-9);
    expect(new LdlSolver(kkt.pattern, { kernel: 'js' }).stagingValues()).toBeNull();
  });

  it('computes r = b − A x and ‖A‖∞ in the kernel equal to the TypeScript residual', () => {
    const kkt = opfLikeKkt({ buses: 200, periods: 24, seed: 21 });
    const n = kkt.pattern.n;
    const s = new LdlSolver(kkt.pattern, { kernel: 'wasm' });
    const js = new LdlSolver(kkt.pattern, { kernel: 'js' });
    const staged = s.stagingValues()!;
    staged.set(kkt.values);
    const rand = mulberry32(21);
    const x = Float64Array.from({ length: n }, () => rand() - 0.5);
    const b = Float64Array.from({ length: n }, () => rand() - 0.5);
    const rw = new Float64Array(n);
    const rj = new Float64Array(n);
    const normW = s.residualWithNorm(staged, b, x, rw);
    const normJ = js.residualWithNorm(kkt.values, b, x, rj);
    // an independent ‖A‖∞: the row sums of |A| from the full matrix product with |A| and ones
    const ones = new Float64Array(n).fill(1);
    const rowSums = new Float64Array(n);
    symMatVec(kkt.pattern, kkt.values.map(Math.abs), ones, rowSums);
    expect(normJ).toBeCloseTo(Math.max(...rowSums), 6);
    expect(Math.abs(normW - normJ)).toBeLessThanOrEqual(1e-15 * normJ);
    let rMax = 0;
    let diff = 0;
    for (let i = 0; i < n; i++) {
      rMax = Math.max(rMax, Math.abs(rj[i]));
      diff = Math.max(diff, Math.abs(rw[i] - rj[i]));
    }
    expect(rMax).toBeGreaterThan(1); // a random x: a residual far from zero, so the comparison means something
    expect(diff).toBeLessThanOrEqual(1e-15 * rMax);
    // and it is b − A x: against the product computed by csc.symMatVec
    const ax = new Float64Array(n);
    symMatVec(kkt.pattern, kkt.values, x, ax);
    for (let i = 0; i < n; i++) expect(Math.abs(rw[i] - (b[i] - ax[i]))).toBeLessThanOrEqual(1e-12 * rMax);
  });

  it('runs the whole refinement in the kernel when given its staging array, as accurate as the TypeScript loop', () => {
    const kkt = opfLikeKkt({ buses: 200, periods: 24, seed: 7 });
    const n = kkt.pattern.n;
    const s = new LdlSolver(kkt.pattern, { kernel: 'wasm' });
    const staged = s.stagingValues()!;
    staged.set(kkt.values);
    expect(s.factor(staged).ok).toBe(true);
    const xTrue = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const b = new Float64Array(n);
    symMatVec(kkt.pattern, kkt.values, xTrue, b);
    const bSaved = b.slice();
    // the kernel loop (values = staging array) and the TypeScript loop (a copy) on one factor
    const xk = new Float64Array(n);
    const relK = s.solveRefined(staged, b, xk);
    const normK = s.lastNormA;
    const solvesK = s.lastTriangularSolves;
    const xt = new Float64Array(n);
    const relT = s.solveRefined(kkt.values.slice(), b, xt);
    expect(b).toEqual(bSaved);
    expect(relK).toBeLessThan(1e-14);
    expect(relT).toBeLessThan(1e-14);
    expect(normK).toBe(s.lastNormA); // ‖A‖∞: same sums in the same order
    expect(solvesK).toBeGreaterThanOrEqual(1);
    expect(maxRelDiff(xk, xt)).toBeLessThan(1e-12);
    expect(maxRelDiff(xk, xTrue)).toBeLessThan(1e-8);
    // same arithmetic: without corrections the two loops return the same backward error
    expect(s.solveRefined(staged, b, xk, 0)).toBe(s.solveRefined(kkt.values, b, xt, 0));
    expect(xk).toEqual(xt);
    // a given ‖A‖∞ is used as is, and x may alias b
    const xb = b.slice();
    expect(s.solveRefined(staged, xb, xb, 10, 1e-14, 2 * normK)).toBeLessThan(1e-14);
    expect(s.lastNormA).toBe(2 * normK);
    expect(maxRelDiff(xb, xTrue)).toBeLessThan(1e-8);
  });

  it('decodes base64 like Node does', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);
    for (const len of [0, 1, 2, 3, 4, 999, 1000]) {
      const text = Buffer.from(bytes.subarray(0, len)).toString('base64');
      expect(Array.from(decodeBase64(text))).toEqual(Array.from(bytes.subarray(0, len)));
    }
    expect(() => decodeBase64('ab$c')).toThrow(/invalid character at 2/);
  });
});

describe('without WebAssembly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('runs the TypeScript kernel, with the same answer', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const { LdlSolver: Fresh } = await import('./ldl');
    const kkt = opfLikeKkt({ buses: 40, periods: 6, seed: 17 });
    const s = new Fresh(kkt.pattern);
    expect(s.kernel).toBe('js');
    expect(s.factor(kkt.values).ok).toBe(true);
    const b = Float64Array.from({ length: kkt.pattern.n }, (_, i) => Math.cos(i));
    const x = new Float64Array(b.length);
    expect(s.solveRefined(kkt.values, b, x)).toBeLessThan(1e-13);
  });
});
