import { describe, expect, it } from 'vitest';
import { patternFromTriplets, type SymmetricPattern } from './csc';
import {
  columnCounts,
  eliminationTree,
  permutedColumnCounts,
  permutedFactorFlops,
  permutedEntries,
  permuteSymmetric,
} from './symbolic';
import { mulberry32 } from '../random';
import { randomPermutation } from '../testing/sparse/permutation';

/** A random symmetric pattern with `dense` rows coupled to every node (long columns). */
function randomPattern(n: number, perNode: number, dense: number, rand: () => number): SymmetricPattern {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let j = 0; j < n; j++)
    for (let k = 0; k < perNode; k++) {
      rows.push(Math.floor(rand() * n));
      cols.push(j);
    }
  for (let d = 0; d < dense; d++)
    for (let j = 0; j < n; j++) {
      rows.push(d);
      cols.push(j);
    }
  return patternFromTriplets(n, Int32Array.from(rows), Int32Array.from(cols)).pattern;
}

/** Random patterns (n, entries per node, dense rows) of the tests below: one node, a forest (several roots), dense rows. */
const RANDOM_CASES = [
  [1, 0, 0],
  [50, 1, 0],
  [400, 3, 1],
] as const;

describe('permuteSymmetric', () => {
  it('gives P A Pᵀ in upper CSC with sorted rows, the diagonal last, and the map of every entry', () => {
    const rand = mulberry32(3);
    for (const [n, perNode, dense] of [
      [1, 0, 0],
      [7, 2, 0],
      [200, 3, 0],
      [300, 4, 2], // two rows coupled to all: columns longer than the insertion sort's limit
    ] as const) {
      const a = randomPattern(n, perNode, dense, rand);
      const perm = randomPermutation(n, rand);
      const iperm = new Int32Array(n);
      for (let k = 0; k < n; k++) iperm[perm[k]!] = k;
      const { pattern: c, map } = permuteSymmetric(a, perm);
      // reference: every entry of A, relabelled, as a set of "row,col" keys of the upper triangle
      const want = new Set<string>();
      for (let j = 0; j < n; j++)
        for (let q = a.colPtr[j]!; q < a.colPtr[j + 1]!; q++) {
          const pi = iperm[a.rowIdx[q]!]!;
          const pj = iperm[j]!;
          const key = `${Math.min(pi, pj)},${Math.max(pi, pj)}`;
          want.add(key);
          // the map sends entry q to the slot holding its relabelled position
          const s = map[q]!;
          let col = 0;
          while (c.colPtr[col + 1]! <= s) col++;
          expect(`${c.rowIdx[s]},${col}`).toBe(key);
        }
      expect(c.colPtr[n]).toBe(want.size);
      for (let k = 0; k < n; k++) {
        const lo = c.colPtr[k]!;
        const hi = c.colPtr[k + 1]!;
        expect(c.rowIdx[hi - 1]).toBe(k); // diagonal last
        for (let s = lo + 1; s < hi; s++) expect(c.rowIdx[s]!).toBeGreaterThan(c.rowIdx[s - 1]!);
        for (let s = lo; s < hi; s++) expect(want.has(`${c.rowIdx[s]},${k}`)).toBe(true);
      }
    }
  });
});

