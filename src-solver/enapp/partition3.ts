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
 *
 * `suggestPartition3` chooses k−1 such cuts balancing the areas' sizes with the balanced feeder's
 * walk (partition.ts `balancedBoundaries`), given which buses a cut may end at under these rules.
 */
import type { UNetwork } from '../unbalanced/model';
import {
  balancedBoundaries,
  cutProblemMessage,
  splitAreas,
  type AreaInfo,
  type CutBranch,
  type CutTree,
  type PartitionCheck,
} from './partition';
import type { Opf3UnitSpec } from '../opf3/fromNetwork';
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
  const problemAt = cutProblems3(net, tree);
  for (const c of split.cuts) {
    const { cut } = c;
    if ('problem' in c) errors.push(cutProblemMessage(cut, c.problem, 'line or transformer'));
    else {
      const why = problemAt(c.boundary);
      if (why) errors.push(`cut ${dash(cut)}${why}`);
    }
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

/**
 * Why a cut ending at bus b (from its tree parent) is refused by the rules above, as the rest of
 * a sentence starting "cut from–to", or null when it may end there. One pass over the elements.
 */
function cutProblems3(net: UNetwork, tree: BusTree3): (b: number) => string | null {
  const n = tree.names.length;
  // per bus: the nodes the lines from its parent carry at it (and their names), and the nodes its children's elements use at it
  const carried: Set<number>[] = Array.from({ length: n }, () => new Set());
  const cutLines: string[][] = Array.from({ length: n }, () => []);
  const usedBelow: Set<number>[] = Array.from({ length: n }, () => new Set());
  const visit = (end: { bus: string; nodes: readonly number[] }, other: string, line: string | null) => {
    const u = tree.index.get(end.bus);
    const v = tree.index.get(other);
    if (u === undefined || v === undefined) return;
    if (tree.parent[v] === u) end.nodes.forEach((x) => x > 0 && usedBelow[u]!.add(x));
    if (line !== null && tree.parent[u] === v) {
      end.nodes.forEach((x) => x > 0 && carried[u]!.add(x));
      cutLines[u]!.push(line);
    }
  };
  for (const l of net.lines) {
    visit(l.bus1, l.bus2.bus, l.name);
    visit(l.bus2, l.bus1.bus, l.name);
  }
  for (const x of net.transformers)
    for (const w of x.windings) for (const o of x.windings) if (o !== w) visit(w.bus, o.bus.bus, null);
  return (b) => {
    const xf = tree.via[b]!.filter((e) => e.kind === 'transformer');
    if (xf.length > 0)
      return ` is at transformer ${xf.map((e) => e.name).join(', ')}: cut at a line (a transformer's or regulator's fixed taps would sit in two areas)`;
    const extra = [...usedBelow[b]!].filter((x) => !carried[b]!.has(x)).sort();
    if (extra.length === 0) return null;
    const to = tree.names[b]!;
    return `: the area below ${to} uses node${extra.length > 1 ? 's' : ''} ${extra.map((x) => `${to}.${x}`).join(', ')}, which the cut line ${cutLines[b]!.join(', ')} does not carry (the boundary bus must keep every phase of the cut line; cut elsewhere)`;
  };
}

/** Size weights per period of a three-phase bus: its phase nodes' voltages (real and imaginary parts). */
const VARS_PER_NODE = 2;
/** Per phase of a unit: PV q; battery charge, discharge, q and stored energy. */
const VARS_PER_PV_PHASE = 1;
const VARS_PER_BATTERY_PHASE = 4;

/**
 * Suggest k areas of a three-phase feeder: k−1 cuts at lines (never at a transformer or
 * regulator), each keeping the phases the area below uses, balancing the areas' sizes (phase
 * nodes, and the given units' phases) with the balanced feeder's walk. Throws when the feeder has
 * too few places to cut, naming how many areas it allows.
 */
export function suggestPartition3(
  net: UNetwork,
  k: number,
  units: readonly Pick<Opf3UnitSpec, 'kind' | 'bus' | 'phases'>[] = [],
): { cuts: CutBranch[] } {
  if (!Number.isInteger(k) || k < 1) throw new Error(`the number of areas must be a positive integer (got ${k})`);
  if (k === 1) return { cuts: [] };
  const r = busTree3(net);
  if ('error' in r) throw new Error(`cannot partition: ${r.error}`);
  const tree = r.tree;
  const n = tree.names.length;
  const children: number[][] = tree.names.map(() => []);
  for (let i = 1; i < tree.order.length; i++) children[tree.parent[tree.order[i]!]!]!.push(tree.order[i]!);
  const preorder: number[] = [];
  const stack = [tree.root];
  while (stack.length > 0) {
    const u = stack.pop()!;
    preorder.push(u);
    for (let c = children[u]!.length - 1; c >= 0; c--) stack.push(children[u]![c]!);
  }
  if (preorder.length < n) {
    const unreached = tree.names.filter((_, u) => u !== tree.root && tree.parent[u] === -1);
    throw new Error(
      `cannot partition: buses not connected to the source: ${unreached.slice(0, 5).join(', ')}${unreached.length > 5 ? ', …' : ''}`,
    );
  }
  const { weight, kept } = busWeights3(net, tree, units);
  const problemAt = cutProblems3(net, tree);
  const cuttable = new Uint8Array(n);
  for (let u = 0; u < n; u++) if (u !== tree.root && children[u]!.length > 0 && problemAt(u) === null) cuttable[u] = 1;
  const candidates = cuttable.reduce((a, b) => a + b, 0);
  if (candidates < k - 1)
    throw new Error(
      `only ${candidates} lines end at a bus with buses below it that keeps their phases (transformers and regulators are not cut), so at most ${candidates + 1} areas are possible (asked for ${k})`,
    );
  const boundary = balancedBoundaries({ tree: { ...tree, children, preorder }, weight, kept, cuttable }, k);
  if (!boundary) throw new Error(`could not find ${k} valid areas on feeder ${net.name}`);
  const cuts = boundary.map((b) => ({ from: tree.names[tree.parent[b]!]!, to: tree.names[b]! }));
  const check = checkPartition3(net, cuts);
  if (!check.ok) throw new Error(`internal: suggested cuts for ${k} areas are refused: ${check.errors.join('; ')}`);
  return { cuts };
}

/** Each bus's size weight per period in the area that owns it, and as a boundary bus its parent keeps. */
function busWeights3(
  net: UNetwork,
  tree: BusTree3,
  units: readonly Pick<Opf3UnitSpec, 'kind' | 'bus' | 'phases'>[],
): { weight: Float64Array; kept: Float64Array } {
  const n = tree.names.length;
  const weight = new Float64Array(n);
  const kept = new Float64Array(n);
  tree.names.forEach((name, u) => {
    const phases = net.buses.get(name)!.nodes.filter((x) => x >= 1 && x <= 3).length;
    kept[u] = VARS_PER_NODE * phases;
    weight[u] = u === tree.root ? 0 : kept[u]!;
  });
  for (const unit of units) {
    const u = tree.index.get(unit.bus.toLowerCase());
    if (u !== undefined)
      weight[u] += unit.phases.length * (unit.kind === 'pv' ? VARS_PER_PV_PHASE : VARS_PER_BATTERY_PHASE);
  }
  return { weight, kept };
}

/**
 * A three-phase cut set checked and described as the balanced feeder's (partition.ts
 * `PartitionCheck`, what the app's Areas view shows): each area's buses — its own and the boundary
 * buses it keeps — and its size estimate, the phase-node weights of `suggestPartition3` × periods.
 */
export function describePartition3(
  net: UNetwork,
  cuts: readonly CutBranch[],
  periods = 24,
  units: readonly Pick<Opf3UnitSpec, 'kind' | 'bus' | 'phases'>[] = [],
): PartitionCheck {
  const check = checkPartition3(net, cuts);
  const tree = check.tree;
  if (!tree) return { ok: false, errors: check.errors, areas: [] };
  const { weight, kept } = busWeights3(net, tree, units);
  const areas: AreaInfo[] = check.areas.map((a) => {
    const keptBuses = check.areas.filter((c) => c.parentArea === a.id).map((c) => c.rootBus);
    const own = a.own.filter((b) => b !== a.rootBus);
    let size = 0;
    for (const b of own) size += weight[tree.index.get(b)!]!;
    for (const b of keptBuses) size += kept[tree.index.get(b)!]!;
    const order = (b: string) => tree.index.get(b)!;
    return {
      id: a.id,
      rootBus: a.rootBus,
      parentArea: a.parentArea,
      buses: [...a.own, ...keptBuses].sort((x, y) => order(x) - order(y)),
      sizeEstimate: size * periods,
    };
  });
  return { ok: check.ok, errors: check.errors, areas };
}
