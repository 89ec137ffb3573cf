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
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`patternFromTriplets: bad dimension ${n}`);
  if (rows.length !== cols.length) throw new RangeError('patternFromTriplets: rows and cols differ in length');
  const nt = rows.length;
  const total = nt + n; // the triplets, then one implicit diagonal entry per column
  // One counting sort by (upper) column, then each column's few rows sorted and merged in place.
  // (It was a radix sort: bucket by row, then a stable bucket by column visiting the row order —
  // five arrays of nt + n entries and a pass of random reads over all of them. KKT columns hold
  // a handful of entries, so sorting them locally is cheaper: kktPattern of IEEE 123 × 720 h,
  // 2.5 million triplets, ~110 → ~70 ms warm. The result is the same by definition: each
  // column's distinct rows in increasing order, and each triplet's slot among them.)
  // Pass 1: entries per column (the upper column of (i, j) is max(i, j)), +1 for the diagonal.
  const start = new Int32Array(n + 1);
  for (let k = 0; k < nt; k++) {
    const i = rows[k];
    const j = cols[k];
    if (!(i >= 0 && i < n && j >= 0 && j < n)) {
      throw new RangeError(`patternFromTriplets: entry ${k} (${i}, ${j}) outside a ${n}×${n} matrix`);
    }
    start[(i < j ? j : i) + 1]++;
  }
  for (let j = 0; j < n; j++) start[j + 1] += start[j] + 1;
  // Pass 2: place (row, triplet) into its column; the implicit diagonal (id nt + j) goes last.
  const row = new Int32Array(total);
  const ent = new Int32Array(total);
  const next = start.slice(0, n);
  for (let k = 0; k < nt; k++) {
    const i = rows[k];
    const j = cols[k];
    const s = next[i < j ? j : i]++;
    row[s] = i < j ? i : j;
    ent[s] = k;
  }
  for (let j = 0; j < n; j++) {
    row[next[j]] = j;
    ent[next[j]] = nt + j;
  }
  // Pass 3: per column, sort by row (insertion sort for short columns; long ones through their
  // distinct rows, see sortLongColumn), then merge duplicates, compacting the rows in place
  // (the write position never passes the read position).
  const colPtr = new Int32Array(n + 1);
  const position = new Int32Array(nt);
  let slotOfRow: Int32Array | null = null; // long columns only
  let nnz = 0;
  for (let j = 0; j < n; j++) {
    const lo = start[j];
    const hi = start[j + 1];
    colPtr[j] = nnz;
    if (hi - lo > 32) {
      slotOfRow ??= new Int32Array(n);
      nnz = mergeLongColumn(row, ent, lo, hi, nnz, nt, slotOfRow, position);
      continue;
    }
    for (let s = lo + 1; s < hi; s++) {
      const r = row[s];
      if (r >= row[s - 1]) continue;
      const e = ent[s];
      let t = s - 1;
      while (t >= lo && row[t] > r) {
        row[t + 1] = row[t];
        ent[t + 1] = ent[t];
        t--;
      }
      row[t + 1] = r;
      ent[t + 1] = e;
    }
    let last = -1;
    for (let s = lo; s < hi; s++) {
      const i = row[s];
      if (i !== last) {
        row[nnz++] = i;
        last = i;
      }
      const e = ent[s];
      if (e < nt) position[e] = nnz - 1;
    }
  }
  colPtr[n] = nnz;
  return { pattern: { n, colPtr, rowIdx: row.slice(0, nnz) }, map: position };
}

/**
 * One long column of patternFromTriplets (entries row/ent[lo .. hi-1]): its distinct rows,
 * sorted by a typed-array sort, written to row[nnz …] (nnz ≤ lo, so nothing unread is
 * overwritten: the distinct rows are first gathered at the column's own start); every triplet's
 * slot through `slotOfRow`. Returns the new nnz.
 */
function mergeLongColumn(
  row: Int32Array,
  ent: Int32Array,
  lo: number,
  hi: number,
  nnz: number,
  nt: number,
  slotOfRow: Int32Array,
  position: Int32Array,
): number {
  // distinct rows: every row of the column marked −1, then 0 at its first occurrence
  const rowsHere = row.slice(lo, hi);
  for (let s = 0; s < rowsHere.length; s++) slotOfRow[rowsHere[s]] = -1;
  let d = 0;
  const distinct = new Int32Array(rowsHere.length);
  for (let s = 0; s < rowsHere.length; s++) {
    const r = rowsHere[s];
    if (slotOfRow[r] === -1) {
      slotOfRow[r] = 0;
      distinct[d++] = r;
    }
  }
  const sorted = distinct.subarray(0, d).sort();
  for (let t = 0; t < d; t++) {
    slotOfRow[sorted[t]] = nnz + t;
    row[nnz + t] = sorted[t];
  }
  for (let s = 0; s < rowsHere.length; s++) {
    const e = ent[lo + s];
    if (e < nt) position[e] = slotOfRow[rowsHere[s]];
  }
  return nnz + d;
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
