import { describe, expect, it } from 'vitest';
import { ComplexLdl } from './cldl';
import { cinverse, cmatrix, type CMatrix } from './cmatrix';

/**
 * A random complex symmetric matrix shaped like a radial feeder's admittance matrix: a chain of
 * 3-node "buses" with branches to a random earlier bus, strong diagonal. Triplets are the lower
 * triangle, with some entries split into two triplets that add (as element stamps overlap).
 */
function feederLike(buses: number, seed: number) {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const n = 3 * buses;
  const rows: number[] = [],
    cols: number[] = [],
    re: number[] = [],
    im: number[] = [];
  const add = (i: number, j: number, vr: number, vi: number) => {
    rows.push(Math.max(i, j));
    cols.push(Math.min(i, j));
    re.push(vr);
    im.push(vi);
  };
  for (let b = 0; b < buses; b++) {
    for (let p = 0; p < 3; p++) {
      add(3 * b + p, 3 * b + p, 8 + rnd(), -20 + rnd());
      for (let q = 0; q < p; q++) add(3 * b + p, 3 * b + q, rnd(), rnd());
    }
    if (b === 0) continue;
    const up = Math.floor((0.5 + rnd()) * b);
    for (let p = 0; p < 3; p++) {
      add(3 * b + p, 3 * up + p, -1 + rnd(), 3 + rnd());
      add(3 * b + p, 3 * up + p, rnd() / 10, rnd() / 10); // a second stamp on the same entry
    }
  }
  return {
    n,
    rows: Int32Array.from(rows),
    cols: Int32Array.from(cols),
    re: Float64Array.from(re),
    im: Float64Array.from(im),
    rnd,
  };
}

function dense(n: number, rows: Int32Array, cols: Int32Array, re: Float64Array, im: Float64Array): CMatrix {
  const a = cmatrix(n);
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t],
      j = cols[t];
    a.re[i * n + j] += re[t];
    a.im[i * n + j] += im[t];
    if (i !== j) {
      a.re[j * n + i] += re[t];
      a.im[j * n + i] += im[t];
    }
  }
  return a;
}

function solveWith(ldl: ComplexLdl, br: Float64Array, bi: Float64Array) {
  const xr = br.slice(),
    xi = bi.slice();
  ldl.solve(xr, xi);
  return { xr, xi };
}

describe('complex sparse LDLᵀ, partial refactorization', () => {
  it('after a change of a few entries, refactor() equals a full factorization and the dense inverse', () => {
    const { n, rows, cols, re, im, rnd } = feederLike(60, 11);
    const ldl = new ComplexLdl(n, rows, cols);
    expect(ldl.factor(re, im)).toBe(-1);
    const br = Float64Array.from({ length: n }, () => rnd()),
      bi = Float64Array.from({ length: n }, () => rnd());
    // Change the triplets touching bus 41 (a "tap change"): diagonal, mutual and branch entries.
    const changed: number[] = [];
    for (let t = 0; t < rows.length; t++) {
      if (Math.floor(rows[t] / 3) !== 41 && Math.floor(cols[t] / 3) !== 41) continue;
      re[t] *= 1.07;
      im[t] *= 0.96;
      changed.push(t);
    }
    expect(ldl.refactor(re, im, changed)).toBe(-1);
    // Partial: some rows, not all.
    expect(ldl.lastFactorRows).toBeGreaterThan(0);
    expect(ldl.lastFactorRows).toBeLessThan(n);
    const part = solveWith(ldl, br, bi);

    const fresh = new ComplexLdl(n, rows, cols);
    expect(fresh.factor(re, im)).toBe(-1);
    expect(fresh.lastFactorRows).toBe(n);
    const full = solveWith(fresh, br, bi);
    // The same arithmetic in the same order: bit for bit.
    expect([...part.xr]).toEqual([...full.xr]);
    expect([...part.xi]).toEqual([...full.xi]);

    // And against the dense inverse of the changed matrix.
    const inv = cinverse(dense(n, rows, cols, re, im));
    for (let i = 0; i < n; i++) {
      let xr = 0,
        xi = 0;
      for (let j = 0; j < n; j++) {
        xr += inv.re[i * n + j] * br[j] - inv.im[i * n + j] * bi[j];
        xi += inv.re[i * n + j] * bi[j] + inv.im[i * n + j] * br[j];
      }
      expect(part.xr[i]).toBeCloseTo(xr, 12);
      expect(part.xi[i]).toBeCloseTo(xi, 12);
    }
  });

  it('stays exact over many successive partial refactorizations after solves', () => {
    const { n, rows, cols, re, im, rnd } = feederLike(40, 5);
    const ldl = new ComplexLdl(n, rows, cols);
    expect(ldl.factor(re, im)).toBe(-1);
    const br = Float64Array.from({ length: n }, () => rnd()),
      bi = Float64Array.from({ length: n }, () => rnd());
    for (let round = 0; round < 25; round++) {
      const bus = Math.floor((rnd() + 0.5) * 40);
      const changed: number[] = [];
      for (let t = 0; t < rows.length; t++) {
        if (Math.floor(rows[t] / 3) !== bus) continue;
        re[t] *= 1 + rnd() / 10;
        im[t] *= 1 + rnd() / 10;
        changed.push(t);
      }
      solveWith(ldl, br, bi); // leaves the shared workspace dirty
      expect(ldl.refactor(re, im, changed)).toBe(-1);
    }
    const fresh = new ComplexLdl(n, rows, cols);
    expect(fresh.factor(re, im)).toBe(-1);
    const a = solveWith(ldl, br, bi),
      b = solveWith(fresh, br, bi);
    expect([...a.xr]).toEqual([...b.xr]);
    expect([...a.xi]).toEqual([...b.xi]);
  });

  it('reports a pivot that a change makes zero, then recovers with the next values', () => {
    // 2×2 block [[a, b], [b, c]]: the second pivot c − b²/a is zero when c = b²/a.
    const rows = Int32Array.from([0, 1, 1]),
      cols = Int32Array.from([0, 0, 1]);
    const re = Float64Array.from([2, 1, 3]),
      im = Float64Array.from([0, 0, 0]);
    const ldl = new ComplexLdl(2, rows, cols);
    expect(ldl.factor(re, im)).toBe(-1);
    re[2] = 0.5; // 1²/2: singular
    expect(ldl.refactor(re, im, [2])).toBeGreaterThanOrEqual(0);
    re[2] = 4;
    expect(ldl.refactor(re, im, [2])).toBe(-1);
    const x = solveWith(ldl, Float64Array.from([1, 0]), Float64Array.from([0, 0]));
    // [[2, 1], [1, 4]]⁻¹ e1 = [4, −1] / 7
    expect(x.xr[0]).toBeCloseTo(4 / 7, 14);
    expect(x.xr[1]).toBeCloseTo(-1 / 7, 14);
  });
});
