import { describe, expect, it } from 'vitest';
import { type SymmetricPattern, patternFromTriplets } from './csc';
import { amdOrder } from './amd';
import { LdlSolver } from './ldl';
import { randomPermutation } from '../testing/sparse/permutation';

/** Pattern of a graph given by its edges (the diagonal is added by patternFromTriplets). */
function graphPattern(n: number, edges: [number, number][]): SymmetricPattern {
  const rows = Int32Array.from(edges.map((e) => e[0]));
  const cols = Int32Array.from(edges.map((e) => e[1]));
  return patternFromTriplets(n, rows, cols).pattern;
}

function isPermutation(p: Int32Array, n: number): boolean {
  if (p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of p) {
    if (i < 0 || i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

/** Seeded PRNG written here, independent of the code under test (xorshift32). */
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

function grid(k: number): SymmetricPattern {
  const edges: [number, number][] = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      if (j + 1 < k) edges.push([i * k + j, i * k + j + 1]);
      if (i + 1 < k) edges.push([i * k + j, (i + 1) * k + j]);
    }
  return graphPattern(k * k, edges);
}

describe('amdOrder', () => {
  it('returns a valid permutation for grids, empty rows and a single node', () => {
    for (const k of [1, 2, 5, 17]) expect(isPermutation(amdOrder(grid(k)), k * k)).toBe(true);
    const withIsolated = graphPattern(6, [
      [0, 3],
      [3, 5],
    ]);
    expect(isPermutation(amdOrder(withIsolated), 6)).toBe(true);
    expect(amdOrder(graphPattern(0, [])).length).toBe(0);
  });

  it('orders an arrow matrix hub-last: nnz(L) = n − 1 instead of n(n−1)/2', () => {
    // Hub 0 joined to every other node. Natural order eliminates the hub first and fills the
    // whole matrix: nnz(L) = n(n−1)/2. Eliminating the leaves first gives no fill: n − 1.
    const n = 60;
    const edges: [number, number][] = [];
    for (let i = 1; i < n; i++) edges.push([0, i]);
    const p = graphPattern(n, edges);
    expect(new LdlSolver(p, { ordering: 'natural' }).nnzL).toBe((n * (n - 1)) / 2);
    for (const denseAlpha of [10, -1]) {
      const perm = amdOrder(p, { denseAlpha });
      expect(isPermutation(perm, n)).toBe(true);
      expect(perm[n - 1]).toBe(0);
      expect(new LdlSolver(p, { ordering: perm }).nnzL).toBe(n - 1);
    }
  });

  it('finds a fill-free order for a randomly labelled tree (nnz(L) = n − 1)', () => {
    // Every tree has a perfect elimination order (leaves first); minimum degree finds one.
    const rand = xorshift(12345);
    const n = 500;
    const label = randomPermutation(n, rand);
    const edges: [number, number][] = [];
    for (let i = 1; i < n; i++) edges.push([label[i], label[Math.floor(rand() * i)]]);
    const p = graphPattern(n, edges);
    expect(new LdlSolver(p, { ordering: 'amd' }).nnzL).toBe(n - 1);
  });

  it('gives much less fill than natural order on a 2-D grid', () => {
    // k×k 5-point grid: natural (banded) order fills the band, nnz(L) ≈ k³; minimum-degree
    // orderings are O(k² log k). For k = 30: natural 26 129, AMD must be under half.
    const k = 30;
    const p = grid(k);
    const natural = new LdlSolver(p, { ordering: 'natural' }).nnzL;
    const amd = new LdlSolver(p, { ordering: 'amd' }).nnzL;
    // Band fill by hand: each of the k² columns holds up to k subdiagonal entries.
    expect(natural).toBeGreaterThan(k * k * (k - 1) * 0.95);
    expect(amd).toBeLessThan(natural / 2);
  });

  it('handles a dense row: ordered last, valid permutation', () => {
    // 400 nodes on a path plus node 0 joined to all: degree 399 > 10√400 = 200 → dense.
    const n = 400;
    const edges: [number, number][] = [];
    for (let i = 1; i + 1 < n; i++) edges.push([i, i + 1]);
    for (let i = 1; i < n; i++) edges.push([0, i]);
    const perm = amdOrder(graphPattern(n, edges));
    expect(isPermutation(perm, n)).toBe(true);
    expect(perm[n - 1]).toBe(0);
    // Path + hub last: L has the path edges plus the hub row, nnz(L) = (n − 2) + (n − 1).
    expect(new LdlSolver(graphPattern(n, edges), { ordering: perm }).nnzL).toBe(2 * n - 3);
  });

  it('a full dense matrix (every row above the dense threshold): valid permutation, nnz(L) = n(n−1)/2', () => {
    const n = 40;
    const edges: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
    const p = graphPattern(n, edges);
    const perm = amdOrder(p);
    expect(isPermutation(perm, n)).toBe(true);
    expect(new LdlSolver(p, { ordering: perm }).nnzL).toBe((n * (n - 1)) / 2);
    // With dense-row removal disabled the quotient-graph path handles the clique itself.
    const perm2 = amdOrder(p, { denseAlpha: -1 });
    expect(isPermutation(perm2, n)).toBe(true);
  });

  it('fill is close to exact minimum degree (dense elimination-graph reference written here)', () => {
    // Exact minimum degree: eliminate a node of least current degree, connect its neighbours.
    // nnz(L) of that order is the number of edges seen at elimination. AMD uses an upper bound
    // on the degree and should land close (ADD 1996 report fill comparable to exact MD).
    const exactMdFill = (n: number, edges: [number, number][]): number => {
      const adj = Array.from({ length: n }, () => new Set<number>());
      for (const [a, b] of edges) {
        if (a === b) continue;
        adj[a].add(b);
        adj[b].add(a);
      }
      const alive = new Uint8Array(n).fill(1);
      let fill = 0;
      for (let step = 0; step < n; step++) {
        let best = -1;
        for (let v = 0; v < n; v++) if (alive[v] && (best === -1 || adj[v].size < adj[best].size)) best = v;
        const nb = [...adj[best]];
        fill += nb.length;
        for (const a of nb) {
          adj[a].delete(best);
          for (const b of nb) if (a !== b) adj[a].add(b);
        }
        alive[best] = 0;
      }
      return fill;
    };
    const rand = xorshift(4242);
    const ratios: number[] = [];
    for (let trial = 0; trial < 8; trial++) {
      const n = 120 + Math.floor(rand() * 80);
      const edges: [number, number][] = [];
      for (let e = 0; e < 2 * n; e++) edges.push([Math.floor(rand() * n), Math.floor(rand() * n)]);
      const amd = new LdlSolver(graphPattern(n, edges), { ordering: 'amd' }).nnzL;
      ratios.push(amd / exactMdFill(n, edges));
    }
    const k = 12;
    const gridEdges: [number, number][] = [];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        if (j + 1 < k) gridEdges.push([i * k + j, i * k + j + 1]);
        if (i + 1 < k) gridEdges.push([i * k + j, (i + 1) * k + j]);
      }
    ratios.push(new LdlSolver(grid(k), { ordering: 'amd' }).nnzL / exactMdFill(k * k, gridEdges));
    for (const r of ratios) expect(r).toBeLessThan(1.15);
    expect(ratios.reduce((a, b) => a + b) / ratios.length).toBeLessThan(1.05);
  });

  it('survives garbage collection on a graph with many cliques (random graph, valid permutation)', () => {
    const rand = xorshift(99);
    const n = 300;
    const edges: [number, number][] = [];
    for (let e = 0; e < 3000; e++) {
      const i = Math.floor(rand() * n);
      const j = Math.floor(rand() * n);
      if (i !== j) edges.push([i, j]);
    }
    const p = graphPattern(n, edges);
    const perm = amdOrder(p);
    expect(isPermutation(perm, n)).toBe(true);
    expect(new LdlSolver(p, { ordering: perm }).nnzL).toBeLessThan(new LdlSolver(p, { ordering: 'natural' }).nnzL);
  });
});
