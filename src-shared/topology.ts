/**
 * Feeder topology for the one-line view: the tree oriented from the substation (model/tree.ts), a tidy O(n)
 * layout for feeders without coordinates, and areas from a set of cut branches.
 *
 * Pure functions over the Feeder model (no DOM, no cytoscape) so they are unit-tested and run in
 * a few milliseconds on a 10,000-bus feeder.
 */
import type { Feeder } from '../src-solver/model/feeder';
import { splitAreas } from '../src-solver/enapp/partition';
import { orientFeeder, type OrientedFeeder } from '../src-solver/model/tree';
import type { CutBranch } from '../src-main/contract';

/** The feeder oriented from the substation, tolerant of loops and islands (the view draws them). */
export type FeederTree = OrientedFeeder;

/** The one-line view's tree: src-solver/model/tree.ts `orientFeeder`, which never fails. */
export function buildTree(feeder: Feeder): FeederTree {
  return orientFeeder(feeder);
}

/**
 * Tidy tree layout: y = depth, x = leaf order (leaves one unit apart, a parent centred over its
 * first and last child). O(n). Unreachable buses are placed in a row below the tree.
 */
export function treeLayout(tree: FeederTree, spacing = 40): { x: Float64Array; y: Float64Array } {
  const n = tree.names.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  // Depth-first leaf order: iterative pre-order walk so leaves get consecutive slots.
  let nextLeaf = 0;
  const stack: number[] = tree.order.length ? [tree.root] : [];
  const post: number[] = [];
  while (stack.length) {
    const u = stack.pop()!;
    post.push(u);
    const ch = tree.children[u];
    if (ch.length === 0) x[u] = nextLeaf++;
    for (let i = ch.length - 1; i >= 0; i--) stack.push(ch[i]);
  }
  // Parents after children: reverse pre-order visits every child before its parent.
  for (let i = post.length - 1; i >= 0; i--) {
    const u = post[i];
    const ch = tree.children[u];
    if (ch.length) x[u] = (x[ch[0]] + x[ch[ch.length - 1]]) / 2;
  }
  let maxDepth = 0;
  for (let i = 0; i < n; i++) if (tree.depth[i] > maxDepth) maxDepth = tree.depth[i];
  let stray = 0;
  for (let i = 0; i < n; i++) {
    if (tree.depth[i] >= 0) {
      x[i] *= spacing;
      y[i] = tree.depth[i] * spacing * 1.6;
    } else {
      x[i] = stray++ * spacing;
      y[i] = (maxDepth + 2) * spacing * 1.6;
    }
  }
  return { x, y };
}

export interface LocalAreas {
  /** Area number per bus (1 = substation area), 0 when unreachable. */
  readonly areaOf: Int32Array;
  readonly count: number;
  /** Bus index of each area's root, by area number (index 0 unused). */
  readonly rootOf: readonly number[];
  readonly sizes: readonly number[];
  /** Problems found without asking the backend (the backend's partition.check is authoritative). */
  readonly errors: readonly string[];
}

/** Key of a branch regardless of orientation. */
export function edgeKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/**
 * Areas induced by cut branches, by the backend's own rule and numbering (enapp/partition.ts
 * `splitAreas`): walk the tree from the substation; crossing a cut branch starts a new area
 * rooted at the child-side bus (the boundary bus). The view colours and lists these until the
 * backend's partition.check (which also checks the boundary buses' devices) answers.
 */
export function areasFromCuts(tree: FeederTree, cuts: readonly CutBranch[]): LocalAreas {
  const split = splitAreas(tree, cuts);
  const errors: string[] = [];
  for (const c of split.cuts) {
    if (!('problem' in c)) continue;
    const { cut, problem } = c;
    const name = `cut ${cut.from}–${cut.to}`;
    if (problem.kind === 'unknownBus') errors.push(`${name} names a bus that is not in the feeder`);
    else if (problem.kind === 'notABranch') errors.push(`${name} is not a branch of the feeder`);
    else if (problem.kind === 'backwards') errors.push(`${name} is named backwards (name it ${cut.to}–${cut.from})`);
    else errors.push(`${name} is listed twice`);
  }
  const count = split.rootOf.length - 1;
  for (let a = 2; a <= count; a++) {
    if (split.ownCount[a] === 1) {
      const r = tree.names[split.rootOf[a]];
      const p = tree.names[tree.parent[split.rootOf[a]]];
      errors.push(`cut ${p}–${r} leaves area ${a} with only its boundary bus ${r}`);
    }
  }
  errors.push(...topologyProblems(tree));
  return { areaOf: split.areaOf, count, rootOf: split.rootOf, sizes: split.ownCount, errors };
}

