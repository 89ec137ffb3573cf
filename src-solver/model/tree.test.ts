import { describe, expect, it } from 'vitest';
import { rootTree } from '../enapp/partition';
import type { Feeder } from './feeder';
import { compileRadialNetwork, PowerFlowInputError } from '../pf/network';
import { describeTreeProblem, orientFeeder, radialTree } from './tree';

/** Hand-drawn: 1 ─ 2 ─ 3 ─ 4 and 2 ─ 5 ─ 6 (substation 1), plus the extra branches given. */
function feeder(extra: [string, string][] = [], buses = ['1', '2', '3', '4', '5', '6'], substation = '1'): Feeder {
  const edges: [string, string][] = [['1', '2'], ['2', '3'], ['3', '4'], ['2', '5'], ['5', '6'], ...extra];
  return {
    name: 't',
    baseKva: 1000,
    substation: { bus: substation, vSetPu: 1 },
    buses: buses.map((name) => ({ name, vBaseKv: 2.4 })),
    branches: edges.map(([from, to], i) => ({ name: `l${i}`, from, to, rOhm: 0.1, xOhm: 0.1, kind: 'line' as const })),
    loads: [],
    capacitors: [],
    pv: [],
    batteries: [],
    shapes: [],
  };
}

const named = (o: ReturnType<typeof orientFeeder>, xs: ArrayLike<number>) =>
  Array.from(xs, (i) => (i < 0 ? null : o.names[i]));

describe('orientFeeder (the tolerant core)', () => {
  it('orients a tree from the substation: parents, depths, breadth-first order, children in branch order', () => {
    const o = orientFeeder(feeder());
    expect(named(o, o.parent)).toEqual([null, '1', '2', '3', '2', '5']);
    expect(Array.from(o.depth)).toEqual([0, 1, 2, 3, 2, 3]);
    expect(named(o, o.order)).toEqual(['1', '2', '3', '5', '4', '6']);
    expect(o.children.map((c) => named(o, c))).toEqual([['2'], ['3', '5'], ['4'], [], ['6'], []]);
    expect(Array.from(o.parentBranch)).toEqual([-1, 0, 1, 2, 3, 4]);
    expect([o.loops, o.unreachable, o.unknownEnds, o.substationFound]).toEqual([[], [], [], true]);
  });

  it('roots at the substation wherever it is', () => {
    const o = orientFeeder(feeder([], undefined, '4'));
    expect(named(o, o.order)).toEqual(['4', '3', '2', '1', '5', '6']);
    expect(o.parent[o.index.get('2')!]).toBe(o.index.get('3'));
  });

  it('reports instead of failing: a loop, an island, an unknown bus, a missing substation', () => {
    const o = orientFeeder(
      feeder(
        [
          ['4', '6'],
          ['7', '8'],
          ['6', 'nowhere'],
        ],
        ['1', '2', '3', '4', '5', '6', '7', '8'],
      ),
    );
    // 7–8 is not in the tree either, but it joins two unreached buses: an island's branch, not a loop
    expect(o.loops).toEqual(['4–6']);
    expect(o.islandLoops).toEqual([]);
    expect(o.unreachable).toEqual(['7', '8']);
    expect(o.unknownEnds).toEqual([7]);
    expect(Array.from(o.depth.slice(6))).toEqual([-1, -1]);
    const lost = orientFeeder(feeder([], undefined, 'x'));
    expect([lost.substationFound, lost.root]).toEqual([false, 0]);
  });
});

