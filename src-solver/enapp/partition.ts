/**
 * Areas of a feeder for the distributed solve (ENApp, spec "Spatial decomposition").
 *
 * A partition is a set of cut branches. The feeder is oriented from the substation; a cut
 * `from → to` must be an existing branch named parent-first. Per the spec, the parent area keeps
 * the cut branch and its downstream bus — the *boundary bus* — where the child area appears as a
 * load; the child area is rooted at that boundary bus, where the parent appears as a voltage
 * source. So a boundary bus belongs to both areas, and it must carry no device (load, PV,
 * battery, capacitor): its injection would otherwise be counted twice (the IEEE 123 cuts 15→117,
 * 20→118 and 62→125 end at device-free switch stubs).
 *
 * Each area's problem size (used to balance areas) is estimated from the spec's variables:
 * per non-root bus and period P, Q, l (its parent branch) and v → 4; per PV q_D → 1; per
 * battery Pc, Pd, qB, B → 4; all times the number of periods T.
 *
 * `checkPartition` explains every way a cut set can fail; `suggestPartition` chooses k−1 cuts
 * that balance the areas' sizes with the fewest boundaries (k−1 is the least for k areas).
 */
import type { Feeder } from '../model/feeder';
import { describeTreeProblem, radialTree, type RootedTree } from '../model/tree';

export interface CutBranch {
  /** Parent-side bus. */
  readonly from: string;
  /** Child-side bus: the boundary bus. */
  readonly to: string;
}

export interface AreaInfo {
  /** 1-based; area 1 holds the substation; the others breadth-first over the area tree, ties in feeder order. */
  readonly id: number;
  /** The substation bus, or the boundary bus the parent area keeps. */
  readonly rootBus: string;
  readonly parentArea: number | null;
  /** Every bus the area solves for: its own buses and the boundary buses of its child areas, in feeder order. */
  readonly buses: readonly string[];
  /** Problem size estimate, variables × periods. */
  readonly sizeEstimate: number;
}

export interface PartitionCheck {
  readonly ok: boolean;
  readonly areas: readonly AreaInfo[];
  readonly errors: readonly string[];
}

/** Variables per non-root bus (P, Q, l of its parent branch, and v), per PV, per battery. */
export const VARS_PER_BUS = 4;
export const VARS_PER_PV = 1;
export const VARS_PER_BATTERY = 4;

export type { RootedTree } from '../model/tree';

/** The feeder as a rooted tree (model/tree.ts `radialTree`, the strict wrapper), or its one-line reason. */
export function rootTree(feeder: Feeder): { tree: RootedTree } | { error: string } {
  const r = radialTree(feeder);
  return 'tree' in r ? r : { error: r.error };
}

/** Per-bus device counts: which buses carry devices, and each bus's variable weight per period. */
function busWeights(feeder: Feeder, tree: RootedTree): { weight: Float64Array; devices: string[][] } {
  const weight = new Float64Array(tree.names.length);
  const devices: string[][] = tree.names.map(() => []);
  for (let i = 0; i < weight.length; i++) weight[i] = i === tree.root ? 0 : VARS_PER_BUS;
  const add = (bus: string, label: string, vars: number) => {
    const i = tree.index.get(bus);
    if (i === undefined) return;
    weight[i] += vars;
    devices[i]!.push(label);
  };
  for (const l of feeder.loads) add(l.bus, `load ${l.name}`, 0);
  for (const c of feeder.capacitors) add(c.bus, `capacitor ${c.name}`, 0);
  for (const p of feeder.pv) add(p.bus, `PV ${p.name}`, VARS_PER_PV);
  for (const b of feeder.batteries) add(b.bus, `battery ${b.name}`, VARS_PER_BATTERY);
  return { weight, devices };
}

const dash = (c: CutBranch) => `${c.from}–${c.to}`;

/** The one wording of a cut that does not cut (balanced and three-phase feeders); `joiner` names what may join two buses. */
export function cutProblemMessage(cut: CutBranch, p: CutProblem, joiner: string): string {
  if (p.kind === 'unknownBus') return `cut ${dash(cut)}: bus ${p.bus} is not in the feeder`;
  if (p.kind === 'backwards')
    return `cut ${dash(cut)} is named backwards: ${cut.to} is upstream of ${cut.from} (name it ${cut.to}–${cut.from})`;
  if (p.kind === 'notABranch') return `cut ${dash(cut)}: no ${joiner} joins buses ${cut.from} and ${cut.to}`;
  return `cut ${dash(cut)} is listed twice`;
}