describe('permutedColumnCounts: the tree', () => {
  it('is the elimination tree of the permuted pattern, found without forming it', () => {
    const rand = mulberry32(11);
    for (const [n, perNode, dense] of RANDOM_CASES) {
      const a = randomPattern(n, perNode, dense, rand);
      const perm = randomPermutation(n, rand);
      const c = permuteSymmetric(a, perm).pattern;
      const want = eliminationTree(c);
      const both = permutedColumnCounts(a, perm);
      expect(Array.from(both.parent)).toEqual(Array.from(want));
      expect(Array.from(both.counts)).toEqual(Array.from(columnCounts(c, want)));
    }
  });

  it('matches the definition parent(j) = min{ i > j : l_ij ≠ 0 } on a small dense-elimination check', () => {
    // symbolic elimination on a boolean matrix: the first off-diagonal row of each column of L
    const rand = mulberry32(5);
    const n = 40;
    const a = randomPattern(n, 2, 0, rand);
    const perm = randomPermutation(n, rand);
    const iperm = new Int32Array(n);
    for (let k = 0; k < n; k++) iperm[perm[k]!] = k;
    const m = Array.from({ length: n }, () => new Uint8Array(n));
    for (let j = 0; j < n; j++)
      for (let q = a.colPtr[j]!; q < a.colPtr[j + 1]!; q++) {
        const pi = iperm[a.rowIdx[q]!]!;
        const pj = iperm[j]!;
        m[pi]![pj] = 1;
        m[pj]![pi] = 1;
      }
    const parent: number[] = [];
    for (let k = 0; k < n; k++) {
      const below: number[] = [];
      for (let i = k + 1; i < n; i++) if (m[i]![k]) below.push(i);
      for (const i of below) for (const r of below) m[i]![r] = 1; // fill: the clique of k's neighbours
      parent.push(below.length ? below[0]! : -1);
    }
    expect(Array.from(permutedColumnCounts(a, perm).parent)).toEqual(parent);
    // and the column counts are the filled matrix's off-diagonal entries below the diagonal
    const counts = Array.from({ length: n }, (_, k) => {
      let c = 0;
      for (let i = k + 1; i < n; i++) c += m[i]![k]!;
      return c;
    });
    expect(Array.from(permutedColumnCounts(a, perm).counts)).toEqual(counts);
  });
});

describe('permutedFactorFlops', () => {
  it('is Σ|L_{*j}|² of the permuted pattern, or stops with a partial sum once it reaches the bound', () => {
    // Reference: the column counts of P A Pᵀ formed explicitly (permuteSymmetric, eliminationTree,
    // columnCounts), squared and summed.
    const rand = mulberry32(23);
    for (const [n, perNode, dense] of RANDOM_CASES) {
      const a = randomPattern(n, perNode, dense, rand);
      const perm = randomPermutation(n, rand);
      const c = permuteSymmetric(a, perm).pattern;
      const cc = columnCounts(c, eliminationTree(c));
      let want = 0;
      for (const x of cc) want += x * x;
      expect(permutedFactorFlops(a, perm, Infinity)).toEqual({ flops: want, complete: true });
      // a bound just above the total: counted in full
      expect(permutedFactorFlops(a, perm, want + 1)).toEqual({ flops: want, complete: true });
      if (want >= 4) {
        // a bound at half the total: stops at a partial sum in [bound, total]
        const half = permutedFactorFlops(a, perm, want / 2);
        expect(half.flops).toBeGreaterThanOrEqual(want / 2);
        expect(half.flops).toBeLessThanOrEqual(want);
        // on the dense-row pattern the last columns carry most of the fill: it stops before the end
        if (dense) expect(half.complete).toBe(false);
      }
    }
  });
});

describe('permutedEntries', () => {
  it('holds the entries of permuteSymmetric column by column, unsorted, each with its entry of A', () => {
    const rand = mulberry32(31);
    for (const [n, perNode, dense] of RANDOM_CASES) {
      const a = randomPattern(n, perNode, dense, rand);
      const perm = randomPermutation(n, rand);
      const { pattern: c, map } = permuteSymmetric(a, perm);
      const e = permutedEntries(a, perm);
      expect(Array.from(e.colPtr)).toEqual(Array.from(c.colPtr));
      for (let k = 0; k < n; k++) {
        const lo = c.colPtr[k]!;
        const hi = c.colPtr[k + 1]!;
        expect(Array.from(e.rowIdx.subarray(lo, hi)).sort((x, y) => x - y)).toEqual(
          Array.from(c.rowIdx.subarray(lo, hi)),
        );
        // the entry of A in each slot lands, in the sorted C, in this column at the same row
        for (let s = lo; s < hi; s++) {
          const slot = map[e.src[s]!]!;
          expect(slot >= lo && slot < hi && c.rowIdx[slot] === e.rowIdx[s]).toBe(true);
        }
      }
      // every entry of A appears once
      expect(Array.from(e.src).sort((x, y) => x - y)).toEqual(Array.from({ length: a.colPtr[n]! }, (_, q) => q));
    }
  });
});
