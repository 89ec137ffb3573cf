/**
 * The WebAssembly kernel's update schedule (supernodal.ts fillUpdateSchedule) against the
 * supernodal structure read directly: every supernode d updates exactly the supernodes that hold
 * its rows below its own columns, once each, from its first row there (p0) with the number of its
 * rows inside that supernode's columns (m1); the rel entries are the positions of d's rows p0.. in
 * the target's row list. On OPF-like KKT matrices under AMD and the KKT-aware ordering.
 */
import { describe, expect, it } from 'vitest';
import { amdOrder } from './amd';
import { columnCounts, eliminationTree, factorStructure, permuteSymmetric, postorder } from './symbolic';
import { fillUpdateSchedule, supernodalStructure, updateScheduleSize } from './supernodal';
import { opfLikeKkt } from '../testing/sparse/testmatrices';
import { kktAmdOrder } from '../testing/sparse/kktorder';

function structureOf(ordering: 'amd' | 'kkt', buses: number, periods: number) {
  return analysisOf(ordering, buses, periods).sn;
}

function analysisOf(ordering: 'amd' | 'kkt', buses: number, periods: number) {
  const kkt = opfLikeKkt({ buses, periods, seed: 5, deltaC: ordering === 'kkt' ? 0 : 1e-8 });
  const order = ordering === 'amd' ? amdOrder(kkt.pattern) : kktAmdOrder(kkt.pattern, kkt.nVar, kkt.values).perm;
  const tree = eliminationTree(permuteSymmetric(kkt.pattern, order).pattern);
  const post = postorder(tree);
  const perm = Int32Array.from(post, (p) => order[p]);
  const c = permuteSymmetric(kkt.pattern, perm).pattern;
  const parent = eliminationTree(c);
  return { c, parent, sn: supernodalStructure(c, parent, columnCounts(c, parent)) };
}

describe('supernodalStructure', () => {
  it.each([
    ['amd', 60, 12],
    ['kkt', 60, 12],
  ] as const)(
    'rows of every supernode = its columns, then the structure of L below its last column: %s, %i buses × %i periods',
    (ord, b, t) => {
      // Reference: the exact column structure of L (symbolic.ts factorStructure, rows of each
      // column by row-subtree traversal, no supernodes); the relaxed supernodes must hold all of
      // every member column's rows, i.e. those of the last column.
      const { c, parent, sn } = analysisOf(ord, b, t);
      const L = factorStructure(c, parent);
      let merged = 0;
      for (let s = 0; s < sn.nsuper; s++) {
        const f = sn.superStart[s];
        const l = sn.superStart[s + 1] - 1;
        const rows = Array.from(sn.rowIdx.subarray(sn.rowPtr[s], sn.rowPtr[s + 1]));
        const want: number[] = [];
        for (let k = f; k <= l; k++) want.push(k);
        want.push(...L.Li.subarray(L.Lp[l], L.Lp[l + 1]));
        expect(rows).toEqual(want);
        for (let j = f; j <= l; j++)
          for (const i of L.Li.subarray(L.Lp[j], L.Lp[j + 1])) expect(rows.includes(i)).toBe(true);
        if (l > f) merged++;
      }
      expect(merged).toBeGreaterThan(0);
    },
  );
});

describe('update schedule', () => {
  it.each([
    ['amd', 60, 12],
    ['kkt', 60, 12],
    ['amd', 150, 24],
  ] as const)('lists every (descendant, target) update once, with its rows: %s, %i buses × %i periods', (ord, b, t) => {
    const sn = structureOf(ord, b, t);
    const { nsuper, superStart: ss, rowPtr: rp, rowIdx: ri, colSuper } = sn;
    const size = updateScheduleSize(sn);
    const sched = {
      pairStart: new Int32Array(nsuper + 1),
      pairDesc: new Int32Array(size.pairs),
      pairP0: new Int32Array(size.pairs),
      pairM1: new Int32Array(size.pairs),
      rel: new Uint16Array(size.rel),
    };
    fillUpdateSchedule(sn, sched);
    // expected, from the rows of each supernode: target → [p0, m1]
    const expected = new Map<string, [number, number]>();
    let relTotal = 0;
    for (let d = 0; d < nsuper; d++) {
      const nc = ss[d + 1] - ss[d];
      const nr = rp[d + 1] - rp[d];
      for (let p = nc; p < nr; p++) {
        const s = colSuper[ri[rp[d] + p]];
        const key = `${s}:${d}`;
        const e = expected.get(key);
        if (e) e[1]++;
        else {
          expected.set(key, [p, 1]);
          relTotal += nr - p;
        }
      }
    }
    expect(size.pairs).toBe(expected.size);
    expect(size.rel).toBe(relTotal);
    expect(sched.pairStart[nsuper]).toBe(size.pairs);
    let r = 0;
    let wrongUpdates = 0;
    let wrongRel = 0;
    const seen = new Set<string>();
    for (let s = 0; s < nsuper; s++) {
      for (let k = sched.pairStart[s]; k < sched.pairStart[s + 1]; k++) {
        const d = sched.pairDesc[k];
        const key = `${s}:${d}`;
        const e = expected.get(key);
        if (seen.has(key) || !e || e[0] !== sched.pairP0[k] || e[1] !== sched.pairM1[k]) wrongUpdates++;
        seen.add(key);
        // rel: where d's rows p0.. sit in s's rows
        const rows = Array.from(ri.subarray(rp[s], rp[s + 1]));
        for (let p = sched.pairP0[k]; p < rp[d + 1] - rp[d]; p++)
          if (sched.rel[r++] !== rows.indexOf(ri[rp[d] + p])) wrongRel++;
      }
    }
    expect(wrongUpdates).toBe(0);
    expect(wrongRel).toBe(0);
    expect(r).toBe(size.rel);
    expect(seen.size).toBe(expected.size);
  });
});
