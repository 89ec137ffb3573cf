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

/** The two-thread split of a supernodal structure (see the file's comment). */
export function partitionSupernodes(sn: PartitionInput): SupernodePartition {
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
  // Cut the heaviest whole subtree while the estimate improves (best step kept).
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