/** A tree a cut set applies to: oriented from the substation; buses it does not reach have parent −1. */
export interface CutTree {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly parent: Int32Array;
  /** The reached buses, every parent before its children (breadth-first or depth-first). */
  readonly order: ArrayLike<number>;
  readonly root: number;
}

/** Why one cut does not cut: a bus not in the feeder, no such branch, named child first, or listed again. */
export type CutProblem =
  | { readonly kind: 'unknownBus'; readonly bus: string }
  | { readonly kind: 'backwards' }
  | { readonly kind: 'notABranch' }
  | { readonly kind: 'duplicate' };

/** The areas a cut set makes: the one rule for checkPartition (backend) and the one-line view (src-shared). */
export interface AreaSplit {
  /** Per cut, in the order given: its boundary bus, or why it does not cut. */
  readonly cuts: readonly (
    { readonly cut: CutBranch; readonly boundary: number } | { readonly cut: CutBranch; readonly problem: CutProblem }
  )[];
  /** Area id per bus (1 = the substation's, the others breadth-first over the area tree, ties in feeder order); 0 where the tree does not reach. */
  readonly areaOf: Int32Array;
  /** Per area id (index 0 unused): its root bus, its parent area id (0 for area 1) and how many buses it owns (its root included). */
  readonly rootOf: readonly number[];
  readonly parentOf: readonly number[];
  readonly ownCount: readonly number[];
  /** The cut ending at each boundary bus. */
  readonly cutAt: ReadonlyMap<number, CutBranch>;
}

/**
 * Apply a cut set to an oriented tree. A cut must be an existing branch named parent first,
 * listed once; crossing it starts a new area rooted at its child-side (boundary) bus.
 */
export function splitAreas(tree: CutTree, cuts: readonly CutBranch[]): AreaSplit {
  const n = tree.names.length;
  const cutAt = new Map<number, CutBranch>();
  const results: AreaSplit['cuts'][number][] = [];
  for (const cut of cuts) {
    const a = tree.index.get(cut.from);
    const b = tree.index.get(cut.to);
    let problem: CutProblem | null = null;
    if (a === undefined || b === undefined) problem = { kind: 'unknownBus', bus: a === undefined ? cut.from : cut.to };
    else if (tree.parent[a] === b) problem = { kind: 'backwards' };
    else if (tree.parent[b] !== a) problem = { kind: 'notABranch' };
    else if (cutAt.has(b)) problem = { kind: 'duplicate' };
    if (problem) results.push({ cut, problem });
    else {
      cutAt.set(b!, cut);
      results.push({ cut, boundary: b! });
    }
  }
  // Areas in discovery order (parents first), then numbered breadth-first over the area tree.
  const home = new Int32Array(n).fill(-1);
  const roots: number[] = [];
  const parentArea: number[] = [];
  for (let k = 0; k < tree.order.length; k++) {
    const u = tree.order[k]!;
    if (u === tree.root || cutAt.has(u)) {
      parentArea.push(u === tree.root ? -1 : home[tree.parent[u]!]!);
      home[u] = roots.length;
      roots.push(u);
    } else home[u] = home[tree.parent[u]!]!;
  }
  const depth = roots.map(() => 0);
  for (let a = 1; a < roots.length; a++) depth[a] = depth[parentArea[a]!]! + 1;
  const byId = roots.map((_, a) => a).sort((x, y) => depth[x]! - depth[y]! || roots[x]! - roots[y]!);
  const idOf = new Int32Array(roots.length);
  byId.forEach((a, i) => (idOf[a] = i + 1));
  const areaOf = new Int32Array(n);
  const ownCount = new Array<number>(roots.length + 1).fill(0);
  for (let u = 0; u < n; u++) {
    if (home[u]! < 0) continue;
    areaOf[u] = idOf[home[u]!]!;
    ownCount[areaOf[u]!]!++;
  }
  const rootOf = [0, ...byId.map((a) => roots[a]!)];
  const parentOf = [0, ...byId.map((a) => (parentArea[a]! < 0 ? 0 : idOf[parentArea[a]!]!))];
  return { cuts: results, areaOf, rootOf, parentOf, ownCount, cutAt };
}

