/**
 * Symbolic analysis for a sparse LDLᵀ factorization: symmetric permutation, elimination tree,
 * postorder and the exact nonzero structure of L (by rows and by columns).
 *
 * Notation: C = P A Pᵀ (upper triangle, CSC). The elimination tree has parent(j) = min{ i > j :
 * l_ij ≠ 0 }. Row k of L has nonzeros exactly at the nodes met when walking the tree upward from
 * every i with c_ik ≠ 0 (i < k) until k ("row subtree", Liu 1986). Postordering the tree (children
 * numbered before parents, subtrees contiguous) gives an equivalent ordering with identical fill
 * and contiguous supernodes/subtrees, which keeps the numeric loops local in memory.
 *
 * References: J. W. H. Liu, "The role of elimination trees in sparse factorization",
 * SIAM J. Matrix Anal. Appl. 11(1), 1990; T. A. Davis, "Direct Methods for Sparse Linear
 * Systems", SIAM 2006, §4.1 (etree), §4.3 (postorder), §4.4–4.5 (row/column counts).
 */
import type { SymmetricPattern } from './csc';
import { giveInt32, takeInt32 } from './scratch';

/**
 * C = P A Pᵀ in upper CSC form (rows sorted, diagonal last) and, for each entry of A, its slot in C.
 * Two passes over A (count per column of C, then place each entry), then each column of C sorted
 * by row in place (insertion sort: KKT columns hold a few entries; a typed sort above 32) with
 * the map following.
 */
export function permuteSymmetric(
  a: SymmetricPattern,
  perm: Int32Array,
): { pattern: SymmetricPattern; map: Int32Array } {
  const n = a.n;
  const nnz = a.colPtr[n];
  const { colPtr, rowIdx, src } = permutedScatter(a, perm, true);
  const map = new Int32Array(nnz);
  let srcOfRow: Int32Array | null = null; // long columns: the entry of each row, for a typed sort
  for (let k = 0; k < n; k++) {
    const lo = colPtr[k];
    const hi = colPtr[k + 1];
    if (hi - lo > 32) {
      srcOfRow ??= new Int32Array(n);
      for (let s = lo; s < hi; s++) srcOfRow[rowIdx[s]] = src[s];
      rowIdx.subarray(lo, hi).sort();
      for (let s = lo; s < hi; s++) src[s] = srcOfRow[rowIdx[s]];
    } else
      for (let s = lo + 1; s < hi; s++) {
        const r = rowIdx[s];
        if (r >= rowIdx[s - 1]) continue;
        const q = src[s];
        let t = s - 1;
        while (t >= lo && rowIdx[t] > r) {
          rowIdx[t + 1] = rowIdx[t];
          src[t + 1] = src[t];
          t--;
        }
        rowIdx[t + 1] = r;
        src[t + 1] = q;
      }
    for (let s = lo; s < hi; s++) map[src[s]] = s;
  }
  giveInt32(src);
  return { pattern: { n, colPtr, rowIdx }, map };
}

/** Elimination tree of an upper-CSC pattern: parent[j] (−1 for a root). Liu's algorithm with path compression. */
export function eliminationTree(c: SymmetricPattern): Int32Array {
  return treeOfColumns(c.n, c.colPtr, c.rowIdx);
}

/**
 * The columns of C = P A Pᵀ (upper CSC, rows unsorted) scattered from A (perm[k] = the original
 * index of the k-th pivot); with the diagonal, also src[s] = the entry of A in slot s (without it,
 * for the tree and counts only, src is empty).
 */
function permutedScatter(
  a: SymmetricPattern,
  perm: Int32Array,
  keepDiagonal: boolean,
): { colPtr: Int32Array; rowIdx: Int32Array; src: Int32Array } {
  const n = a.n;
  // (scratch.ts: the outputs too — callers hand them back once read)
  const iperm = takeInt32(n);
  for (let k = 0; k < n; k++) iperm[perm[k]] = k;
  const aColPtr = a.colPtr;
  const aRowIdx = a.rowIdx;
  const colPtr = takeInt32(n + 1);
  for (let j = 0; j < n; j++) {
    const pj = iperm[j];
    for (let q = aColPtr[j]; q < aColPtr[j + 1]; q++) {
      const pi = iperm[aRowIdx[q]];
      if (keepDiagonal || pi !== pj) colPtr[(pi < pj ? pj : pi) + 1]++;
    }
  }
  for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j];
  const next = takeInt32(n);
  next.set(colPtr.subarray(0, n));
  const rowIdx = takeInt32(colPtr[n]);
  const src = keepDiagonal ? takeInt32(colPtr[n]) : new Int32Array(0);
  for (let j = 0; j < n; j++) {
    const pj = iperm[j];
    for (let q = aColPtr[j]; q < aColPtr[j + 1]; q++) {
      const pi = iperm[aRowIdx[q]];
      if (!keepDiagonal && pi === pj) continue;
      const s = next[pi < pj ? pj : pi]++;
      rowIdx[s] = pi < pj ? pi : pj;
      if (keepDiagonal) src[s] = q;
    }
  }
  giveInt32(iperm, next);
  return { colPtr, rowIdx, src };
}

