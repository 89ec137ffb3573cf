/**
 * The feeder's tree oriented from the substation — one tolerant core for every place that needs
 * it. `orientFeeder` never fails: it walks breadth-first from the substation over the branches
 * whose two buses exist and reports what does not fit a tree (branches closing a loop, each loop
 * with its branches, buses the substation does not reach grouped by island, branches naming an
 * unknown bus, a missing substation bus). The one-line view draws whatever it gets
 * (src-shared/topology.ts `buildTree`) and validation reports every loop and island from it
 * (model/validate.ts); callers that need a tree use the strict wrapper `radialTree` (the power
 * flow's network, the ENApp partition), which refuses a meshed or disconnected feeder naming the
 * branches of a loop or the buses cut off.
 */
import type { Feeder } from './feeder';

export interface OrientedFeeder {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Parent bus index, -1 for the root and for buses not reached from the substation. */
  readonly parent: Int32Array;
  /** Index of the branch joining a bus to its parent, -1 for the root and unreached buses. */
  readonly parentBranch: Int32Array;
  /** Depth from the substation (0 at the root, -1 when unreachable). */
  readonly depth: Int32Array;
  /** Buses in breadth-first order from the substation (reachable ones only). */
  readonly order: Int32Array;
  /** Children of each bus, in the order of the feeder's branches. */
  readonly children: readonly number[][];
  /** The substation bus (bus 0 when the substation names no bus of the feeder). */
  readonly root: number;
  /** False when the substation names no bus of the feeder. */
  readonly substationFound: boolean;
  /**
   * Branches that close a loop among the buses the substation reaches (between two reached buses,
   * not part of the BFS tree; a branch from a reached bus to itself too), as 'from–to'. A feeder
   * with any is meshed. Loops inside islands are not here: `islandLoops`.
   */
  readonly loops: readonly string[];
  /**
   * Branches that close a loop inside an island (both ends not reached from the substation: the
   * forest's closing branches there, and a branch from such a bus to itself), as 'from–to'.
   */
  readonly islandLoops: readonly string[];
  /** Buses not connected to the substation. */
  readonly unreachable: readonly string[];
  /** Branches (index in feeder.branches) with an end that is not a bus of the feeder; left out. */
  readonly unknownEnds: readonly number[];
  /**
   * Every loop, found as a spanning forest grows over the branches in feeder order: `branch`
   * closes it and `path` is the forest's path (branch indices) from its `from` bus to its `to` bus.
   * A branch from a bus to itself is not listed here (`loops` names it).
   */
  readonly cycles: readonly FeederCycle[];
  /** Buses the substation does not reach, by island (bus indices in feeder order; islands by their first bus). */
  readonly islands: readonly (readonly number[])[];
}

export interface FeederCycle {
  readonly branch: number;
  readonly path: readonly number[];
}