/** Check a cut set and describe the areas it makes (see the file comment for the rules). */
export function checkPartition(feeder: Feeder, cuts: readonly CutBranch[], periods = 24): PartitionCheck {
  const rooted = radialTree(feeder);
  if ('error' in rooted) return { ok: false, areas: [], errors: [`cannot partition: ${describeTreeProblem(rooted)}`] };
  const tree = rooted.tree;
  const { weight, devices } = busWeights(feeder, tree);
  const split = splitAreas(tree, cuts);
  const errors: string[] = [];

  // 1. Each cut: an existing branch, named parent first, once, ending at a device-free bus.
  for (const c of split.cuts) {
    const { cut } = c;
    if ('problem' in c) errors.push(cutProblemMessage(cut, c.problem, 'branch'));
    else if (devices[c.boundary]!.length > 0) {
      errors.push(
        `cut ${dash(cut)}: boundary bus ${cut.to} carries ${devices[c.boundary]!.join(', ')} — a boundary bus must carry no load, PV, battery or capacitor (cut a branch ending at a device-free bus)`,
      );
    }
  }

  // 2. Every area must have something to solve: a bus of its own besides its root.
  const { areaOf, rootOf, parentOf, ownCount, cutAt } = split;
  const count = rootOf.length - 1;
  for (let id = 1; id <= count; id++) {
    if (ownCount[id]! > 1) continue;
    const r = rootOf[id]!;
    const into = cutAt.get(r);
    const outOf = cuts.filter((c) => tree.index.get(c.from) === r && cutAt.get(tree.index.get(c.to)!) === c);
    if (id === 1) {
      errors.push(
        `cut${outOf.length > 1 ? 's' : ''} ${outOf.map(dash).join(', ')} leave${outOf.length > 1 ? '' : 's'} the substation area {${tree.names[r]}} empty`,
      );
    } else if (outOf.length > 0) {
      errors.push(`cuts ${dash(into!)} and ${outOf.map(dash).join(', ')} leave area {${tree.names[r]}} empty`);
    } else {
      errors.push(`cut ${dash(into!)} leaves area {${tree.names[r]}} empty: ${tree.names[r]} is the end of the feeder`);
    }
  }

  // 3. Each area's buses (its own and its children's boundary buses) and size estimate.
  const members: number[][] = Array.from({ length: count + 1 }, () => []);
  for (let u = 0; u < tree.names.length; u++) {
    members[areaOf[u]!]!.push(u);
    if (cutAt.has(u)) members[areaOf[tree.parent[u]!]!]!.push(u); // the parent keeps the boundary bus
  }
  const areas: AreaInfo[] = [];
  for (let id = 1; id <= count; id++) {
    const r = rootOf[id]!;
    const buses = members[id]!.sort((x, y) => x - y);
    let size = 0;
    for (const u of buses) if (u !== r) size += u === tree.root ? 0 : areaOf[u] === id ? weight[u]! : VARS_PER_BUS;
    areas.push({
      id,
      rootBus: tree.names[r]!,
      parentArea: parentOf[id] === 0 ? null : parentOf[id]!,
      buses: buses.map((u) => tree.names[u]!),
      sizeEstimate: size * periods,
    });
  }
  return { ok: errors.length === 0, areas, errors };
}

/** max/min of the areas' size estimates (1 = perfectly balanced). */
export function imbalance(check: PartitionCheck): number {
  const sizes = check.areas.map((a) => a.sizeEstimate);
  return Math.max(...sizes) / Math.max(1, Math.min(...sizes));
}

/**
 * Suggest k areas: k−1 cuts at branches ending in device-free buses, balancing the areas' sizes
 * (`balancedBoundaries`). Throws when the feeder has too few device-free places to cut.
 */
export function suggestPartition(feeder: Feeder, k: number, periods = 24): { cuts: CutBranch[] } {
  if (!Number.isInteger(k) || k < 1) throw new Error(`the number of areas must be a positive integer (got ${k})`);
  if (k === 1) return { cuts: [] };
  const rooted = radialTree(feeder);
  if ('error' in rooted) throw new Error(`cannot partition: ${describeTreeProblem(rooted)}`);
  const tree = rooted.tree;
  const { weight, devices } = busWeights(feeder, tree);
  const n = tree.names.length;
  // A bus can start an area when it carries no device and has buses below it.
  const cuttable = new Uint8Array(n);
  for (let u = 0; u < n; u++)
    if (u !== tree.root && devices[u]!.length === 0 && tree.children[u]!.length > 0) cuttable[u] = 1;
  const candidates = cuttable.reduce((a, b) => a + b, 0);
  if (candidates < k - 1) {
    throw new Error(
      `only ${candidates} branches end at a device-free bus with buses below it, so at most ${candidates + 1} areas are possible (asked for ${k})`,
    );
  }
  const boundary = balancedBoundaries({ tree, weight, kept: new Float64Array(n).fill(VARS_PER_BUS), cuttable }, k);
  if (!boundary) throw new Error(`could not find ${k} valid areas on feeder ${feeder.name}`);
  const cuts = boundary.map((b) => ({ from: tree.names[tree.parent[b]!]!, to: tree.names[b]! }));
  if (!checkPartition(feeder, cuts, periods).ok)
    throw new Error(`internal: suggested cuts for ${k} areas do not pass checkPartition`);
  return { cuts };
}

