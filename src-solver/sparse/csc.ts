/**
 * Compressed sparse column (CSC) storage of symmetric matrices, upper triangle only.
 *
 * Problem: the interior-point solver assembles its KKT matrix from triplets (Hessian, Jacobian,
 * Σ, δ entries; duplicates summed) once per structure, then overwrites values every iteration.
 * This file builds the pattern once and returns a map so that assembly is one indexed add per
 * triplet ("structure once, values many", Ipopt's TNLP / Clarabel's LDLDataMap).
 *
 * Notation: A is n×n symmetric; only entries a_ij with i ≤ j are stored. Column j occupies
 * rowIdx[colPtr[j] .. colPtr[j+1]-1], rows strictly increasing, and the LAST entry of every
 * column is its diagonal a_jj (always present, possibly zero) — the factorization relies on it.
 *
 * References: T. A. Davis, "Direct Methods for Sparse Linear Systems", SIAM 2006, ch. 2
 * (triplet → CSC by counting sort, duplicates summed).
 */

import { giveInt32, takeInt32 } from './scratch';

/** Upper triangle (row ≤ col) INCLUDING every diagonal entry, compressed sparse column, sorted rows. */
export interface SymmetricPattern {
  readonly n: number;
  /** Length n+1; column j is rowIdx[colPtr[j] .. colPtr[j+1]-1]. */
  readonly colPtr: Int32Array;
  /** Row indices, strictly increasing within a column, each column ending with its diagonal. */
  readonly rowIdx: Int32Array;
}

/**
 * Build a pattern from triplets (any order, duplicates allowed, lower or upper given → stored upper);
 * returns the pattern plus `map: Int32Array` so that values[map[k]] += tripletValue[k] assembles values.
 *
 * Every diagonal entry is stored even when no triplet names it (its value stays 0 unless added).
 * Throws RangeError for an index outside [0, n) or arrays of different lengths.
 */
export function patternFromTriplets(
  n: number,
  rows: Int32Array,
  cols: Int32Array,
): { pattern: SymmetricPattern; map: Int32Array } {
  if (rows.length !== cols.length) throw new RangeError('patternFromTriplets: rows and cols differ in length');
  const map = new Int32Array(rows.length);
  const pattern = patternFromBlocks(n, [{ rows, cols, rowShift: 0, colShift: 0 }], map, 0);
  return { pattern, map };
}

/**
 * Triplets (rows[k] + rowShift, cols[k] + colShift), k < rows.length: a block of entries given
 * without materializing the shifted indices (nlp/kkt.ts: the Jacobian's entries are (jCols[k],
 * nw + jRows[k]) in K).
 */
export interface TripletBlock {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly rowShift: number;
  readonly colShift: number;
}

/**
 * patternFromTriplets over the concatenation of `blocks` (in order), writing each triplet's slot
 * to map[mapOffset + its index in the concatenation].
 *
 * Method (fresh memory is what costs here: a large typed array's first touch costs ~3 ms per MB
 * here, sparse/scratch.ts — more than the passes over it): one counting sort of the rows by (upper)
 * column into one array, each column then sorted in place (insertion sort, a typed sort above 32
 * entries) and its duplicates merged, compacting the rows toward the front; a triplet's slot is
 * then found by a binary search of its row in its column. Only the rows are moved: no array of
 * triplet ids. (It was a radix sort: bucket by row, then a stable bucket by column visiting the
 * row order — six arrays of nt + n entries.) The result is the same by definition: each column's
 * distinct rows in increasing order, the diagonal last, and each triplet's slot among them.
 */