/**
 * The entries of C = P A Pᵀ grouped by column (perm[k] = the original index of the k-th pivot),
 * the diagonal included, rows in no particular order, and src[s] = the entry of A in slot s: a
 * permuteSymmetric without the row sort (for consumers that take a column's rows in any order).
 */
export function permutedEntries(
  a: SymmetricPattern,
  perm: Int32Array,
): { colPtr: Int32Array; rowIdx: Int32Array; src: Int32Array } {
  return permutedScatter(a, perm, true);
}

/**
 * The strictly-upper entries of C = P A Pᵀ grouped by column (perm[k] = the original index of the
 * k-th pivot), rows in no particular order: `rowIdx[colPtr[k] .. colPtr[k+1]-1]` are the rows
 * i < k of column k. Enough for the elimination tree and the column counts (Liu's algorithm and
 * the row-subtree walk take a column's rows in any order): one counting pass, one placing pass;
 * no row sort, no map, no diagonal.
 */
function permutedColumns(a: SymmetricPattern, perm: Int32Array): { colPtr: Int32Array; rowIdx: Int32Array } {
  return permutedScatter(a, perm, false);
}

/** Liu's algorithm on columns given as rows i < k in any order (see eliminationTree). */
function treeOfColumns(n: number, ptr: Int32Array, rows: Int32Array): Int32Array {
  const parent = new Int32Array(n).fill(-1);
  const ancestor = takeInt32(n).fill(-1);
  for (let k = 0; k < n; k++) {
    for (let q = ptr[k]; q < ptr[k + 1]; q++) {
      let i = rows[q];
      while (i !== -1 && i < k) {
        const up = ancestor[i];
        ancestor[i] = k;
        if (up === -1) parent[i] = k;
        i = up;
      }
    }
  }
  giveInt32(ancestor);
  return parent;
}

/**
 * Elimination tree and strictly-lower column counts of L for C = P A Pᵀ without forming C: the
 * same as eliminationTree and columnCounts of permuteSymmetric(a, perm).pattern.
 */
export function permutedColumnCounts(
  a: SymmetricPattern,
  perm: Int32Array,
): { parent: Int32Array; counts: Int32Array } {
  const { colPtr, rowIdx } = permutedColumns(a, perm);
  const { parent, counts } = treeAndCounts(a.n, colPtr, rowIdx, Infinity, false);
  giveInt32(colPtr, rowIdx);
  return { parent, counts };
}

/**
 * Σ_j |L_{*j}|² (the multiply–adds of the LDLᵀ of C = P A Pᵀ, as from permutedColumnCounts'
 * counts), or — when that sum reaches `atLeast` — a partial sum ≥ `atLeast` (`complete` false),
 * found without counting the remaining columns. For a comparison that only needs to know whether
 * the flops stay below a bound (nlp/kkt.ts: the plain order is taken only when it costs less
 * than half the stable one's).
 */
export function permutedFactorFlops(
  a: SymmetricPattern,
  perm: Int32Array,
  atLeast: number,
): { flops: number; complete: boolean } {
  const { colPtr, rowIdx } = permutedColumns(a, perm);
  const { parent, counts, flops, complete } = treeAndCounts(a.n, colPtr, rowIdx, atLeast, true);
  giveInt32(colPtr, rowIdx, parent, counts);
  return { flops, complete };
}

/**
 * Liu's elimination tree and the row-subtree column counts in ONE pass over the columns (rows
 * i < k in any order): after column k has updated the tree, every node of row k's subtree has its
 * parent (they are all descendants of k, linked by columns ≤ k), so row k can be walked at once —
 * the same tree and counts as two separate passes, with C's columns read once. `flops` is
 * Σ counts² kept up to date; the pass stops after the first column at which it reaches
 * `stopAt` (then `complete` is false and the tree and counts are partial).
 */
function treeAndCounts(
  n: number,
  ptr: Int32Array,
  rows: Int32Array,
  stopAt: number,
  scratchOutputs: boolean,
): { parent: Int32Array; counts: Int32Array; flops: number; complete: boolean } {
  const parent = (scratchOutputs ? takeInt32(n) : new Int32Array(n)).fill(-1);
  const ancestor = takeInt32(n).fill(-1);
  const counts = scratchOutputs ? takeInt32(n) : new Int32Array(n);
  const flag = takeInt32(n).fill(-1);
  let flops = 0;
  for (let k = 0; k < n; k++) {
    const q0 = ptr[k];
    const q1 = ptr[k + 1];
    for (let q = q0; q < q1; q++) {
      let i = rows[q];
      while (i !== -1 && i < k) {
        const up = ancestor[i];
        ancestor[i] = k;
        if (up === -1) parent[i] = k;
        i = up;
      }
    }
    flag[k] = k;
    for (let q = q0; q < q1; q++) {
      for (let i = rows[q]; i < k && flag[i] !== k; i = parent[i]) {
        flag[i] = k;
        flops += 2 * counts[i] + 1; // (c + 1)² − c²
        counts[i]++;
      }
    }
    if (flops >= stopAt) {
      giveInt32(ancestor, flag);
      return { parent, counts, flops, complete: k === n - 1 };
    }
  }
  giveInt32(ancestor, flag);
  return { parent, counts, flops, complete: true };
}