/** A tree for the balanced search: children and a depth-first preorder of the reached buses. */
export interface SearchTree {
  readonly names: readonly string[];
  readonly parent: Int32Array;
  readonly children: readonly (readonly number[])[];
  /** Depth-first preorder from the root: the reached buses only. */
  readonly preorder: ArrayLike<number>;
  readonly root: number;
}

/** What the balanced search needs of a feeder: what may be cut and what each bus weighs. */
export interface BalanceProblem {
  readonly tree: SearchTree;
  /** Each bus's size in the area that owns it (variables per period). */
  readonly weight: Float64Array;
  /** A boundary bus's size in the parent area that keeps it. */
  readonly kept: Float64Array;
  /** 1 where a cut may end (an area may start): what the feeder's kind of area allows. */
  readonly cuttable: Uint8Array;
}

/**
 * The balanced partition walk (balanced and three-phase feeders alike): k−1 boundary buses among
 * the cuttable ones, every area with a bus of its own besides its root, the largest max/min size
 * ratio as small as found; null when no such set was found.
 *
 * Method: for a threshold L, a post-order sweep accumulates each subtree's weight (less the
 * subtrees already cut off) and cuts above a bus as soon as its accumulated weight reaches L —
 * areas of about L each. Thresholds around W/k (W = total weight) are tried, and among the cut
 * sets with exactly k−1 cuts, the one with the smallest max/min size ratio wins; recursive
 * bisection (split the largest area as evenly as possible) competes; when the places to cut are
 * few enough, every combination is tried (optimal). A bounded local search then moves single cuts
 * while the ratio improves.
 */
export function balancedBoundaries(problem: BalanceProblem, k: number): number[] | null {
  const { tree, weight, kept, cuttable } = problem;
  const n = tree.names.length;
  const reached = tree.preorder.length;
  const total = weight.reduce((a, b) => a + b, 0);
  const scorer = new AreaScorer(tree, weight, kept);
  let best: { boundary: number[]; ratio: number } | null = null;
  const consider = (boundary: number[]) => {
    if (boundary.length !== k - 1) return;
    const ratio = scorer.ratio(boundary);
    if (ratio < (best?.ratio ?? Infinity)) best = { boundary, ratio };
  };

  // 1. Threshold sweeps.
  const acc = new Float64Array(n);
  const sweep = (threshold: number): number[] => {
    const boundary: number[] = [];
    for (let k2 = reached - 1; k2 >= 0; k2--) {
      const u = tree.preorder[k2]!;
      let s = weight[u]!;
      for (const c of tree.children[u]!) s += acc[c]!;
      if (cuttable[u] && s >= threshold) {
        boundary.push(u);
        acc[u] = kept[u]!; // the parent keeps the boundary bus
      } else {
        acc[u] = s;
      }
    }
    return boundary;
  };
  const target = total / k;
  for (let f = 0.5; f <= 1.3; f += 0.01) consider(sweep(target * f));

  // 2. Recursive bisection.
  consider(bisect(problem, k));
  if (!best) return null;

  // 3. Small search spaces (few places to cut, few areas): try every combination — optimal.
  const places: number[] = [];
  for (let u = 0; u < n; u++) if (cuttable[u]) places.push(u);
  let combos = 1;
  for (let i = 0; i < k - 1; i++) combos = (combos * (places.length - i)) / (i + 1);
  if (combos * n <= 3e7) {
    const pick: number[] = [];
    const choose = (start: number) => {
      if (pick.length === k - 1) return consider(pick.slice());
      for (let i = start; i <= places.length - (k - 1 - pick.length); i++) {
        pick.push(places[i]!);
        choose(i + 1);
        pick.pop();
      }
    };
    choose(0);
  }

  // 4. Local search: move one cut to another place while that lowers max/min, within a budget
  //    of about 3·10⁷ bus visits (a few tenths of a second on a 10,000-bus feeder).
  let budget = Math.floor(3e7 / n);
  let current = best as { boundary: number[]; ratio: number };
  let improved = true;
  while (improved && budget > 0) {
    improved = false;
    for (let i = 0; i < current.boundary.length && budget > 0; i++) {
      const taken = new Set(current.boundary);
      for (const c of places) {
        if (taken.has(c) || budget-- <= 0) continue;
        const trial = current.boundary.slice();
        trial[i] = c;
        const ratio = scorer.ratio(trial);
        if (ratio < current.ratio - 1e-12) {
          current = { boundary: trial, ratio };
          taken.delete(current.boundary[i]!);
          improved = true;
          break;
        }
      }
    }
  }
  return Number.isFinite(current.ratio) ? current.boundary : null;
}

