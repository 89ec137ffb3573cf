/**
 * Splitting a supernodal factorization between two threads (wasmKernel.ts, issues #15/#16).
 *
 * Supernodes are numbered in postorder, so the subtree of the supernodal elimination tree rooted
 * at s is the contiguous range s − size(s) + 1 .. s, and a left-looking factorization of s reads
 * only its descendants. Two disjoint subtrees are therefore independent: one thread may factor
 * one while the other factors the other, and the supernodes above them (the "top") follow once
 * both are done. Per supernode the arithmetic is unchanged, so the factor is the one-thread
 * factor to the bit; only who computes which supernode, and when, differs.
 *
 * The split: starting from the roots, the heaviest subtree still whole is cut — its root moves to
 * the top and its children become candidates — as long as that lowers the estimated time
 * top + max(heaviest candidate, half of all candidates); the candidates of the best step are
 * then dealt to the two threads heaviest first, each to the lighter thread (LPT). Work of a
 * supernode (estimate): its dense block's multiply–adds, Σ_j (nr − j)² over its columns
 * (the updates it sends to its ancestors, charged to it as in a right-looking count: the sum
 * over a subtree is the same), plus its stored entries and a fixed per-supernode overhead (the
 * real KKT matrices have ~2 columns per supernode: memory traffic and bookkeeping count).
 */

/** Contiguous supernode ranges [start, end) in increasing order. */
export type SupernodeRanges = readonly (readonly [number, number])[];

export interface SupernodePartition {
  /** Supernodes of each thread: whole subtrees, merged where contiguous. */
  readonly threads: readonly [SupernodeRanges, SupernodeRanges];
  /** The rest, factored after both threads: every ancestor of a thread's subtree. */
  readonly top: SupernodeRanges;
  /**
   * Estimated work (arbitrary units): total, top, each thread's; topCriticalPath: the heaviest
   * chain of the top (= top when it is one chain, the case on the real KKT matrices so far; what
   * any split of the top could not go below); topLargest: its largest supernode.
   */
  readonly work: {
    readonly total: number;
    readonly top: number;
    readonly threads: readonly [number, number];
    readonly topCriticalPath: number;
    readonly topLargest: number;
  };
  /** total / (top + the larger thread's): the estimated speed-up of two threads over one. */
  readonly speedup: number;
}

export interface PartitionInput {
  readonly nsuper: number;
  readonly superStart: Int32Array;
  readonly rowPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly colSuper: Int32Array;
}

/** Per-supernode overhead in the work estimate (in multiply–add units). */
const SUPERNODE_COST = 64;

/** Parent of each supernode in the supernodal elimination tree (−1 for a root). */
export function supernodeParents(sn: PartitionInput): Int32Array {
  const { nsuper, superStart: ss, rowPtr: rp, rowIdx: ri, colSuper } = sn;
  const parent = new Int32Array(nsuper);
  for (let s = 0; s < nsuper; s++) {
    const nc = ss[s + 1] - ss[s];
    const nr = rp[s + 1] - rp[s];
    parent[s] = nr > nc ? colSuper[ri[rp[s] + nc]] : -1;
  }
  return parent;
}

/** Max-heap of supernodes by a key. */
class Heap {
  private readonly items: number[] = [];
  constructor(private readonly key: Float64Array) {}
  get size(): number {
    return this.items.length;
  }
  peek(): number {
    return this.items[0];
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key[a[p]] >= this.key[x]) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && this.key[a[l + 1]] > this.key[a[l]] ? l + 1 : l;
        if (this.key[a[c]] <= this.key[last]) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function toRanges(members: Uint8Array, value: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < members.length; s++) {
    if (members[s] !== value) continue;
    if (out.length > 0 && out[out.length - 1][1] === s) out[out.length - 1][1] = s + 1;
    else out.push([s, s + 1]);
  }
  return out;
}

interface TreeWork {
  readonly parent: Int32Array;
  readonly own: Float64Array;
  readonly subtree: Float64Array;
  readonly size: Int32Array;
  readonly total: number;
}

function treeWork(sn: PartitionInput): TreeWork {
  const { nsuper, superStart: ss, rowPtr: rp } = sn;
  const parent = supernodeParents(sn);
  const own = new Float64Array(nsuper);
  const subtree = new Float64Array(nsuper);
  const size = new Int32Array(nsuper).fill(1);
  let total = 0;
  for (let s = 0; s < nsuper; s++) {
    const nc = ss[s + 1] - ss[s];
    const nr = rp[s + 1] - rp[s];
    let w = SUPERNODE_COST + nc * nr;
    for (let j = 0; j < nc; j++) w += (nr - j) * (nr - j);
    own[s] = w;
    total += w;
    subtree[s] += w;
    const p = parent[s];
    if (p >= 0) {
      if (p <= s)
        throw new Error(`partitionSupernodes: supernode ${s}'s parent ${p} is not after it (not a postorder)`);
      subtree[p] += subtree[s];
      size[p] += size[s];
    }
  }
  return { parent, own, subtree, size, total };
}

