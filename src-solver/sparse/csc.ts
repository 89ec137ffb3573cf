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
  const upperRow = new Int32Array(total);
  const upperCol = new Int32Array(total);
  for (let k = 0; k < nt; k++) {
    const i = rows[k];
    const j = cols[k];
    if (!(i >= 0 && i < n && j >= 0 && j < n)) {
      throw new RangeError(`patternFromTriplets: entry ${k} (${i}, ${j}) outside a ${n}×${n} matrix`);
    }
    upperRow[k] = i < j ? i : j;
    upperCol[k] = i < j ? j : i;
  }
  for (let j = 0; j < n; j++) {
    upperRow[nt + j] = j;
    upperCol[nt + j] = j;
  }

  // Pass 1: bucket entries by row. Pass 2: stable bucket by column, visiting rows in increasing
  // order, so every column comes out sorted by row (two counting sorts = one radix sort).
  const byRow = bucketBy(upperRow, n, null);
  const byCol = bucketBy(upperCol, n, byRow.order);

  // Pass 3: merge duplicates (adjacent after sorting).
  const colPtr = new Int32Array(n + 1);
  const position = new Int32Array(total);
  const rowTmp = new Int32Array(total);
  let nnz = 0;
  for (let j = 0; j < n; j++) {
    colPtr[j] = nnz;
    let last = -1;
    for (let q = byCol.start[j]; q < byCol.start[j + 1]; q++) {
      const e = byCol.order[q];
      const i = upperRow[e];
      if (i !== last) {
        rowTmp[nnz++] = i;
        last = i;
      }
      position[e] = nnz - 1;
    }
  }
  colPtr[n] = nnz;
  return { pattern: { n, colPtr, rowIdx: rowTmp.slice(0, nnz) }, map: position.slice(0, nt) };
}

/** Counting sort of entry ids by `key` (0..n-1); visits ids in the order given by `visit` (or 0..len-1). */
function bucketBy(key: Int32Array, n: number, visit: Int32Array | null): { start: Int32Array; order: Int32Array } {
  const len = key.length;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < len; e++) start[key[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const next = start.slice(0, n);
  const order = new Int32Array(len);
  for (let q = 0; q < len; q++) {
    const e = visit === null ? q : visit[q];
    order[next[key[e]]++] = e;
  }
  return { start, order };
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
