/**
 * One three-phase OPF network (opf3/network.ts) cut into the networks of its ENApp areas
 * (docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase boundary values").
 *
 * Given the areas' buses (partition3.ts: a child area is rooted at its boundary bus b, which its
 * parent keeps):
 * - every element (a Y stamp — line, transformer, capacitor, shunt, anchor —, a series element,
 *   a load, a PV or battery unit, a limit row) goes to the one area its buses lie in; an element
 *   whose only buses are boundary buses goes to the area holding all of them as its own or as its
 *   root, and one at a single boundary bus (a load, a capacitor) to the parent, where b's nodes are
 *   free: so b's diagonal admittance block is split between the parent (the cut line, b's own
 *   shunts) and the child (the elements leaving b into the child);
 * - a child area's network has b's nodes as its source nodes (voltages given per period by the
 *   parent), no Norton source, and its root current I_b = Σ_j Y_bj V_j + series currents out of b;
 * - the parent keeps b's nodes as free nodes, with the child's draw as a constant in (U1).
 *
 * Node indices are renumbered per area: its free nodes in the whole network's order, then (a
 * child) b's exchanged nodes.
 */
import {
  Opf3Error,
  type ComplexTerms,
  type Opf3Battery,
  type Opf3Limits,
  type Opf3Load,
  type Opf3Network,
  type Opf3Pv,
  type Opf3Series,
  type Opf3Terminal,
} from '../opf3/network';

export interface Opf3AreaBuses {
  /** 1-based area id; area 1 holds the substation. */
  readonly id: number;
  /** The substation bus (area 1) or the boundary bus the parent keeps. */
  readonly rootBus: string;
  readonly parentArea: number | null;
  /** The buses the area owns (its root included), lower case. */
  readonly own: readonly string[];
}

export interface Opf3AreaNetwork {
  readonly id: number;
  /** The area's network, without area hooks (set per round by opf3-area.ts). */
  readonly net: Opf3Network;
  /** Whole-network free node of each of the area's free nodes. */
  readonly freeOf: Int32Array;
  /** Child area: whole-network free node of each source node (b's exchanged nodes, in order); empty for area 1. */
  readonly sourceOf: Int32Array;
  /** Parent side: per child area, its id and the area's local free nodes of that child's source nodes (same order). */
  readonly children: readonly { readonly area: number; readonly nodes: Int32Array }[];
}