const andMore = (list: readonly unknown[]): string => (list.length > 1 ? ` (and ${list.length - 1} more)` : '');

/**
 * What keeps the feeder from being one radial tree from its substation, in plain words (the import
 * wizard and the Areas view show them): a loop among the buses the substation reaches (meshed);
 * buses it does not reach (disconnected) — and, apart, a loop inside such an island, which does
 * not make the connected feeder meshed.
 */
export function topologyProblems(tree: FeederTree): string[] {
  const out: string[] = [];
  if (tree.loops.length)
    out.push(
      `The network is meshed: branch ${tree.loops[0]} closes a loop${andMore(tree.loops)}. Tessera needs a radial feeder; open a switch or remove the tie.`,
    );
  const cut = tree.unreachable;
  if (cut.length)
    out.push(
      `${cut.length} bus${cut.length > 1 ? 'es are' : ' is'} not connected to the substation: ${cut.slice(0, 8).join(', ')}${cut.length > 8 ? ', …' : ''}.`,
    );
  if (tree.islandLoops.length)
    out.push(`Among the buses not connected, branch ${tree.islandLoops[0]} closes a loop${andMore(tree.islandLoops)}.`);
  return out;
}

/**
 * Cuts that make the selected buses one area: cut above the selection's top bus, remove cuts
 * inside it, cut where the tree leaves it. Returns null with a reason when the selection is not
 * connected (an area must be a connected subtree).
 */
export function cutsForSelection(
  tree: FeederTree,
  cuts: readonly CutBranch[],
  selected: readonly string[],
): { cuts: CutBranch[] } | { error: string } {
  const sel = new Set<number>();
  for (const name of selected) {
    const i = tree.index.get(name);
    if (i !== undefined && tree.depth[i] >= 0) sel.add(i);
  }
  if (sel.size === 0) return { error: 'Select at least one bus.' };
  const tops = [...sel].filter((i) => !sel.has(tree.parent[i]));
  if (tops.length !== 1) return { error: `The selection is not connected: it has ${tops.length} separate parts.` };
  const top = tops[0];
  const key = (a: number, b: number) => edgeKey(tree.names[a], tree.names[b]);
  const next = new Map<string, CutBranch>();
  for (const c of cuts) {
    const a = tree.index.get(c.from);
    const b = tree.index.get(c.to);
    if (a !== undefined && b !== undefined && sel.has(a) && sel.has(b)) continue; // inside: merge
    next.set(edgeKey(c.from, c.to), c);
  }
  const p = tree.parent[top];
  if (p >= 0) next.set(key(p, top), { from: tree.names[p], to: tree.names[top] });
  for (const u of sel)
    for (const c of tree.children[u]) if (!sel.has(c)) next.set(key(u, c), { from: tree.names[u], to: tree.names[c] });
  return { cuts: [...next.values()] };
}

/** Toggle a cut on the branch between two adjacent buses, oriented parent → child. */
export function toggleCut(tree: FeederTree, cuts: readonly CutBranch[], a: string, b: string): CutBranch[] {
  const k = edgeKey(a, b);
  if (cuts.some((c) => edgeKey(c.from, c.to) === k)) return cuts.filter((c) => edgeKey(c.from, c.to) !== k);
  const ia = tree.index.get(a);
  const ib = tree.index.get(b);
  const parentFirst = ib !== undefined && ia !== undefined && tree.parent[ib] === ia;
  return [...cuts, parentFirst ? { from: a, to: b } : { from: b, to: a }];
}