describe('rootTree (the strict wrapper for the ENApp partition)', () => {
  it('gives the same parents and children as the core, and a depth-first preorder', () => {
    const f = feeder();
    const o = orientFeeder(f);
    const r = rootTree(f);
    if (!('tree' in r)) throw new Error(r.error);
    expect(Array.from(r.tree.parent)).toEqual(Array.from(o.parent));
    expect(r.tree.children).toEqual(o.children);
    expect(named(o, r.tree.preorder)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it.each([
    [feeder([], undefined, 'x'), 'the substation bus x is not a bus of the feeder'],
    [feeder([['6', 'nowhere']]), 'branch l5 joins an unknown bus (nowhere)'],
    [feeder([['4', '6']]), 'the feeder is not radial: 6 branches for 6 buses (a tree has 5)'],
    [
      feeder([['4', '6']], ['1', '2', '3', '4', '5', '6', '7']),
      'the feeder is not connected: 7 cannot be reached from the substation',
    ],
  ])('refuses what is not a connected tree (%#)', (f, message) => {
    expect(rootTree(f)).toEqual({ error: message });
  });
});

describe('loops and islands (what validation and the strict wrapper report)', () => {
  const branchNames = (f: Feeder, ks: readonly number[]) => ks.map((k) => f.branches[k].name);

  it('names each loop by the branch closing it (feeder order) after the path between its ends', () => {
    // l5 = 4–6 closes 4 ─ 3 ─ 2 ─ 5 ─ 6; 7–8 is an island branch, not a loop.
    const f = feeder(
      [
        ['4', '6'],
        ['7', '8'],
      ],
      ['1', '2', '3', '4', '5', '6', '7', '8'],
    );
    const o = orientFeeder(f);
    expect(o.cycles.map((c) => branchNames(f, [...c.path, c.branch]))).toEqual([['l2', 'l1', 'l3', 'l4', 'l5']]);
    expect(o.islands.map((i) => named(o, i))).toEqual([['7', '8']]);
  });

  it('finds a loop inside an island and groups island buses by island', () => {
    const f = feeder(
      [
        ['7', '8'],
        ['8', '9'],
        ['9', '7'],
      ],
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
    );
    const o = orientFeeder(f);
    expect(o.cycles.map((c) => branchNames(f, [...c.path, c.branch]))).toEqual([['l6', 'l5', 'l7']]);
    expect(o.islands.map((i) => named(o, i))).toEqual([['7', '8', '9'], ['10']]);
    // the island's loop is not the connected feeder's: `loops` (meshed) stays empty
    expect([o.loops, o.islandLoops]).toEqual([[], ['9–7']]);
  });

  it('the strict wrapper refuses a meshed feeder naming the loop, and the power flow says the same', () => {
    const f = feeder([['4', '6']]);
    const r = radialTree(f);
    if ('tree' in r) throw new Error('a meshed feeder was accepted');
    expect(r.problem.kind).toBe('meshed');
    expect(describeTreeProblem(r)).toBe(
      'the feeder is not radial: 6 branches for 6 buses (a tree has 5); branches l2, l1, l3, l4, l5 form a loop',
    );
    expect(() => compileRadialNetwork(f)).toThrow(PowerFlowInputError);
    expect(() => compileRadialNetwork(f)).toThrow('branches l2, l1, l3, l4, l5 form a loop');
  });

  it('the strict wrapper calls a feeder whose island has loops disconnected, not meshed, however many branches it has', () => {
    // 9 branches for 9 buses, but the substation's part is a tree: the extra branches are the island's.
    const f = feeder(
      [
        ['7', '8'],
        ['8', '9'],
        ['9', '7'],
        ['7', '9'],
      ],
      ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    const r = radialTree(f);
    if ('tree' in r) throw new Error('a disconnected feeder was accepted');
    expect(r.problem.kind).toBe('disconnected');
    expect(describeTreeProblem(r)).toBe(
      'the feeder is not connected: 7, 8, 9 cannot be reached from the substation; branches l6, l5, l7 form a loop; branches l5, l6, l8 form a loop',
    );
  });

  it('the strict wrapper calls a feeder with too few branches disconnected, naming the buses', () => {
    const f = feeder([], ['1', '2', '3', '4', '5', '6', '7', '8']);
    const r = radialTree(f);
    if ('tree' in r) throw new Error('a disconnected feeder was accepted');
    expect(r.problem).toEqual({ kind: 'disconnected', unreachable: ['7', '8'], loops: [] });
    expect(() => compileRadialNetwork(f)).toThrow('7, 8 cannot be reached from the substation');
  });
});