/** Postorder of a forest: post[k] = the node numbered k (children before parents, subtrees contiguous). */
export function postorder(parent: Int32Array): Int32Array {
  const n = parent.length;
  const firstChild = takeInt32(n).fill(-1);
  const sibling = takeInt32(n).fill(-1);
  // Insert in decreasing order so child lists come out increasing (keeps the given order on ties).
  for (let j = n - 1; j >= 0; j--) {
    const p = parent[j];
    if (p !== -1) {
      sibling[j] = firstChild[p];
      firstChild[p] = j;
    }
  }
  const post = new Int32Array(n);
  const stack = takeInt32(n);
  let k = 0;
  for (let root = 0; root < n; root++) {
    if (parent[root] !== -1) continue;
    let top = 0;
    stack[0] = root;
    while (top >= 0) {
      const node = stack[top];
      const child = firstChild[node];
      if (child === -1) {
        post[k++] = node;
        top--;
      } else {
        firstChild[node] = sibling[child]; // consume the child
        stack[++top] = child;
      }
    }
  }
  giveInt32(firstChild, sibling, stack);
  return post;
}

/**
 * The nonzero structure of the unit lower-triangular L with L D Lᵀ = C (no numerical cancellation
 * assumed). Column j of L: rows colIdx… stored as `Li[Lp[j] .. Lp[j+1]-1]`, increasing;
 * row k of L: columns `Rc[Rp[k] .. Rp[k+1]-1]`, increasing (a valid topological order for the
 * up-looking factorization, since every update to y_j comes from a column j' < j).
 */
export interface FactorStructure {
  readonly Lp: Int32Array;
  readonly Li: Int32Array;
  readonly Rp: Int32Array;
  readonly Rc: Int32Array;
  /** Σ_j |L_{*j}|² (strictly lower part): the multiply–add count of the numeric factorization. */
  readonly flops: number;
}

export function factorStructure(c: SymmetricPattern, parent: Int32Array): FactorStructure {
  const n = c.n;
  const colCount = new Int32Array(n);
  const rowCount = new Int32Array(n);
  const flag = new Int32Array(n).fill(-1);
  // Pass 1: count row subtrees.
  for (let k = 0; k < n; k++) {
    flag[k] = k;
    for (let q = c.colPtr[k]; q < c.colPtr[k + 1]; q++) {
      let i = c.rowIdx[q];
      for (; i < k && flag[i] !== k; i = parent[i]) {
        flag[i] = k;
        colCount[i]++;
        rowCount[k]++;
      }
    }
  }
  const Lp = new Int32Array(n + 1);
  const Rp = new Int32Array(n + 1);
  let flops = 0;
  for (let j = 0; j < n; j++) {
    Lp[j + 1] = Lp[j] + colCount[j];
    Rp[j + 1] = Rp[j] + rowCount[j];
    flops += colCount[j] * colCount[j];
  }
  const nnzL = Lp[n];
  const Li = new Int32Array(nnzL);
  const Rc = new Int32Array(nnzL);
  // Pass 2: columns of L, rows increasing (k runs upward).
  const colFill = Lp.slice(0, n);
  flag.fill(-1);
  for (let k = 0; k < n; k++) {
    flag[k] = k;
    for (let q = c.colPtr[k]; q < c.colPtr[k + 1]; q++) {
      let i = c.rowIdx[q];
      for (; i < k && flag[i] !== k; i = parent[i]) {
        flag[i] = k;
        Li[colFill[i]++] = k;
      }
    }
  }
  // Rows of L by transposing the columns (columns visited increasing → rows come out sorted).
  const rowFill = Rp.slice(0, n);
  for (let j = 0; j < n; j++) {
    for (let p = Lp[j]; p < Lp[j + 1]; p++) Rc[rowFill[Li[p]]++] = j;
  }
  return { Lp, Li, Rp, Rc, flops };
}

/** Strictly-lower column counts of L (|L_{*j}| without the unit diagonal), by row-subtree traversal: O(nnz(L)) time, O(n) memory. */
export function columnCounts(c: SymmetricPattern, parent: Int32Array): Int32Array {
  const n = c.n;
  const colCount = new Int32Array(n);
  const flag = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    flag[k] = k;
    for (let q = c.colPtr[k]; q < c.colPtr[k + 1]; q++) {
      for (let i = c.rowIdx[q]; i < k && flag[i] !== k; i = parent[i]) {
        flag[i] = k;
        colCount[i]++;
      }
    }
  }
  return colCount;
}
