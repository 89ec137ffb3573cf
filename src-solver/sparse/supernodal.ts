/**
 * Supernodal symbolic analysis for the LDLᵀ factorization (ldl.ts): partition of the columns of
 * L into relaxed supernodes and the row structure of each.
 *
 * Problem: a column-by-column sparse kernel spends its time on index arithmetic, not on
 * multiply–adds. Grouping consecutive columns with (nearly) the same structure into dense
 * column-major blocks lets the numeric kernel run dense inner loops.
 *
 * Notation: C = P A Pᵀ (upper CSC, postordered elimination tree `parent`), cc[j] = |L_{*j}|
 * strictly below the diagonal. A supernode s is a chain of columns f..l (parent[j] = j+1 for
 * f ≤ j < l); its rows are f..l followed by `below(s)`, the union of the structures of its
 * columns beyond l (= the structure of column l beyond l, since the structures are nested along
 * the chain). Block of s: nr × nc, column-major, nr = nc + |below(s)|.
 *
 * Method: fundamental supernodes (j−1 joins j when parent[j−1] = j and cc[j−1] = cc[j] + 1,
 * the structure of j−1 is then {j} ∪ struct(j)), then relaxed amalgamation along the postorder:
 * a group merges with the next supernode when that one is the parent of the group's last column
 * and the explicit zeros stay small: always up to 4 columns, up to 16 with < 30 % zeros, up to
 * 48 with < 10 %, beyond with < 2 % (CHOLMOD's rule allows 80 % up to 16 columns and 5 % beyond;
 * on the 10,240-bus × 24 h OPF KKT that stores 30.7M entries for nnz(L) = 12.5M, this rule
 * 21.5M — 74 MB less, same factorization time). Merging is valid because the
 * structure of the child below the parent's first column is contained in the parent's rows.
 * Rows: one row-subtree walk per row k of L, jumping a whole supernode at a time.
 *
 * References: J. W. H. Liu, E. G. Ng, B. W. Peyton, "On finding supernodes for sparse matrix
 * computations", SIAM J. Matrix Anal. Appl. 14(1), 1993; C. Ashcraft, R. Grimes, "The influence
 * of relaxed supernode partitions on the multifrontal method", ACM TOMS 15(4), 1989;
 * Y. Chen, T. A. Davis, W. W. Hager, S. Rajamanickam, "Algorithm 887: CHOLMOD", ACM TOMS 35(3),
 * 2008 (relaxation parameters, left-looking supernodal update lists).
 */
import type { SymmetricPattern } from './csc';
import { giveInt32, takeInt32 } from './scratch';

export interface SupernodalStructure {
  readonly nsuper: number;
  /** First column of each supernode; superStart[nsuper] = n. */
  readonly superStart: Int32Array;
  /** Rows of supernode s: rowIdx[rowPtr[s] .. rowPtr[s+1]-1], increasing, starting with its own columns. */
  readonly rowPtr: Int32Array;
  readonly rowIdx: Int32Array;
  /** Offset of the block of s in the value array; blockPtr[nsuper] = total stored entries. */
  readonly blockPtr: Float64Array;
  /** Supernode of each column. */
  readonly colSuper: Int32Array;
  /** Largest nr·nc over the supernodes (work buffer size). */
  readonly maxBlock: number;
  /** Largest nr. */
  readonly maxRows: number;
}

function storedLower(nc: number, below: number): number {
  return (nc * (nc - 1)) / 2 + nc * below;
}

