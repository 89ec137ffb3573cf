import { describe, expect, it } from 'vitest';
import type { Feeder } from '../src-solver/model/feeder';
import { checkPartition } from '../src-solver/enapp/partition';
import { areasFromCuts, buildTree, cutsForSelection, toggleCut, topologyProblems, treeLayout } from './topology';

/** 1 ─ 2 ─ 3 ─ 4 and 2 ─ 5 ─ 6 (substation 1), hand-drawn. */
function feeder(extra: [string, string][] = [], moreBuses: string[] = []): Feeder {
  const edges: [string, string][] = [['1', '2'], ['2', '3'], ['3', '4'], ['2', '5'], ['5', '6'], ...extra];
  const names = ['1', '2', '3', '4', '5', '6', ...moreBuses];
  return {
    name: 't',
    baseKva: 1000,
    substation: { bus: '1', vSetPu: 1 },
    buses: names.map((name) => ({ name, vBaseKv: 2.4 })),
    branches: edges.map(([from, to], i) => ({ name: `l${i}`, from, to, rOhm: 0.1, xOhm: 0.1, kind: 'line' as const })),
    loads: [],
    capacitors: [],
    pv: [],
    batteries: [],
    shapes: [],
  };
}

describe('buildTree', () => {
  it('orients from the substation and finds loops', () => {
    const t = buildTree(feeder());
    expect(t.names[t.parent[t.index.get('4')!]]).toBe('3');
    expect(t.depth[t.index.get('6')!]).toBe(3);
    expect(t.loops).toEqual([]);
    expect(buildTree(feeder([['4', '6']])).loops).toEqual(['4–6']);
  });
});

describe('topologyProblems (the import wizard and the Areas view)', () => {
  const meshedMessage =
    'The network is meshed: branch 4–6 closes a loop. Tessera needs a radial feeder; open a switch or remove the tie.';

  it('a meshed feeder: the branch closing the loop, nothing disconnected', () => {
    const t = buildTree(feeder([['4', '6']]));
    expect([t.loops, t.islandLoops]).toEqual([['4–6'], []]);
    expect(topologyProblems(t)).toEqual([meshedMessage]);
    expect(areasFromCuts(t, []).errors).toEqual([meshedMessage]);
  });

  it('a disconnected feeder whose island is a tree: disconnected, not meshed', () => {
    const t = buildTree(feeder([['7', '8']], ['7', '8']));
    expect([t.loops, t.islandLoops]).toEqual([[], []]);
    const said = ['2 buses are not connected to the substation: 7, 8.'];
    expect(topologyProblems(t)).toEqual(said);
    expect(areasFromCuts(t, []).errors).toEqual(said);
  });

  it('a disconnected feeder with a loop inside its island: disconnected, and the loop named as the island’s', () => {
    const t = buildTree(
      feeder(
        [
          ['7', '8'],
          ['8', '9'],
          ['9', '7'],
          ['9', '9'],
        ],
        ['7', '8', '9'],
      ),
    );
    expect([t.loops, t.islandLoops]).toEqual([[], ['9–7', '9–9']]);
    expect(topologyProblems(t)).toEqual([
      '3 buses are not connected to the substation: 7, 8, 9.',
      'Among the buses not connected, branch 9–7 closes a loop (and 1 more).',
    ]);
  });

  it('both: a loop among the reached buses and an island', () => {
    const t = buildTree(
      feeder(
        [
          ['4', '6'],
          ['7', '7'],
        ],
        ['7'],
      ),
    );
    expect(topologyProblems(t)).toEqual([
      meshedMessage,
      '1 bus is not connected to the substation: 7.',
      'Among the buses not connected, branch 7–7 closes a loop.',
    ]);
  });
});

