/**
 * A fill-reducing ordering for multi-period systems: nested dissection in time, one period's
 * AMD order replicated.
 *
 * Problem: the KKT matrix of a multi-period OPF is T copies of one period's pattern, coupled only
 * through a few nodes (battery state-of-charge chains, terminal rows). AMD over the whole matrix
 * (amd.ts) spends O(nnz · passes) on a graph it could have ordered once per period, and its
 * elimination tree has no top-level split into two independent halves.
 *
 * Input: the pattern and a period per node, p(i) ∈ {0 … T−1} or −1 (a node of no period, e.g. a
 * row coupling the first and the last period). Every edge must join nodes of the same or of
 * adjacent periods, or touch a node of no period; the hint is rejected (with the reason)
 * otherwise.
 *
 * Method (recursive on a range of periods [a, b)):
 *   - b − a = 1: the period's nodes that are not in a separator, in the period's AMD order;
 *   - else, with h = ⌊(a + b)/2⌋: the nodes of period h−1 with a neighbour in period h (L) and
 *     those of period h with a neighbour in period h−1 (R) each separate [a, h) from [h, b);
 *     the smaller one (R on a tie) is the separator S. Order [a, h), then [h, b), then S.
 *   Nodes of no period come last of all. Separators are removed from their period before the
 *   leaves are ordered (a leaf's order is its period's AMD order with the separator nodes left
 *   out).
 * One period's AMD order serves every period whose subgraph is the same under the shift of
 * indices (node q of period t ↔ node q of the template: the q-th smallest index of each period;
 * checked entry by entry, O(nnz)); a period that differs gets its own AMD order.
 *
 * Why: the elimination tree then splits at the top into two subtrees of about equal work (two
 * halves of the horizon) joined by a separator of a few nodes per level (≈ nBat · log₂T in all),
 * and AMD runs on one period's graph (n/T nodes) instead of all n.
 *
 * References: A. George, "Nested dissection of a regular finite element mesh", SIAM J. Numer.
 * Anal. 10(2), 1973 (separators last); P. R. Amestoy, T. A. Davis, I. S. Duff, SIAM J. Matrix
 * Anal. Appl. 17(4), 1996 (AMD, amd.ts). Written for this solver; no code copied.
 */
import type { SymmetricPattern } from './csc';
import { amdOrder } from './amd';
import { permutedColumnCounts } from './symbolic';
import { giveInt32, takeInt32 } from './scratch';

/**
 * Largest share of all nodes the separators may hold. Dissection in time pays a dense block per
 * separator against its neighbours' separators, so it only pays where the coupling is thin.
 * Measured against AMD, stable KKT ordering (nlp/kkt.ts), CPU time of the WebAssembly kernel:
 *   - the 8500-node feeder × 24 h, 50 batteries, separators 0.06 % of the nodes: nnz(L) −1 %,
 *     flops 3.2e8 against 5.4e8, factorization and solve the same time (0.35 s, 0.08 s), ordering
 *     1.1–1.3 s against 1.7–2.0 s;
 *   - balanced IEEE 123 × 720 h, 26 batteries, separators 2.2 %: nnz(L) +7 %, flops +28 %, and
 *     still the same factorization time (0.11–0.13 s) and solve time (0.04 s), ordering 0.3 s
 *     against 1.0 s;
 *   - in both, the elimination tree splits at the top into two halves of the horizon
 *     (49.8 % / 46.1 % and 50.1 % / 49.7 % of the work), where AMD's has no split at all.
 * The factorization is bound by memory traffic (supernodes of ~2 columns), not by flops, so a
 * few more flops cost nothing measurable; 5 % leaves room above the densest battery placement
 * measured (one battery per five buses) without letting a strongly coupled horizon through.
 */
export const PERIOD_ORDER_MAX_SEPARATOR_FRACTION = 0.05;

export interface PeriodOrderOptions {
  /** Leaves are ranges of at most this many periods (default 1: dissect down to single periods). */
  readonly leafPeriods?: number;
  /** Give up (ok: false) when the separators hold more than this share of the nodes (default PERIOD_ORDER_MAX_SEPARATOR_FRACTION). */
  readonly maxSeparatorFraction?: number;
}