export function supernodalStructure(c: SymmetricPattern, parent: Int32Array, cc: Int32Array): SupernodalStructure {
  const n = c.n;
  // --- Fundamental supernodes, merged on the fly by the relaxation rule. ---
  const starts = takeInt32(n); // the first column of each supernode (scratch.ts)
  let nsuper = 0;
  let curFirst = 0;
  let curTrue = 0; // true nonzeros (strictly lower) of the current group
  let j = 0;
  while (j < n) {
    // the fundamental supernode starting at j
    let l = j;
    let nz = cc[j];
    while (l + 1 < n && parent[l] === l + 1 && cc[l] === cc[l + 1] + 1) {
      l++;
      nz += cc[l];
    }
    if (j === 0) {
      curFirst = 0;
      curTrue = nz;
    } else {
      let merge = false;
      if (parent[j - 1] === j) {
        const ncols = l + 1 - curFirst;
        const stored = storedLower(ncols, cc[l]);
        const zeros = stored - curTrue - nz;
        const total = stored + ncols;
        const frac = zeros / total;
        merge = ncols <= 4 || (ncols <= 16 && frac < 0.3) || (ncols <= 48 && frac < 0.1) || frac < 0.02;
      }
      if (merge) curTrue += nz;
      else {
        starts[nsuper++] = curFirst;
        curFirst = j;
        curTrue = nz;
      }
    }
    j = l + 1;
  }
  if (n > 0) starts[nsuper++] = curFirst;
  const superStart = new Int32Array(nsuper + 1);
  superStart.set(starts.subarray(0, nsuper));
  superStart[nsuper] = n;
  giveInt32(starts);
  const colSuper = new Int32Array(n);
  for (let s = 0; s < nsuper; s++) for (let k = superStart[s]; k < superStart[s + 1]; k++) colSuper[k] = s;

  // --- Rows below each supernode: walk the row subtree of each k supernode by supernode. ---
  // Their number needs no walk: the columns f..l of s form a chain of the tree, so the rows below
  // l of any of them are rows of column l (struct(j) ⊆ {j+1} ∪ struct(j+1)), i.e. below(s) is
  // the structure of column l below l, cc[l] rows — what the relaxation rule above already
  // assumes. (A first counting walk over all of C did this before: ~10 % of the symbolic
  // analysis of the IEEE 123 × 720 h KKT; the fill below checks every count it relied on.)
  const rowPtr = new Int32Array(nsuper + 1);
  const blockPtr = new Float64Array(nsuper + 1);
  let maxBlock = 0;
  let maxRows = 0;
  for (let s = 0; s < nsuper; s++) {
    const nc = superStart[s + 1] - superStart[s];
    const nr = nc + cc[superStart[s + 1] - 1];
    rowPtr[s + 1] = rowPtr[s] + nr;
    blockPtr[s + 1] = blockPtr[s] + nr * nc;
    if (nr * nc > maxBlock) maxBlock = nr * nc;
    if (nr > maxRows) maxRows = nr;
  }
  const rowIdx = new Int32Array(rowPtr[nsuper]);
  const fill = takeInt32(nsuper); // (scratch.ts, as mark)
  for (let s = 0; s < nsuper; s++) {
    let t = rowPtr[s];
    for (let k = superStart[s]; k < superStart[s + 1]; k++) rowIdx[t++] = k;
    fill[s] = t;
  }
  // Row k of L, supernode by supernode: k goes below every supernode met walking up from the
  // rows of column k of C (k increasing, so each supernode's rows come out sorted).
  const mark = takeInt32(nsuper).fill(-1);
  const { colPtr: cp, rowIdx: cr } = c;
  for (let k = 0; k < n; k++) {
    for (let q = cp[k]; q < cp[k + 1]; q++) {
      const i = cr[q];
      if (i >= k) continue;
      let s = colSuper[i];
      while (mark[s] !== k) {
        const last = superStart[s + 1] - 1;
        if (last >= k) break;
        mark[s] = k;
        if (fill[s] === rowPtr[s + 1])
          throw new Error(`supernodalStructure: supernode ${s} has more rows than cc says`);
        rowIdx[fill[s]++] = k;
        const p = parent[last];
        if (p < 0) break;
        s = colSuper[p];
      }
    }
  }
  for (let s = 0; s < nsuper; s++)
    if (fill[s] !== rowPtr[s + 1]) throw new Error(`supernodalStructure: supernode ${s} has fewer rows than cc says`);
  giveInt32(fill, mark);
  return { nsuper, superStart, rowPtr, rowIdx, blockPtr, colSuper, maxBlock, maxRows };
}

/**
 * The numeric factorization's update schedule, fixed by the structure: for every supernode s (in
 * order) the descendants d whose rows reach s's columns, in the order the left-looking kernel
 * visits them (its linked lists, CHOLMOD's: a descendant moves on to the supernode of its next
 * row once used), with the first row p0 of d in s and the number m1 of d's rows inside s's
 * columns, and the positions in s's block of d's rows p0.. (`rel`, concatenated). Computed once
 * per pattern, it spares every factorization the list walk, the search for p1 and the relative
 * map: 11–14 % of the WebAssembly kernel's time on the 8500-node and IEEE 123 year KKT matrices
 * (~2 columns per supernode), for 12 bytes per update and 2 per rel entry (77 MB on the former).
 */
export interface UpdateSchedule {
  /** Updates of supernode s: pairStart[s] .. pairStart[s+1]-1. */
  readonly pairStart: Int32Array;
  readonly pairDesc: Int32Array;
  readonly pairP0: Int32Array;
  readonly pairM1: Int32Array;
  /** Uint16: the kernel that uses it refuses supernodes of more than 65,536 rows. */
  readonly rel: Uint16Array;
}