export function orientFeeder(feeder: Feeder): OrientedFeeder {
  const n = feeder.buses.length;
  const names = feeder.buses.map((b) => b.name);
  const index = new Map<string, number>();
  names.forEach((name, i) => index.set(name, i));
  const adj: { to: number; branch: number }[][] = Array.from({ length: n }, () => []);
  const unknownEnds: number[] = [];
  feeder.branches.forEach((br, k) => {
    const a = index.get(br.from);
    const b = index.get(br.to);
    if (a === undefined || b === undefined) {
      unknownEnds.push(k);
      return;
    }
    adj[a].push({ to: b, branch: k });
    adj[b].push({ to: a, branch: k });
  });
  const parent = new Int32Array(n).fill(-1);
  const parentBranch = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  const children: number[][] = Array.from({ length: n }, () => []);
  const usedBranch = new Uint8Array(feeder.branches.length);
  const sub = index.get(feeder.substation.bus);
  const root = sub ?? 0;
  let head = 0;
  let tail = 0;
  if (n > 0) {
    order[tail++] = root;
    depth[root] = 0;
  }
  while (head < tail) {
    const u = order[head++];
    for (const { to, branch } of adj[u]) {
      if (depth[to] >= 0) continue;
      depth[to] = depth[u] + 1;
      parent[to] = u;
      parentBranch[to] = branch;
      usedBranch[branch] = 1;
      children[u].push(to);
      order[tail++] = to;
    }
  }
  const loops: string[] = [];
  const islandLoop = new Set<number>();
  feeder.branches.forEach((br, k) => {
    const a = index.get(br.from);
    const b = index.get(br.to);
    if (usedBranch[k] || a === undefined || b === undefined) return;
    if (depth[a] >= 0 && depth[b] >= 0) loops.push(`${br.from}–${br.to}`);
    else if (a === b) islandLoop.add(k);
  });
  const unreachable: string[] = [];
  for (let i = 0; i < n; i++) if (depth[i] < 0) unreachable.push(names[i]);
  const { cycles, islands } = forest(feeder, index, depth);
  // (no branch joins a reached bus to an unreached one: the walk would have crossed it)
  for (const c of cycles) if (depth[index.get(feeder.branches[c.branch].from)!] < 0) islandLoop.add(c.branch);
  const islandLoops = [...islandLoop]
    .sort((a, b) => a - b)
    .map((k) => {
      const br = feeder.branches[k];
      return `${br.from}–${br.to}`;
    });
  return {
    names,
    index,
    parent,
    parentBranch,
    depth,
    order: order.subarray(0, tail),
    children,
    root,
    substationFound: sub !== undefined,
    loops,
    islandLoops,
    unreachable,
    unknownEnds,
    cycles,
    islands,
  };
}

/**
 * Union–find over the branches in feeder order: a branch whose ends are already connected closes
 * a loop (named with the forest path between its ends); the components without the substation
 * (depth −1) are its islands.
 */
function forest(
  feeder: Feeder,
  index: ReadonlyMap<string, number>,
  depth: Int32Array,
): { cycles: FeederCycle[]; islands: number[][] } {
  const n = depth.length;
  const set = new Int32Array(n);
  for (let i = 0; i < n; i++) set[i] = i;
  const find = (i: number): number => {
    while (set[i] !== i) {
      set[i] = set[set[i]];
      i = set[i];
    }
    return i;
  };
  const adjacency: { bus: number; branch: number }[][] = Array.from({ length: n }, () => []);
  const closing: number[] = [];
  feeder.branches.forEach((br, k) => {
    const a = index.get(br.from);
    const b = index.get(br.to);
    if (a === undefined || b === undefined || a === b) return;
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) {
      closing.push(k);
      return;
    }
    set[ra] = rb;
    adjacency[a].push({ bus: b, branch: k });
    adjacency[b].push({ bus: a, branch: k });
  });
  const cycles = closing.map((k) => {
    const br = feeder.branches[k];
    return { branch: k, path: forestPath(adjacency, index.get(br.from)!, index.get(br.to)!) };
  });
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (depth[i] >= 0) continue;
    const r = find(i);
    const list = byRoot.get(r);
    if (list) list.push(i);
    else byRoot.set(r, [i]);
  }
  return { cycles, islands: [...byRoot.values()] };
}

/** The branches on the forest's path from bus `from` to bus `to` (connected), in order. */
function forestPath(adjacency: readonly { bus: number; branch: number }[][], from: number, to: number): number[] {
  const via = new Map<number, { prev: number; branch: number }>([[from, { prev: -1, branch: -1 }]]);
  const queue = [from];
  for (let q = 0; q < queue.length && !via.has(to); q++) {
    for (const { bus, branch } of adjacency[queue[q]]) {
      if (via.has(bus)) continue;
      via.set(bus, { prev: queue[q], branch });
      queue.push(bus);
    }
  }
  const path: number[] = [];
  for (let v = to; v !== from; v = via.get(v)!.prev) path.push(via.get(v)!.branch);
  return path.reverse();
}

