/**
 * The two-thread split of the supernodal elimination tree: every supernode in exactly one place,
 * each thread's ranges closed under descendants (whole subtrees), the top closed under ancestors
 * (so it can follow both threads), and a balanced split where the tree allows one.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import {
  partitionSupernodes,
  pipelineCouldWin,
  pipelineSchedule,
  PIPELINE_GAIN,
  supernodeParents,
  type PartitionInput,
} from './partition';

/**
 * A random forest of `n` one-column supernodes in postorder; each supernode's rows are its own
 * column, then its ancestors up to `depth` (the structure partition.ts reads: the first row below
 * the diagonal block names the parent).
 */
function randomForest(n: number, seed: number, roots: number, depth = 3): PartitionInput {
  const rand = mulberry32(seed);
  // parent links in creation order (node 0..roots-1 are roots), then a postorder numbering
  const parentOf = new Int32Array(n).fill(-1);
  for (let v = roots; v < n; v++) parentOf[v] = Math.floor(rand() * v);
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let v = roots; v < n; v++) children[parentOf[v]].push(v);
  const order: number[] = [];
  const stack: [number, number][] = [];
  for (let r = 0; r < roots; r++) {
    stack.push([r, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top[1] < children[top[0]].length) stack.push([children[top[0]][top[1]++], 0]);
      else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  const label = new Int32Array(n);
  order.forEach((v, k) => (label[v] = k));
  const parent = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) if (parentOf[v] >= 0) parent[label[v]] = label[parentOf[v]];
  const rowPtr = new Int32Array(n + 1);
  const rows: number[] = [];
  for (let s = 0; s < n; s++) {
    rows.push(s);
    for (let a = parent[s], k = 0; a >= 0 && k < depth; a = parent[a], k++) rows.push(a);
    rowPtr[s + 1] = rows.length;
  }
  return {
    nsuper: n,
    superStart: Int32Array.from({ length: n + 1 }, (_, i) => i),
    rowPtr,
    rowIdx: Int32Array.from(rows),
    colSuper: Int32Array.from({ length: n }, (_, i) => i),
  };
}

