/**
 * Areas of a three-phase feeder (the imported multi-phase model, src-solver/unbalanced) for the
 * distributed solve (docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase boundary
 * values"). The cut set is applied by the same owner as the balanced feeder's (partition.ts
 * `splitAreas`) to the feeder's bus tree: buses joined by lines (switches, reactors) and
 * transformers (regulators are transformers), oriented from the Vsource's bus.
 *
 * Rules, each refused with a message naming the cut:
 * - a cut is a branch named parent first (as the balanced feeder's cuts), and every element
 *   joining its two buses is a line: a transformer or regulator's fixed taps would sit in two
 *   areas (its primitive admittance couples both buses' nodes);
 * - the boundary bus keeps every phase of the cut line: the child area's root nodes are the
 *   boundary bus's nodes its elements reach, and each of them must be a node the cut line
 *   carries (else the parent would hold a node only the child connects to);
 * - every area has a bus of its own besides its root.
 * Unlike the balanced feeder's boundary buses, a three-phase boundary bus may carry loads,
 * capacitors and units: its nodes are free in the parent (whose current balance holds them),
 * the child sees them only as source nodes.
 */
import type { UNetwork } from '../unbalanced/model';
import { splitAreas, type CutBranch, type CutTree } from './partition';
import type { Opf3AreaBuses } from './opf3-split';

export interface BusTree3 extends CutTree {
  /** Per bus: the elements joining it to its parent (line or transformer names with their kind). */
  readonly via: readonly (readonly {
    readonly kind: 'line' | 'switch' | 'reactor' | 'transformer';
    readonly name: string;
  }[])[];
}

/** The feeder's buses as a tree from the Vsource's bus, or why they are not one (a loop, an unreachable bus). */
export function busTree3(net: UNetwork): { tree: BusTree3 } | { error: string } {
  const src = net.vsources[0];
  if (!src) return { error: 'the feeder has no Vsource' };
  const names = [...net.buses.keys()];
  const index = new Map(names.map((b, i) => [b, i]));
  type Edge = { other: number; kind: 'line' | 'switch' | 'reactor' | 'transformer'; name: string };
  const adj: Edge[][] = names.map(() => []);
  const link = (a: string, b: string, kind: Edge['kind'], name: string) => {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined || i === j) return;
    adj[i]!.push({ other: j, kind, name });
    adj[j]!.push({ other: i, kind, name });
  };
  for (const l of net.lines) {
    // a line open at every conductor of an end joins nothing
    if (l.open.some((end) => end.length > 0 && end.every(Boolean))) continue;
    link(l.bus1.bus, l.bus2.bus, l.kind, l.name);
  }
  for (const x of net.transformers)
    for (const w of x.windings.slice(1)) link(x.windings[0]!.bus.bus, w.bus.bus, 'transformer', x.name);
  const root = index.get(src.bus1.bus)!;
  const parent = new Int32Array(names.length).fill(-1);
  const via: Edge[][] = names.map(() => []);
  const seen = new Uint8Array(names.length);
  const order: number[] = [root];
  seen[root] = 1;
  for (let k = 0; k < order.length; k++) {
    const u = order[k]!;
    for (const e of adj[u]!) {
      if (e.other === parent[u]) continue;
      if (seen[e.other]) {
        if (parent[e.other] === u)
          via[e.other]!.push(e); // a parallel element (e.g. a regulator bank)
        else if (parent[u] !== e.other)
          return { error: `the feeder is not radial: ${e.name} closes a loop at bus ${names[e.other]}` };
        continue;
      }
      seen[e.other] = 1;
      parent[e.other] = u;
      via[e.other]!.push(e);
      order.push(e.other);
    }
  }
  // Parallel elements were pushed twice (once from each end): keep each once.
  const dedup = via.map((list) => list.filter((e, i) => list.findIndex((f) => f.name === e.name) === i));
  return {
    tree: {
      names,
      index,
      parent,
      order: Int32Array.from(order),
      root,
      via: dedup.map((list) => list.map((e) => ({ kind: e.kind, name: e.name }))),
    },
  };
}

export interface Partition3 {
  readonly ok: boolean;
  readonly errors: readonly string[];
  readonly areas: readonly Opf3AreaBuses[];
  readonly tree: BusTree3 | null;
}

const dash = (c: CutBranch) => `${c.from}–${c.to}`;