describe('treeLayout', () => {
  it('puts leaves one slot apart, parents over their children, depth down', () => {
    const t = buildTree(feeder());
    const { x, y } = treeLayout(t, 10);
    const at = (b: string) => ({ x: x[t.index.get(b)!], y: y[t.index.get(b)!] });
    // Leaves 4 and 6 take slots 0 and 1; 3 sits over 4, 5 over 6, 2 halfway between 3 and 5.
    expect(at('4').x).toBe(0);
    expect(at('6').x).toBe(10);
    expect(at('2').x).toBe(5);
    expect(at('1').y).toBe(0);
    expect(at('4').y).toBeCloseTo(3 * 16);
  });
});

describe('areasFromCuts', () => {
  it('numbers areas from the substation and flags an area of only its boundary bus', () => {
    const t = buildTree(feeder());
    const a = areasFromCuts(t, [{ from: '2', to: '5' }]);
    expect(a.count).toBe(2);
    expect(a.areaOf[t.index.get('6')!]).toBe(2);
    expect(a.areaOf[t.index.get('4')!]).toBe(1);
    expect(a.errors).toEqual([]);
    const bad = areasFromCuts(t, [
      { from: '2', to: '5' },
      { from: '5', to: '6' },
    ]);
    expect(bad.errors.join()).toContain('only its boundary bus 5');
    expect(areasFromCuts(t, [{ from: '1', to: '4' }]).errors.join()).toContain('not a branch');
  });
});

describe('areasFromCuts and the backend agree', () => {
  it('numbers areas as partition.check does (breadth-first over the area tree, ties in feeder order)', () => {
    // 1 ─ 2 ─ 3 ─ 4 ─ 7 and 1 ─ 5 ─ 6 ─ 8: cut 3–4 roots an area at depth 3, cut 5–6 one at depth 2;
    // both areas hang off area 1, so feeder order (bus 4 before bus 6) numbers them, not bus depth.
    const edges: [string, string][] = [
      ['1', '2'],
      ['2', '3'],
      ['3', '4'],
      ['1', '5'],
      ['5', '6'],
      ['4', '7'],
      ['6', '8'],
    ];
    const f: Feeder = {
      ...feeder(),
      buses: ['1', '2', '3', '4', '5', '6', '7', '8'].map((name) => ({ name, vBaseKv: 2.4 })),
      branches: edges.map(([from, to], i) => ({
        name: `l${i}`,
        from,
        to,
        rOhm: 0.1,
        xOhm: 0.1,
        kind: 'line' as const,
      })),
    };
    const cuts = [
      { from: '5', to: '6' },
      { from: '3', to: '4' },
    ];
    const t = buildTree(f);
    const local = areasFromCuts(t, cuts);
    const backend = checkPartition(f, cuts);
    expect(backend.errors).toEqual([]);
    expect(local.errors).toEqual([]);
    expect(local.rootOf.slice(1).map((i) => t.names[i])).toEqual(['1', '4', '6']);
    expect(backend.areas.map((a) => a.rootBus)).toEqual(['1', '4', '6']);
    for (const area of backend.areas)
      for (const bus of area.buses)
        if (bus !== area.rootBus || area.id === 1) {
          const own = local.areaOf[t.index.get(bus)!];
          expect(own === area.id || backend.areas[own - 1].parentArea === area.id).toBe(true);
        }
  });
});

describe('cut editing', () => {
  it('toggles a cut oriented parent → child', () => {
    const t = buildTree(feeder());
    expect(toggleCut(t, [], '5', '2')).toEqual([{ from: '2', to: '5' }]);
    expect(toggleCut(t, [{ from: '2', to: '5' }], '5', '2')).toEqual([]);
  });
  it('makes a connected selection one area and refuses a disconnected one', () => {
    const t = buildTree(feeder());
    const r = cutsForSelection(t, [], ['3', '4']);
    expect('cuts' in r && r.cuts).toEqual([{ from: '2', to: '3' }]);
    const mid = cutsForSelection(t, [], ['2', '3']);
    expect('cuts' in mid && mid.cuts.map((c) => `${c.from}-${c.to}`).sort()).toEqual(['1-2', '2-5', '3-4']);
    expect('error' in cutsForSelection(t, [], ['4', '6'])).toBe(true);
  });
});