describe('two-thread split of the supernodal tree', () => {
  it.each([
    { n: 2000, seed: 1, roots: 1 },
    { n: 5000, seed: 2, roots: 7 },
    { n: 300, seed: 3, roots: 1 },
  ])('places every supernode once, threads own whole subtrees, the top their ancestors: n = $n', (o) => {
    const sn = randomForest(o.n, o.seed, o.roots);
    const parent = supernodeParents(sn);
    const p = partitionSupernodes(sn);
    const where = new Int32Array(o.n).fill(-2); // -1 top, 0/1 thread
    const mark = (ranges: readonly (readonly [number, number])[], v: number): void => {
      let last = -1;
      for (const [a, b] of ranges) {
        expect(a).toBeGreaterThanOrEqual(last); // increasing, disjoint
        expect(b).toBeGreaterThan(a);
        last = b;
        for (let s = a; s < b; s++) {
          expect(where[s]).toBe(-2); // not placed twice
          where[s] = v;
        }
      }
    };
    mark(p.top, -1);
    mark(p.threads[0], 0);
    mark(p.threads[1], 1);
    for (let s = 0; s < o.n; s++) {
      expect(where[s]).not.toBe(-2); // placed
      const q = parent[s];
      if (q < 0) continue;
      // a thread's supernode has its parent in the same thread or in the top; a top supernode's
      // parent is in the top
      if (where[s] === -1) expect(where[q]).toBe(-1);
      else expect([where[s], -1]).toContain(where[q]);
    }
    expect(p.work.threads[0] + p.work.threads[1] + p.work.top).toBeCloseTo(p.work.total, 6);
    expect(p.speedup).toBeGreaterThan(1.3); // random trees are bushy: a good split exists
  });

  it.each([
    { n: 3000, seed: 4, roots: 1 },
    { n: 4000, seed: 5, roots: 3 },
  ])('pipelined: every supernode once, each after all its descendants: n = $n', (o) => {
    const sn = randomForest(o.n, o.seed, o.roots);
    const parent = supernodeParents(sn);
    const p = pipelineSchedule(sn);
    if (!p) throw new Error('no pipelined schedule');
    expect(p.speedup).toBeGreaterThan(1.3);
    // when each supernode is done: helper ranges in order (h = index), main steps wait for `need`
    const doneBy = new Int32Array(o.n).fill(-1); // helper: its range's index; main: −2
    const placed = new Uint8Array(o.n);
    p.helper.forEach(([a, b], k) => {
      for (let s = a; s < b; s++) {
        expect(placed[s]).toBe(0);
        placed[s] = 1;
        doneBy[s] = k;
      }
    });
    const mainDone = new Uint8Array(o.n);
    let lastNeed = 0;
    for (const [a, b, need] of p.main) {
      if (need >= 0) {
        expect(need).toBeGreaterThanOrEqual(lastNeed); // the helper only moves forward
        lastNeed = need;
      }
      for (let s = a; s < b; s++) {
        expect(placed[s]).toBe(0);
        placed[s] = 1;
        // every child of s is done: by this thread before, or by the helper within `need` (for a
        // subtree step, its children are inside the same range)
        for (let c = 0; c < o.n; c++) {
          if (parent[c] !== s) continue;
          if (c >= a && c < b) continue;
          const ok = mainDone[c] === 1 || (doneBy[c] >= 0 && doneBy[c] < need);
          expect(ok).toBe(true);
        }
        mainDone[s] = 1;
      }
    }
    expect(placed.every((x) => x === 1)).toBe(true);
  });

  it("an overlapped schedule never beats two threads' bound, so where the plain split is near it the search can be skipped", () => {
    // 'auto' (wasmKernel.ts) takes the overlapped schedule only when PIPELINE_GAIN × better than
    // the plain split, and does not search it where pipelineCouldWin says it cannot be
    let skipped = 0;
    let searched = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const sn = randomForest(300 + 150 * seed, seed, 1 + (seed % 5), 1 + (seed % 4));
      const plain = partitionSupernodes(sn);
      const piped = pipelineSchedule(sn);
      expect(piped?.speedup ?? 0).toBeLessThanOrEqual(2 + 1e-12);
      if (pipelineCouldWin(plain.speedup)) searched++;
      else {
        skipped++;
        expect(piped === null || !(piped.speedup > PIPELINE_GAIN * plain.speedup)).toBe(true);
      }
    }
    // both cases met (the forests are bushy: most splits come near 2)
    expect(skipped).toBeGreaterThan(0);
    expect(searched).toBeGreaterThan(0);
  });

  it('keeps a chain (no two independent subtrees) in the top: speed-up 1', () => {
    const n = 50;
    const sn: PartitionInput = {
      nsuper: n,
      superStart: Int32Array.from({ length: n + 1 }, (_, i) => i),
      rowPtr: Int32Array.from({ length: n + 1 }, (_, i) => Math.min(2 * i, 2 * n - 1)),
      rowIdx: Int32Array.from({ length: 2 * n - 1 }, (_, k) => (k >> 1) + (k & 1)),
      colSuper: Int32Array.from({ length: n }, (_, i) => i),
    };
    const p = partitionSupernodes(sn);
    expect(p.speedup).toBeCloseTo(1, 6);
  });

  it('refuses a numbering that is not a postorder', () => {
    const sn: PartitionInput = {
      nsuper: 2,
      superStart: Int32Array.from([0, 1, 2]),
      rowPtr: Int32Array.from([0, 1, 3]),
      rowIdx: Int32Array.from([0, 1, 0]),
      colSuper: Int32Array.from([0, 1]),
    };
    expect(() => partitionSupernodes(sn)).toThrow(/supernode 1's parent 0 is not after it/);
  });
});