export function patternFromBlocks(
  n: number,
  blocks: readonly TripletBlock[],
  map: Int32Array,
  mapOffset: number,
): SymmetricPattern {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`patternFromTriplets: bad dimension ${n}`);
  let nt = 0;
  for (const b of blocks) {
    if (b.rows.length !== b.cols.length) throw new RangeError('patternFromTriplets: rows and cols differ in length');
    nt += b.rows.length;
  }
  if (map.length < mapOffset + nt) throw new RangeError('patternFromTriplets: map too short');
  const total = nt + n; // the triplets, then one diagonal entry per column
  // Pass 1: entries per column (the upper column of (i, j) is max(i, j)), +1 for the diagonal;
  // ptr[j] = the END of column j (inclusive prefix sums), entries are placed downward from it, so
  // that afterwards ptr[j] is its start (one array for both).
  const ptr = takeInt32(n + 1); // (scratch.ts, as `row`)
  let k0 = 0;
  for (const { rows, cols, rowShift, colShift } of blocks) {
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] + rowShift;
      const j = cols[k] + colShift;
      if (!(i >= 0 && i < n && j >= 0 && j < n)) {
        throw new RangeError(`patternFromTriplets: entry ${k0 + k} (${i}, ${j}) outside a ${n}×${n} matrix`);
      }
      ptr[i < j ? j : i]++;
    }
    k0 += rows.length;
  }
  let acc = 0;
  for (let j = 0; j < n; j++) {
    acc += ptr[j] + 1;
    ptr[j] = acc;
  }
  ptr[n] = total;
  // Pass 2: the rows, column by column (order within a column irrelevant: sorted next).
  const row = takeInt32(total);
  for (let j = 0; j < n; j++) row[--ptr[j]] = j;
  for (const { rows, cols, rowShift, colShift } of blocks) {
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] + rowShift;
      const j = cols[k] + colShift;
      row[--ptr[i < j ? j : i]] = i < j ? i : j;
    }
  }
  // Pass 3: per column, sort, then merge duplicates, compacting in place (the write position
  // never passes the read position).
  const colPtr = new Int32Array(n + 1);
  let nnz = 0;
  for (let j = 0; j < n; j++) {
    const lo = ptr[j];
    const hi = ptr[j + 1];
    colPtr[j] = nnz;
    if (hi - lo > 32) row.subarray(lo, hi).sort();
    else
      for (let s = lo + 1; s < hi; s++) {
        const r = row[s];
        if (r >= row[s - 1]) continue;
        let t = s - 1;
        while (t >= lo && row[t] > r) {
          row[t + 1] = row[t];
          t--;
        }
        row[t + 1] = r;
      }
    let last = -1;
    for (let s = lo; s < hi; s++) {
      const i = row[s];
      if (i !== last) {
        row[nnz++] = i;
        last = i;
      }
    }
  }
  colPtr[n] = nnz;
  // Pass 4: each triplet's slot, by binary search of its row in its column.
  let m = mapOffset;
  for (const { rows, cols, rowShift, colShift } of blocks) {
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] + rowShift;
      const j = cols[k] + colShift;
      const r = i < j ? i : j;
      let lo = colPtr[i < j ? j : i];
      let hi = colPtr[(i < j ? j : i) + 1] - 1; // the diagonal: the last slot
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (row[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      map[m++] = lo;
    }
  }
  const rowIdx = row.slice(0, nnz);
  giveInt32(ptr, row);
  return { n, colPtr, rowIdx };
}

/** Number of stored entries (upper triangle with diagonal). */
export function patternNnz(p: SymmetricPattern): number {
  return p.colPtr[p.n];
}

/** Throws if `p` breaks the SymmetricPattern invariants (sorted rows, upper, diagonal last). */
export function checkPattern(p: SymmetricPattern): void {
  const { n, colPtr, rowIdx } = p;
  if (colPtr.length !== n + 1 || colPtr[0] !== 0 || colPtr[n] !== rowIdx.length) {
    throw new RangeError('SymmetricPattern: colPtr does not describe rowIdx');
  }
  for (let j = 0; j < n; j++) {
    const p0 = colPtr[j];
    const p1 = colPtr[j + 1];
    if (p1 <= p0 || rowIdx[p1 - 1] !== j)
      throw new RangeError(`SymmetricPattern: column ${j} lacks its diagonal as last entry`);
    for (let q = p0 + 1; q < p1; q++) {
      if (rowIdx[q] <= rowIdx[q - 1])
        throw new RangeError(`SymmetricPattern: column ${j} rows not strictly increasing`);
    }
    if (rowIdx[p0] < 0) throw new RangeError(`SymmetricPattern: column ${j} has a negative row index`);
  }
}

/** y = A x for a symmetric matrix stored as an upper-triangle pattern + values. */
export function symMatVec(p: SymmetricPattern, values: Float64Array, x: Float64Array, y: Float64Array): void {
  const { n, colPtr, rowIdx } = p;
  y.fill(0, 0, n);
  for (let j = 0; j < n; j++) {
    const xj = x[j];
    let yj = 0;
    const end = colPtr[j + 1];
    for (let q = colPtr[j]; q < end; q++) {
      const i = rowIdx[q];
      const a = values[q];
      if (i !== j) {
        y[i] += a * xj;
        yj += a * x[i];
      } else {
        yj += a * xj;
      }
    }
    y[j] += yj;
  }
}