/** The feeder as a tree rooted at the substation, indexed by bus number (feeder order). */
export interface RootedTree {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Parent bus index, −1 for the root. */
  readonly parent: Int32Array;
  /** Index in feeder.branches of the branch joining a bus to its parent, −1 for the root. */
  readonly parentBranch: Int32Array;
  readonly children: readonly (readonly number[])[];
  /** Breadth-first order from the root (children in branch order). */
  readonly order: Int32Array;
  /** Depth-first preorder from the root. */
  readonly preorder: Int32Array;
  readonly root: number;
}

/** Why a feeder is not a tree rooted at its substation, with what names the fault. */
export type TreeProblem =
  | { readonly kind: 'noSubstation'; readonly bus: string }
  | { readonly kind: 'unknownBus'; readonly branch: string; readonly bus: string }
  | { readonly kind: 'meshed'; readonly branches: number; readonly buses: number; readonly loops: readonly string[][] }
  | { readonly kind: 'disconnected'; readonly unreachable: readonly string[]; readonly loops: readonly string[][] };

/**
 * The strict wrapper: the feeder as a tree rooted at the substation, or why it is not one — the
 * substation is not a bus, a branch names an unknown bus, there are more branches than a tree has
 * (meshed; every loop named by its branches) or a bus cannot be reached (disconnected; the buses
 * named). `error` says it in one line; `describeTreeProblem` adds the loops' branches.
 */
export function radialTree(
  feeder: Feeder,
  o: OrientedFeeder = orientFeeder(feeder),
): { tree: RootedTree } | { error: string; problem: TreeProblem } {
  const names = o.names;
  const loops = o.cycles.map((c) => [...c.path, c.branch].map((k) => feeder.branches[k].name));
  if (!o.substationFound) {
    const problem = { kind: 'noSubstation', bus: feeder.substation.bus } as const;
    return { error: `the substation bus ${problem.bus} is not a bus of the feeder`, problem };
  }
  if (o.unknownEnds.length > 0) {
    const br = feeder.branches[o.unknownEnds[0]];
    const problem = { kind: 'unknownBus', branch: br.name, bus: o.index.has(br.from) ? br.to : br.from } as const;
    return { error: `branch ${br.name} joins an unknown bus (${problem.bus})`, problem };
  }
  // Meshed: a loop among the buses the substation reaches (on a connected feeder, more branches
  // than a tree has). Loops inside islands make the feeder disconnected, not meshed.
  if (o.loops.length > 0 && o.unreachable.length === 0) {
    const problem = { kind: 'meshed', branches: feeder.branches.length, buses: names.length, loops } as const;
    return {
      error: `the feeder is not radial: ${problem.branches} branches for ${problem.buses} buses (a tree has ${problem.buses - 1})`,
      problem,
    };
  }
  if (o.unreachable.length > 0) {
    const unreached = o.unreachable;
    return {
      error: `the feeder is not connected: ${unreached.slice(0, 5).join(', ')}${unreached.length > 5 ? ', …' : ''} cannot be reached from the substation`,
      problem: { kind: 'disconnected', unreachable: unreached, loops },
    };
  }
  // Depth-first preorder, children in feeder order.
  const preorder = new Int32Array(names.length);
  let k = 0;
  const stack = [o.root];
  while (stack.length > 0) {
    const u = stack.pop()!;
    preorder[k++] = u;
    const next = o.children[u];
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
  }
  const { index, parent, parentBranch, children, order, root } = o;
  return { tree: { names, index, parent, parentBranch, children, order, preorder, root } };
}

/** A refused feeder in full: the one-line reason and, where there are loops, each loop's branches. */
export function describeTreeProblem(refused: { error: string; problem: TreeProblem }): string {
  const { error, problem } = refused;
  if ((problem.kind !== 'meshed' && problem.kind !== 'disconnected') || problem.loops.length === 0) return error;
  return `${error}; ${problem.loops.map(describeLoop).join('; ')}`;
}

/** "branches l2, l3, tie form a loop" (at most 20 names, then "and N more"). */
export function describeLoop(branches: readonly string[]): string {
  const listed =
    branches.length <= 20
      ? branches.join(', ')
      : `${branches.slice(0, 20).join(', ')} and ${branches.length - 20} more`;
  return `branches ${listed} form a loop`;
}