/** Cut `net` (a whole feeder, Norton source, no source nodes) into its areas' networks. */
export function splitOpf3Network(net: Opf3Network, areas: readonly Opf3AreaBuses[]): Opf3AreaNetwork[] {
  if (net.nSlack !== 0)
    throw new Opf3Error(
      "splitting into areas needs a network with a Norton source (no source nodes): build it with opf3FromNetwork(…, { sourceModel: 'norton' })",
    );
  if (!net.yGroup) throw new Opf3Error('splitting into areas needs the Y triplets’ elements (yGroup)');
  const nFree = net.nFree;
  const homeOfBus = new Map<string, number>();
  const rootOf = new Map<string, number>();
  for (const a of areas) {
    for (const b of a.own) homeOfBus.set(b, a.id);
    if (a.parentArea !== null) rootOf.set(a.rootBus, a.id);
  }
  const parentOf = new Map(areas.map((a) => [a.id, a.parentArea]));
  const busOf = (i: number): string => net.nodeBus[i]!;
  for (let i = 0; i < nFree; i++) if (!homeOfBus.has(busOf(i))) throw new Opf3Error(`bus ${busOf(i)} is in no area`);
  /** The area an element on these nodes belongs to (see the file comment). */
  const areaOfNodes = (nodes: readonly number[], what: () => string): number => {
    const homes = new Set<number>();
    const boundary = new Set<string>();
    for (const i of nodes) {
      if (i < 0) continue;
      const bus = busOf(i);
      if (rootOf.has(bus)) boundary.add(bus);
      else homes.add(homeOfBus.get(bus)!);
    }
    if (homes.size > 1)
      throw new Opf3Error(`${what()} joins buses of areas ${[...homes].join(' and ')}: cut at a line, not inside it`);
    if (homes.size === 1) {
      const h = [...homes][0]!;
      for (const b of boundary)
        if (rootOf.get(b) !== h && parentOf.get(rootOf.get(b)!) !== h)
          throw new Opf3Error(`${what()} joins boundary bus ${b} to area ${h}, which is neither side of it`);
      return h;
    }
    if (boundary.size === 0) throw new Opf3Error(`${what()} has no node`);
    // Only boundary buses: the area holding each of them as its root or as a child's boundary.
    const candidates = [...boundary].map((b) => new Set([rootOf.get(b)!, parentOf.get(rootOf.get(b)!)!]));
    const common = [...candidates[0]!].filter((a) => candidates.every((c) => c.has(a)));
    if (common.length === 0)
      throw new Opf3Error(`${what()} joins boundary buses ${[...boundary].join(', ')} of no one area`);
    // A single boundary bus: the parent, where its nodes are free.
    return common.length === 1 ? common[0]! : parentOf.get(rootOf.get([...boundary][0]!)!)!;
  };

  // Y triplets by element.
  const groupArea = new Map<number, number>();
  const groupNodes = new Map<number, number[]>();
  for (let k = 0; k < net.yRow.length; k++) {
    const g = net.yGroup[k]!;
    const list = groupNodes.get(g) ?? [];
    list.push(net.yRow[k]!, net.yCol[k]!);
    groupNodes.set(g, list);
  }
  for (const [g, nodes] of groupNodes)
    groupArea.set(
      g,
      areaOfNodes(nodes, () => `the element at bus(es) ${[...new Set(nodes.map(busOf))].join(', ')}`),
    );
  const seriesArea = net.series.map((br) => areaOfNodes([...br.from, ...br.to], () => br.name));
  const terminalArea = (d: Opf3Terminal, what: string) => areaOfNodes([d.a, d.b], () => what);
  const loadArea = net.loads.map((l) => terminalArea(l, `load ${l.name}`));
  const pvArea = net.pv.map((u) =>
    areaOfNodes(
      u.phases.flatMap((p) => [p.a, p.b]),
      () => `PV ${u.name}`,
    ),
  );
  const batArea = net.batteries.map((u) =>
    areaOfNodes(
      u.phases.flatMap((p) => [p.a, p.b]),
      () => `battery ${u.name}`,
    ),
  );

  // Per area: free nodes (own buses, less a child's root; plus its children's boundary buses) and source nodes.
  const T = net.periods;
  const out: Opf3AreaNetwork[] = [];
  const local = new Int32Array(nFree);
  for (const a of areas) {
    const isChild = a.parentArea !== null;
    const freeList: number[] = [];
    for (let i = 0; i < nFree; i++) {
      const bus = busOf(i);
      const r = rootOf.get(bus);
      if (r !== undefined ? parentOf.get(r) === a.id : homeOfBus.get(bus) === a.id) freeList.push(i);
    }
    // Source nodes: b's nodes that the area's elements use.
    const used = new Set<number>();
    const note = (i: number) => i >= 0 && isChild && busOf(i) === a.rootBus && used.add(i);
    for (const [g, nodes] of groupNodes) if (groupArea.get(g) === a.id) nodes.forEach(note);
    net.series.forEach((br, k) => seriesArea[k] === a.id && [...br.from, ...br.to].forEach(note));
    const sourceList = [...used].sort((x, y) => x - y);
    local.fill(-1);
    freeList.forEach((i, k) => (local[i] = k));
    sourceList.forEach((i, k) => (local[i] = freeList.length + k));
    const nf = freeList.length;
    const ns = sourceList.length;
    const map = (i: number): number => {
      if (i < 0) return -1;
      const l = local[i]!;
      if (l < 0) throw new Opf3Error(`internal: node ${busOf(i)}.${net.nodePhase[i]} is not in area ${a.id}`);
      return l;
    };
    const yIdx: number[] = [];
    for (let k = 0; k < net.yRow.length; k++) if (groupArea.get(net.yGroup[k]!) === a.id) yIdx.push(k);
    const pick = <A extends Int32Array | Float64Array | Uint8Array>(arr: A, f: (v: number) => number = (v) => v): A => {
      const r = new (arr.constructor as new (n: number) => A)(yIdx.length);
      yIdx.forEach((k, j) => (r[j] = f(arr[k]!)));
      return r;
    };
    const term = <D extends Opf3Terminal>(d: D): D => ({ ...d, a: map(d.a), b: map(d.b) });
    const series: Opf3Series[] = net.series
      .filter((_, k) => seriesArea[k] === a.id)
      .map((br) => ({ ...br, from: br.from.map(map), to: br.to.map(map) }));
    const loads: Opf3Load[] = net.loads.filter((_, k) => loadArea[k] === a.id).map(term);
    const pv: Opf3Pv[] = net.pv.filter((_, k) => pvArea[k] === a.id).map((u) => ({ ...u, phases: u.phases.map(term) }));
    const batteries: Opf3Battery[] = net.batteries
      .filter((_, k) => batArea[k] === a.id)
      .map((u) => ({ ...u, phases: u.phases.map(term) }));
    const all = [...freeList, ...sourceList];
    const v0Re = new Float64Array(T * nf);
    const v0Im = new Float64Array(T * nf);
    const slackRe = new Float64Array(T * ns);
    const slackIm = new Float64Array(T * ns);
    for (let t = 0; t < T; t++) {
      freeList.forEach((i, k) => {
        v0Re[t * nf + k] = net.v0Re[t * nFree + i]!;
        v0Im[t * nf + k] = net.v0Im[t * nFree + i]!;
      });
      sourceList.forEach((i, k) => {
        slackRe[t * ns + k] = net.v0Re[t * nFree + i]!;
        slackIm[t * ns + k] = net.v0Im[t * nFree + i]!;
      });
    }
    const limits = net.limits ? splitLimits(net.limits, a.id, areaOfNodes, seriesArea, map, busOf) : undefined;
    const areaNet: Opf3Network = {
      ...net,
      name: `${net.name} area ${a.id}`,
      nFree: nf,
      nSlack: ns,
      nodeBus: all.map(busOf),
      nodePhase: all.map((i) => net.nodePhase[i]!),
      nodeVBase: Float64Array.from(all, (i) => net.nodeVBase[i]!),
      limited: Uint8Array.from(freeList, (i) => net.limited[i]!),
      slackRe,
      slackIm,
      yRow: pick(net.yRow, map),
      yCol: pick(net.yCol, map),
      yG: pick(net.yG),
      yB: pick(net.yB),
      yLoss: pick(net.yLoss),
      ySource: pick(net.ySource),
      yGroup: pick(net.yGroup),
      srcRe: net.srcRe && !isChild ? Float64Array.from(freeList, (i) => net.srcRe![i]!) : null,
      srcIm: net.srcIm && !isChild ? Float64Array.from(freeList, (i) => net.srcIm![i]!) : null,
      series,
      loads,
      pv,
      batteries,
      v0Re,
      v0Im,
      ...(limits ? { limits } : {}),
    };
    if (isChild && ns === 0) throw new Opf3Error(`area ${a.id} (root ${a.rootBus}) has no element at its root bus`);
    out.push({
      id: a.id,
      net: areaNet,
      freeOf: Int32Array.from(freeList),
      sourceOf: Int32Array.from(sourceList),
      children: [],
    });
  }
  // Parent side of each boundary: the child's source nodes as the parent's local free nodes.
  return out.map((o) => {
    const kids = areas.filter((a) => a.parentArea === o.id);
    const pos = new Map<number, number>();
    o.freeOf.forEach((i, k) => pos.set(i, k));
    return {
      ...o,
      children: kids.map((k) => ({
        area: k.id,
        nodes: Int32Array.from(out.find((c) => c.id === k.id)!.sourceOf, (i) => pos.get(i)!),
      })),
    };
  });
}