export type PeriodOrderResult =
  | {
      readonly ok: true;
      /** order[k] = the original index of the k-th pivot. */
      readonly order: Int32Array;
      /** Number of periods T. */
      readonly periods: number;
      /** Nodes in separators (all levels) and nodes of no period. */
      readonly separatorNodes: number;
      readonly noPeriodNodes: number;
      /** Periods ordered with their own AMD run (the others reused a template's order). */
      readonly amdRuns: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The time-nested-dissection order of `pattern` for the period of each node `periodOf` (length n,
 * integers in [−1, periods)). Returns `{ ok: false, reason }` when the hint does not describe the
 * pattern's structure (fewer than 2 periods, an edge across non-adjacent periods, a period with
 * no node, a value out of range).
 */
export function periodOrder(
  pattern: SymmetricPattern,
  periodOf: Int32Array,
  periods: number,
  options: PeriodOrderOptions = {},
): PeriodOrderResult {
  const leafPeriods = Math.max(1, options.leafPeriods ?? 1);
  const maxSeparatorFraction = options.maxSeparatorFraction ?? PERIOD_ORDER_MAX_SEPARATOR_FRACTION;
  const n = pattern.n;
  const { colPtr, rowIdx } = pattern;
  if (periodOf.length !== n) return { ok: false, reason: `the hint has ${periodOf.length} entries for ${n} nodes` };
  if (!Number.isInteger(periods) || periods < 2)
    return { ok: false, reason: `${periods} period(s): nothing to dissect in time` };
  // Nodes by period (CSR, increasing index within a period); nodes of no period listed apart.
  const start = new Int32Array(periods + 1);
  let noPeriod = 0;
  for (let i = 0; i < n; i++) {
    const p = periodOf[i];
    if (p === -1) noPeriod++;
    else if (!(p >= 0 && p < periods && Number.isInteger(p)))
      return { ok: false, reason: `node ${i} has period ${p}, outside [−1, ${periods})` };
    else start[p + 1]++;
  }
  for (let t = 0; t < periods; t++) {
    if (start[t + 1] === 0) return { ok: false, reason: `period ${t} has no node` };
    start[t + 1] += start[t];
  }
  // (nodes, rank, blockOf: scratch.ts temporaries, handed back at the end)
  const nodes = takeInt32(start[periods]);
  const rank = takeInt32(n); // position of a node within its period
  {
    const fill = start.slice(0, periods);
    for (let i = 0; i < n; i++) {
      const p = periodOf[i];
      if (p >= 0) {
        rank[i] = fill[p] - start[p];
        nodes[fill[p]++] = i;
      }
    }
  }
  // Every entry must join nodes of the same or adjacent periods (or a node of no period).
  for (let j = 0; j < n; j++) {
    const pj = periodOf[j];
    if (pj < 0) continue;
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
      const pi = periodOf[rowIdx[q]];
      if (pi >= 0 && (pi - pj > 1 || pj - pi > 1))
        return {
          ok: false,
          reason: `entry (${rowIdx[q]}, ${j}) joins periods ${pi} and ${pj}: the hint does not match the pattern (only adjacent periods may be coupled)`,
        };
    }
  }

  // Separators (top-down, so a lower level never picks a node a higher level took).
  const inSep = new Uint8Array(n);
  const sepLists: Int32Array[] = [];
  const mark = new Uint8Array(n);
  /**
   * The nodes of period h−1 with a neighbour in period h (L) and those of h with one in h−1 (R),
   * outside separators: each entry is stored once, in the column of its larger index, which lies
   * in one of the two periods.
   */
  const cut = (h: number): { left: Int32Array; right: Int32Array } => {
    const left: number[] = [];
    const right: number[] = [];
    for (let k = start[h - 1]; k < start[h + 1]; k++) {
      const j = nodes[k];
      if (inSep[j]) continue;
      const pj = periodOf[j];
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
        const i = rowIdx[q];
        const pi = periodOf[i];
        if (pi === pj || pi < h - 1 || pi > h || inSep[i]) continue;
        for (const x of [i, j]) {
          if (mark[x]) continue;
          mark[x] = 1;
          (periodOf[x] === h ? right : left).push(x);
        }
      }
    }
    for (const x of left) mark[x] = 0;
    for (const x of right) mark[x] = 0;
    return { left: Int32Array.from(left), right: Int32Array.from(right) };
  };
  // The output is assembled from a tree of ranges: post-order (left, right, separator).
  type Range = { a: number; b: number; sep: Int32Array | null };
  const tree: Range[] = [];
  const build = (a: number, b: number): number => {
    const id = tree.length;
    tree.push({ a, b, sep: null });
    if (b - a === 1) return id;
    const { left, right } = cut((a + b) >> 1);
    const sep = right.length <= left.length ? right : left;
    for (const i of sep) inSep[i] = 1;
    tree[id]!.sep = sep;
    sepLists.push(sep);
    return id;
  };
  // Separators first (top-down, so a lower level never picks a node a higher level took), then
  // the output in post-order.
  const queue: [number, number][] = [[0, periods]];
  for (let head = 0; head < queue.length; head++) {
    const [a, b] = queue[head]!;
    if (b - a <= leafPeriods) continue;
    build(a, b);
    const h = (a + b) >> 1;
    queue.push([a, h], [h, b]);
  }
  const sepOf = new Map<string, Int32Array>();
  for (const r of tree) if (r.sep) sepOf.set(`${r.a}:${r.b}`, r.sep);
  let separatorNodes = 0;
  for (const s of sepLists) separatorNodes += s.length;
  if (separatorNodes > maxSeparatorFraction * n)
    return {
      ok: false,
      reason: `the separators in time hold ${separatorNodes} of ${n} nodes (${((100 * separatorNodes) / n).toFixed(2)} %, above ${100 * maxSeparatorFraction} %): the periods are coupled too strongly for dissection in time to beat AMD`,
    };

  // Leaves: ranges of at most `leafPeriods` periods, each ordered by AMD on its nodes outside
  // the separators; a leaf whose subgraph equals the last AMD-ordered one's (node q of one ↔
  // node q of the other, nodes in increasing index order) reuses that order.
  const blockOf = takeInt32(n).fill(-1); // leaf id of each node outside separators
  const leaves: { nodes: Int32Array }[] = [];
  const collect = (a: number, b: number): void => {
    if (b - a > leafPeriods && b - a > 1) {
      const h = (a + b) >> 1;
      collect(a, h);
      collect(h, b);
      return;
    }
    let size = 0;
    for (let t = a; t < b; t++) for (let q = start[t]; q < start[t + 1]; q++) if (!inSep[nodes[q]]) size++;
    const list = new Int32Array(size);
    let w = 0;
    for (let t = a; t < b; t++)
      for (let q = start[t]; q < start[t + 1]; q++) if (!inSep[nodes[q]]) list[w++] = nodes[q];
    list.sort();
    const id = leaves.length;
    for (let r = 0; r < size; r++) {
      blockOf[list[r]] = id;
      rank[list[r]] = r;
    }
    leaves.push({ nodes: list });
  };
  collect(0, periods);
  /** Leaf x's subgraph equals leaf y's when node r of one is node r of the other (upper CSC columns compared). */
  const same = (x: Int32Array, idX: number, y: Int32Array, idY: number): boolean => {
    if (x.length !== y.length) return false;
    for (let r = 0; r < x.length; r++) {
      const i = x[r];
      const k = y[r];
      let qi = colPtr[i];
      let qk = colPtr[k];
      for (;;) {
        while (qi < colPtr[i + 1] && blockOf[rowIdx[qi]] !== idX) qi++;
        while (qk < colPtr[k + 1] && blockOf[rowIdx[qk]] !== idY) qk++;
        const endI = qi >= colPtr[i + 1];
        const endK = qk >= colPtr[k + 1];
        if (endI || endK) {
          if (endI !== endK) return false;
          break;
        }
        if (rank[rowIdx[qi]] !== rank[rowIdx[qk]]) return false;
        qi++;
        qk++;
      }
    }
    return true;
  };
  /** AMD on a leaf's subgraph (its nodes in increasing index order: the upper CSC stays upper). */
  const leafAmd = (id: number): Int32Array => {
    const list = leaves[id]!.nodes;
    const size = list.length;
    const cp = new Int32Array(size + 1);
    for (let r = 0; r < size; r++) {
      const j = list[r];
      let c = 0;
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) if (blockOf[rowIdx[q]] === id) c++;
      cp[r + 1] = cp[r] + c;
    }
    const ri = new Int32Array(cp[size]);
    for (let r = 0; r < size; r++) {
      const j = list[r];
      let p = cp[r];
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) if (blockOf[rowIdx[q]] === id) ri[p++] = rank[rowIdx[q]];
    }
    amdRuns++;
    return amdOrder({ n: size, colPtr: cp, rowIdx: ri });
  };
  let amdRuns = 0;
  const leafOrder: Int32Array[] = [];
  const templates: number[] = []; // leaves ordered by AMD (the most recent few)
  for (let id = 0; id < leaves.length; id++) {
    const list = leaves[id]!.nodes;
    const match = templates.find((s) => same(list, id, leaves[s]!.nodes, s));
    if (match !== undefined) leafOrder.push(leafOrder[match]!);
    else {
      leafOrder.push(leafAmd(id));
      templates.unshift(id);
      if (templates.length > 4) templates.pop();
    }
  }

  const order = new Int32Array(n);
  let k = 0;
  let leaf = 0;
  const emit = (a: number, b: number): void => {
    if (b - a <= leafPeriods || b - a === 1) {
      const list = leaves[leaf]!.nodes;
      for (const r of leafOrder[leaf]!) order[k++] = list[r];
      leaf++;
      return;
    }
    const h = (a + b) >> 1;
    emit(a, h);
    emit(h, b);
    for (const i of sepOf.get(`${a}:${b}`)!) order[k++] = i;
  };
  emit(0, periods);
  for (let i = 0; i < n; i++) if (periodOf[i] === -1) order[k++] = i;
  if (k !== n) throw new Error(`periodOrder: ordered ${k} of ${n} nodes`); // cannot happen
  giveInt32(nodes, rank, blockOf);
  return { ok: true, order, periods, separatorNodes, noPeriodNodes: noPeriod, amdRuns };
}

