/**
 * The feeder's tree oriented from the substation — one tolerant core for every place that needs
 * it. `orientFeeder` never fails: it walks breadth-first from the substation over the branches
 * whose two buses exist and reports what does not fit a tree (branches closing a loop, buses the
 * substation does not reach, branches naming an unknown bus, a missing substation bus). Callers
 * that need a tree wrap it strictly (enapp/partition.ts `rootTree`); the one-line view draws
 * whatever it gets (src-shared/topology.ts `buildTree`).
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
  /** Branches that close a loop (not part of the BFS tree), as 'from–to'. */
  readonly loops: readonly string[];
  /** Buses not connected to the substation. */
  readonly unreachable: readonly string[];
  /** Branches (index in feeder.branches) with an end that is not a bus of the feeder; left out. */
  readonly unknownEnds: readonly number[];
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
  feeder.branches.forEach((br, k) => {
    if (!usedBranch[k] && index.has(br.from) && index.has(br.to)) loops.push(`${br.from}–${br.to}`);
  });
  const unreachable: string[] = [];
  for (let i = 0; i < n; i++) if (depth[i] < 0) unreachable.push(names[i]);
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
    unreachable,
    unknownEnds,
  };
}