function splitLimits(
  limits: Opf3Limits,
  id: number,
  areaOfNodes: (nodes: readonly number[], what: () => string) => number,
  seriesArea: readonly number[],
  map: (i: number) => number,
  busOf: (i: number) => string,
): Opf3Limits {
  const seriesLocal = new Map<number, number>();
  seriesArea.forEach((a, k) => a === id && seriesLocal.set(k, seriesLocal.size));
  const mapTerms = (t: ComplexTerms): ComplexTerms => ({ ...t, nodes: t.nodes.map(map) });
  return {
    ...limits,
    lineToLine: limits.lineToLine
      .filter((p) => areaOfNodes([p.i, p.j], () => `the line-to-line limit at ${busOf(p.i)}`) === id)
      .map((p) => ({ ...p, i: map(p.i), j: map(p.j) })),
    vuf: limits.vuf
      .filter((v) => areaOfNodes([...v.abc], () => `the unbalance limit at ${v.bus}`) === id)
      .map((v) => ({ ...v, abc: v.abc.map(map) as unknown as readonly [number, number, number] })),
    currents: limits.currents.flatMap((c): Opf3Limits['currents'][number][] => {
      if (c.kind === 'series') return seriesArea[c.series] === id ? [{ ...c, series: seriesLocal.get(c.series)! }] : [];
      return areaOfNodes(c.terms.nodes, () => `the current limit of ${c.name}`) === id
        ? [{ ...c, terms: mapTerms(c.terms) }]
        : [];
    }),
  };
}