/** Area sizes of a cut set in one pass (same rules as checkPartition); max/min, or ∞ when an area is empty. */
class AreaScorer {
  private readonly isCut: Uint8Array;
  private readonly home: Int32Array;
  constructor(
    private readonly tree: SearchTree,
    private readonly weight: Float64Array,
    private readonly kept: Float64Array,
  ) {
    this.isCut = new Uint8Array(tree.names.length);
    this.home = new Int32Array(tree.names.length);
  }

  ratio(boundary: readonly number[]): number {
    const { tree, weight, kept, isCut, home } = this;
    isCut.fill(0);
    for (const b of boundary) {
      if (isCut[b]) return Infinity;
      isCut[b] = 1;
    }
    const size = new Float64Array(boundary.length + 1);
    const own = new Int32Array(boundary.length + 1);
    let areas = 0;
    for (let i = 0; i < tree.preorder.length; i++) {
      const u = tree.preorder[i]!;
      if (u === tree.root) {
        home[u] = areas++;
        own[home[u]!]!++;
      } else if (isCut[u]) {
        size[home[tree.parent[u]!]!] += kept[u]!;
        home[u] = areas++;
        own[home[u]!]!++;
      } else {
        home[u] = home[tree.parent[u]!]!;
        size[home[u]!] += weight[u]!;
        own[home[u]!]!++;
      }
    }
    if (areas !== boundary.length + 1) return Infinity; // a boundary the walk did not reach
    let max = 0;
    let min = Infinity;
    for (let a = 0; a < areas; a++) {
      if (own[a]! < 2) return Infinity;
      max = Math.max(max, size[a]!);
      min = Math.min(min, size[a]!);
    }
    return max / Math.max(1, min);
  }
}

/** Split the largest area as evenly as possible, k−1 times. */
function bisect({ tree, weight, kept, cuttable }: BalanceProblem, k: number): number[] {
  const n = tree.names.length;
  const reached = tree.preorder.length;
  const isCut = new Uint8Array(n);
  const boundary: number[] = [];
  const sub = new Float64Array(n);
  const areaOf = new Int32Array(n).fill(-1);
  for (let step = 0; step < k - 1; step++) {
    // Subtree weights within areas, and each area's total.
    const areaRoot: number[] = [];
    for (let i = 0; i < reached; i++) {
      const u = tree.preorder[i]!;
      if (u === tree.root || isCut[u]) areaOf[u] = areaRoot.push(u) - 1;
      else areaOf[u] = areaOf[tree.parent[u]!]!;
    }
    for (let i = reached - 1; i >= 0; i--) {
      const u = tree.preorder[i]!;
      let s = weight[u]!;
      for (const c of tree.children[u]!) s += isCut[c] ? kept[c]! : sub[c]!;
      sub[u] = s;
    }
    const areaSize = areaRoot.map((r) => sub[r]!);
    // Best split of each area: the cuttable bus whose subtree is nearest half the area.
    const order = areaSize.map((_, a) => a).sort((a, b) => areaSize[b]! - areaSize[a]!);
    let chosen = -1;
    for (const a of order) {
      let bestGap = Infinity;
      for (let u = 0; u < n; u++) {
        if (!cuttable[u] || isCut[u] || areaOf[u] !== a || u === areaRoot[a]) continue;
        const gap = Math.abs(areaSize[a]! - 2 * sub[u]!);
        if (gap < bestGap) {
          bestGap = gap;
          chosen = u;
        }
      }
      if (chosen >= 0) break;
    }
    if (chosen < 0) break;
    isCut[chosen] = 1;
    boundary.push(chosen);
  }
  return boundary;
}