/**
 * The cuts in order (heaviest whole subtree first) while the top stays under half the work, and
 * the best prefix by the estimate top + max(heaviest candidate, half of all candidates).
 */
function cutSequence(tree: TreeWork): { cut: number[]; bestCuts: number } {
  const { parent, own, subtree, size, total } = tree;
  const nsuper = parent.length;
  const heap = new Heap(subtree);
  let candidates = 0;
  for (let s = 0; s < nsuper; s++)
    if (parent[s] < 0) {
      heap.push(s);
      candidates += subtree[s];
    }
  const cut: number[] = [];
  let topWork = 0;
  let best = Infinity;
  let bestCuts = 0;
  while (heap.size > 0) {
    const est = topWork + Math.max(subtree[heap.peek()], candidates / 2);
    if (est < best) {
      best = est;
      bestCuts = cut.length;
    }
    if (topWork > total / 2) break; // a top this heavy cannot win any more
    const r = heap.pop();
    cut.push(r);
    topWork += own[r];
    candidates -= subtree[r];
    // children of r: r − 1, then before each child's subtree, down to r's first descendant
    for (let c = r - 1; c > r - size[r]; c -= size[c]) {
      heap.push(c);
      candidates += subtree[c];
    }
  }
  return { cut, bestCuts };
}

/** The two-thread split of a supernodal structure (see the file's comment). */
export function partitionSupernodes(sn: PartitionInput): SupernodePartition {
  const nsuper = sn.nsuper;
  const tree = treeWork(sn);
  const { parent, own, subtree, size, total } = tree;
  const { cut, bestCuts } = cutSequence(tree);
  // 0: top, 1/2: thread 0/1
  const where = new Uint8Array(nsuper);
  for (let k = 0; k < bestCuts; k++) where[cut[k]] = 3; // marked: in the top
  const roots: number[] = [];
  for (let s = 0; s < nsuper; s++) {
    if (where[s] === 3) continue;
    const p = parent[s];
    if (p < 0 || where[p] === 3) roots.push(s);
  }
  roots.sort((a, b) => subtree[b] - subtree[a] || a - b);
  const load: [number, number] = [0, 0];
  for (const r of roots) {
    const t = load[0] <= load[1] ? 0 : 1;
    load[t] += subtree[r];
    where.fill(1 + t, r - size[r] + 1, r + 1);
  }
  for (let s = 0; s < nsuper; s++) if (where[s] === 3) where[s] = 0;
  let top = 0;
  let topLargest = 0;
  let topCriticalPath = 0;
  const chain = new Float64Array(nsuper); // heaviest chain of the top ending at s
  for (let s = 0; s < nsuper; s++) {
    if (where[s] !== 0) continue;
    top += own[s];
    topLargest = Math.max(topLargest, own[s]);
    chain[s] += own[s];
    topCriticalPath = Math.max(topCriticalPath, chain[s]);
    const p = parent[s];
    if (p >= 0) chain[p] = Math.max(chain[p], chain[s]);
  }
  return {
    threads: [toRanges(where, 1), toRanges(where, 2)],
    top: toRanges(where, 0),
    work: { total, top, threads: load, topCriticalPath, topLargest },
    speedup: total / (top + Math.max(load[0], load[1]) || 1),
  };
}

/**
 * The factorization's schedule with the top overlapped (wasmKernel.ts): the helper thread factors
 * its subtrees in the order the top needs them, and this thread factors the top supernode by
 * supernode, in order, each as soon as every subtree below it is done — its own share of the
 * subtrees in between. On the 8500-node KKT the top is one chain of ~100 supernodes holding a
 * third of the work: run after both threads it caps the gain at 1.5×; overlapped, the helper
 * works on the subtrees the chain needs next while this thread climbs it.
 */
export interface PipelineSchedule {
  /** The helper's subtrees [s0, s1), in the order it factors them. */
  readonly helper: SupernodeRanges;
  /**
   * This thread's steps in order: [s0, s1, need] — a subtree (need −1), or a run of top
   * supernodes, factored once the helper has finished `need` of its subtrees.
   */
  readonly main: readonly (readonly [number, number, number])[];
  /** Estimated work of the one-thread factor over the schedule's (makespan). */
  readonly speedup: number;
}