/** Check a cut set on a three-phase feeder and give its areas (see the file comment). */
export function checkPartition3(net: UNetwork, cutsIn: readonly CutBranch[]): Partition3 {
  const r = busTree3(net);
  if ('error' in r) return { ok: false, errors: [`cannot partition: ${r.error}`], areas: [], tree: null };
  const tree = r.tree;
  const cuts = cutsIn.map((c) => ({ from: c.from.toLowerCase(), to: c.to.toLowerCase() }));
  const split = splitAreas(tree, cuts);
  const errors: string[] = [];
  for (const c of split.cuts) {
    const { cut } = c;
    if ('problem' in c) {
      const p = c.problem;
      if (p.kind === 'unknownBus') errors.push(`cut ${dash(cut)}: bus ${p.bus} is not in the feeder`);
      else if (p.kind === 'backwards')
        errors.push(
          `cut ${dash(cut)} is named backwards: ${cut.to} is upstream of ${cut.from} (name it ${cut.to}–${cut.from})`,
        );
      else if (p.kind === 'notABranch')
        errors.push(`cut ${dash(cut)}: no line or transformer joins buses ${cut.from} and ${cut.to}`);
      else errors.push(`cut ${dash(cut)} is listed twice`);
      continue;
    }
    const b = c.boundary;
    const xf = tree.via[b]!.filter((e) => e.kind === 'transformer');
    if (xf.length > 0) {
      errors.push(
        `cut ${dash(cut)} is at transformer ${xf.map((e) => e.name).join(', ')}: cut at a line (a transformer's or regulator's fixed taps would sit in two areas)`,
      );
      continue;
    }
    // The boundary bus keeps every phase of the cut line: the child's elements at b use only its nodes.
    const cutLines = net.lines.filter(
      (l) => (l.bus1.bus === cut.from && l.bus2.bus === cut.to) || (l.bus2.bus === cut.from && l.bus1.bus === cut.to),
    );
    const carried = new Set(
      cutLines.flatMap((l) => (l.bus1.bus === cut.to ? l.bus1.nodes : l.bus2.nodes)).filter((n) => n > 0),
    );
    const below = new Set<string>();
    tree.names.forEach((name, u) => tree.parent[u] === b && below.add(name));
    const usedAtB = new Set<number>();
    for (const l of net.lines) {
      if (l.bus1.bus === cut.to && below.has(l.bus2.bus)) l.bus1.nodes.forEach((n) => n > 0 && usedAtB.add(n));
      if (l.bus2.bus === cut.to && below.has(l.bus1.bus)) l.bus2.nodes.forEach((n) => n > 0 && usedAtB.add(n));
    }
    for (const x of net.transformers) {
      const buses = x.windings.map((w) => w.bus.bus);
      if (!buses.includes(cut.to) || !buses.some((bb) => below.has(bb))) continue;
      for (const w of x.windings) if (w.bus.bus === cut.to) w.bus.nodes.forEach((n) => n > 0 && usedAtB.add(n));
    }
    const extra = [...usedAtB].filter((n) => !carried.has(n)).sort();
    if (extra.length > 0)
      errors.push(
        `cut ${dash(cut)}: the area below ${cut.to} uses node${extra.length > 1 ? 's' : ''} ${extra.map((n) => `${cut.to}.${n}`).join(', ')}, which the cut line ${cutLines.map((l) => l.name).join(', ')} does not carry (the boundary bus must keep every phase of the cut line; cut elsewhere)`,
      );
  }
  const { areaOf, rootOf, parentOf, ownCount } = split;
  const count = rootOf.length - 1;
  for (let id = 1; id <= count; id++)
    if (ownCount[id]! < 2)
      errors.push(`area ${id} {${tree.names[rootOf[id]!]}} has no bus of its own besides its root`);
  const own: string[][] = Array.from({ length: count + 1 }, () => []);
  for (let u = 0; u < tree.names.length; u++) if (areaOf[u]! > 0) own[areaOf[u]!]!.push(tree.names[u]!);
  const unreached = tree.names.filter((_, u) => areaOf[u] === 0);
  if (unreached.length > 0)
    errors.push(
      `buses not connected to the source: ${unreached.slice(0, 5).join(', ')}${unreached.length > 5 ? ', …' : ''}`,
    );
  const areas: Opf3AreaBuses[] = [];
  for (let id = 1; id <= count; id++)
    areas.push({
      id,
      rootBus: tree.names[rootOf[id]!]!,
      parentArea: parentOf[id] === 0 ? null : parentOf[id]!,
      own: own[id]!,
    });
  return { ok: errors.length === 0, errors, areas, tree };
}