/**
 * Multiply–adds of supernode t's scheduled updates: per descendant d, its columns × its rows in
 * t's columns × its rows from there on (the kernel's dense product). For the column split of
 * the top (wasmKernel.ts) and the share of a partial refactorization (LdlSolver.refactorDiagonal).
 */
export function scheduledUpdateWork(
  t: number,
  ss: Int32Array,
  rp: Int32Array,
  schedule: Pick<UpdateSchedule, 'pairStart' | 'pairDesc' | 'pairP0' | 'pairM1'>,
): number {
  const { pairStart, pairDesc, pairP0, pairM1 } = schedule;
  let work = 0;
  for (let k = pairStart[t]; k < pairStart[t + 1]; k++) {
    const d = pairDesc[k];
    work += (ss[d + 1] - ss[d]) * pairM1[k] * (rp[d + 1] - rp[d] - pairP0[k]);
  }
  return work;
}

/**
 * Sizes of the schedule (pairs, rel entries) without building it. Every pair is one descendant d
 * and one supernode s holding some of d's rows below d's own columns; d's rows are increasing and
 * a supernode's columns contiguous, so those rows form one run per target, and the pair's rel
 * entries are d's rows from the run's first on. Counted run by run in one pass over the rows
 * (it was the kernel's list traversal, run once to count and once to fill).
 */
export function updateScheduleSize(sn: SupernodalStructure): { pairs: number; rel: number } {
  const { nsuper, superStart: ss, rowPtr: rp, rowIdx: ri, colSuper } = sn;
  let pairs = 0;
  let rel = 0;
  for (let d = 0; d < nsuper; d++) {
    const r0 = rp[d];
    const nr = rp[d + 1] - r0;
    let target = -1;
    for (let p = ss[d + 1] - ss[d]; p < nr; p++) {
      const s = colSuper[ri[r0 + p]];
      if (s !== target) {
        target = s;
        pairs++;
        rel += nr - p;
      }
    }
  }
  return { pairs, rel };
}

/** Fills a schedule whose arrays have the sizes updateScheduleSize gave. */
export function fillUpdateSchedule(sn: SupernodalStructure, out: UpdateSchedule): void {
  const { nsuper, superStart: ss, rowPtr: rp, rowIdx: ri, colSuper } = sn;
  const relMap = takeInt32(ss[nsuper]); // (scratch.ts, as head, next, lpos)
  const { pairStart, pairDesc, pairP0, pairM1, rel } = out;
  let k = 0;
  let r = 0;
  pairStart.fill(0);
  // The left-looking kernel's traversal (its linked lists, CHOLMOD's), the schedule written in
  // place (it went through a callback, a closure call per update): for each s, its row
  // positions into relMap, then each descendant waiting on s, which then moves on to the
  // supernode of its next row.
  const head = takeInt32(nsuper).fill(-1);
  const next = takeInt32(nsuper);
  const lpos = takeInt32(nsuper);
  for (let s = 0; s < nsuper; s++) {
    const l = ss[s + 1];
    let dd = head[s];
    if (dd !== -1) for (let t = rp[s]; t < rp[s + 1]; t++) relMap[ri[t]] = t - rp[s];
    while (dd !== -1) {
      const dnext = next[dd];
      const r0d = rp[dd];
      const nrd = rp[dd + 1] - r0d;
      const p0 = lpos[dd];
      let p1 = p0;
      while (p1 < nrd && ri[r0d + p1] < l) p1++;
      pairStart[s + 1]++;
      pairDesc[k] = dd;
      pairP0[k] = p0;
      pairM1[k] = p1 - p0;
      k++;
      for (let q = r0d + p0; q < r0d + nrd; q++) rel[r++] = relMap[ri[q]];
      lpos[dd] = p1;
      if (p1 < nrd) {
        const s2 = colSuper[ri[r0d + p1]];
        next[dd] = head[s2];
        head[s2] = dd;
      }
      dd = dnext;
    }
    const nc = l - ss[s];
    const nr = rp[s + 1] - rp[s];
    if (nr > nc) {
      lpos[s] = nc;
      const s2 = colSuper[ri[rp[s] + nc]];
      next[s] = head[s2];
      head[s2] = s;
    }
  }
  for (let s = 0; s < nsuper; s++) pairStart[s + 1] += pairStart[s];
  giveInt32(relMap, head, next, lpos);
}