interface Simulation {
  readonly makespan: number;
  readonly helper: number[];
  readonly main: [number, number, number][];
}

/** List-schedules the candidates below the cut (inTop) and returns the makespan (and, with `build`, the steps). */
function simulate(tree: TreeWork, inTop: Uint8Array, build: boolean): Simulation {
  const { parent, own, subtree } = tree;
  const nsuper = parent.length;
  // candidates: whole subtrees hanging off the top (or roots); due before their parent
  const cand: number[] = [];
  for (let s = 0; s < nsuper; s++) if (!inTop[s] && (parent[s] < 0 || inTop[parent[s]])) cand.push(s);
  const due = (c: number): number => (parent[c] < 0 ? nsuper : parent[c]);
  cand.sort((a, b) => due(a) - due(b) || subtree[b] - subtree[a] || a - b);
  let t0 = 0;
  let t1 = 0;
  let k = 0;
  let helperCount = 0;
  const helper: number[] = [];
  const main: [number, number, number][] = [];
  const assign = (c: number): void => {
    if (t1 <= t0) {
      t1 += subtree[c];
      helperCount++;
      if (build) helper.push(c);
    } else {
      t0 += subtree[c];
      if (build) main.push([c, c, -1]);
    }
  };
  for (let s = 0; s < nsuper; s++) {
    if (!inTop[s]) continue;
    while (k < cand.length && due(cand[k]) <= s) assign(cand[k++]);
    t0 = Math.max(t0, t1) + own[s];
    if (build) {
      const last = main[main.length - 1];
      // a run of consecutive top supernodes with the same need
      if (last && last[2] === helperCount && last[1] === s - 1) last[1] = s;
      else main.push([s, s, helperCount]);
    }
  }
  while (k < cand.length) assign(cand[k++]);
  return { makespan: Math.max(t0, t1), helper, main };
}

/** How much better than the plain split (top after both) the overlapped schedule must be estimated for 'auto' to take it. */
export const PIPELINE_GAIN = 1.1;

/**
 * Could an overlapped schedule be taken over a plain split of estimated speed-up `plainSpeedup`?
 * Two threads never beat half the work each (a schedule's speed-up is at most 2), so not when the
 * plain split is within PIPELINE_GAIN of that: then its search (a list schedule of every
 * supernode per trial cut; 4 s on the IEEE 123 year) need not run.
 */
export function pipelineCouldWin(plainSpeedup: number): boolean {
  return PIPELINE_GAIN * plainSpeedup < 2;
}

/** The pipelined two-thread schedule of a supernodal structure (above), or null when it does not beat one thread. */
export function pipelineSchedule(sn: PartitionInput): PipelineSchedule | null {
  const tree = treeWork(sn);
  const { size, total } = tree;
  const { cut } = cutSequence(tree);
  const nsuper = sn.nsuper;
  // the makespan of prefixes of the cut sequence: ~40 spread over it, then ~20 around the best
  const inTop = new Uint8Array(nsuper);
  const makespan = (k: number): number => {
    inTop.fill(0);
    for (let i = 0; i < k; i++) inTop[cut[i]] = 1;
    return simulate(tree, inTop, false).makespan;
  };
  let best = Infinity;
  let bestCuts = 0;
  const scan = (from: number, to: number, step: number): void => {
    for (let k = Math.max(0, from); k <= Math.min(cut.length, to); k += step) {
      const m = makespan(k);
      if (m < best) {
        best = m;
        bestCuts = k;
      }
    }
  };
  const coarse = Math.max(1, Math.ceil(cut.length / 40));
  scan(0, cut.length, coarse);
  if (coarse > 1) scan(bestCuts - coarse, bestCuts + coarse, Math.max(1, Math.ceil(coarse / 10)));
  inTop.fill(0);
  for (let k = 0; k < bestCuts; k++) inTop[cut[k]] = 1;
  const sim = simulate(tree, inTop, true);
  if (!(sim.makespan < total)) return null;
  // subtrees as ranges: the subtree of c is c − size(c) + 1 .. c
  return {
    helper: sim.helper.map((c) => [c - size[c] + 1, c + 1] as const),
    main: sim.main.map(([a, b, need]) =>
      need < 0 ? ([a - size[a] + 1, a + 1, -1] as const) : ([a, b + 1, need] as const),
    ),
    speedup: total / sim.makespan,
  };
}