/**
 * How the elimination tree of P A Pᵀ (P from `order`) splits at the top: the work (Σ |L_{*j}|²,
 * multiply–adds) of the chain of nodes from the root down to the first node with two or more
 * children (`top`; a forest has no chain), and of each subtree below it (`halves`, largest first).
 * The subtrees can be factored independently of each other (two threads, one per half).
 */
export function topSplit(pattern: SymmetricPattern, order: Int32Array): { top: number; halves: number[] } {
  const { parent, counts: cc } = permutedColumnCounts(pattern, order);
  const n = pattern.n;
  // subtree work, children before parents (a parent's index is larger than its children's)
  const work = new Float64Array(n);
  const children = new Int32Array(n);
  const roots: number[] = [];
  for (let j = 0; j < n; j++) {
    work[j] += cc[j] * cc[j];
    const p = parent[j];
    if (p < 0) roots.push(j);
    else {
      work[p] += work[j];
      children[p]++;
    }
  }
  let top = 0;
  let node = roots.length === 1 ? roots[0] : -1;
  while (node >= 0 && children[node] === 1) {
    top += cc[node] * cc[node];
    let child = -1;
    for (let j = node - 1; j >= 0; j--)
      if (parent[j] === node) {
        child = j;
        break;
      }
    node = child;
  }
  const tops = node >= 0 ? [node] : roots;
  const halves: number[] = [];
  for (const t of tops) {
    if (node >= 0) {
      top += cc[t] * cc[t];
      for (let j = 0; j < t; j++) if (parent[j] === t) halves.push(work[j]);
    } else halves.push(work[t]);
  }
  halves.sort((a, b) => b - a);
  return { top, halves };
}
