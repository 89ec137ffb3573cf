import { describe, expect, it } from 'vitest';
import { checkPattern, patternFromBlocks, patternFromTriplets, symMatVec } from './csc';

/**
 * The pattern of triplets (r, c) built by brute force: per column, the set of rows given (folded
 * to the upper triangle) plus the diagonal, sorted; a triplet's slot is its row's index there.
 */
function bruteForcePattern(n: number, r: number[], c: number[]): { colPtr: number[]; rowIdx: number[]; map: number[] } {
  const rowsOf: number[][] = [];
  for (let j = 0; j < n; j++) rowsOf.push([j]);
  r.forEach((i, k) => rowsOf[Math.max(i, c[k])].push(Math.min(i, c[k])));
  const ref = rowsOf.map((l) => [...new Set(l)].sort((a, b) => a - b));
  const colPtr = [0];
  for (const l of ref) colPtr.push(colPtr[colPtr.length - 1] + l.length);
  const map = r.map((i, k) => colPtr[Math.max(i, c[k])] + ref[Math.max(i, c[k])].indexOf(Math.min(i, c[k])));
  return { colPtr, rowIdx: ref.flat(), map };
}

describe('patternFromTriplets', () => {
  it('sums duplicates, folds lower entries into the upper triangle and adds missing diagonals', () => {
    // Triplets of the 3×3 matrix [[6,5,0],[5,0,0],[0,0,4]] given in a mixed way:
    //   (0,0)=1, (1,0)=2 (lower), (0,1)=3 (upper, same entry), (2,2)=4, (0,0)=5 (duplicate).
    const rows = Int32Array.from([0, 1, 0, 2, 0]);
    const cols = Int32Array.from([0, 0, 1, 2, 0]);
    const vals = [1, 2, 3, 4, 5];
    const { pattern, map } = patternFromTriplets(3, rows, cols);
    // Worked by hand: column 0 = {0}, column 1 = {0, 1 (diag, implicit)}, column 2 = {2}.
    expect(Array.from(pattern.colPtr)).toEqual([0, 1, 3, 4]);
    expect(Array.from(pattern.rowIdx)).toEqual([0, 0, 1, 2]);
    expect(Array.from(map)).toEqual([0, 1, 1, 3, 0]);
    const values = new Float64Array(4);
    vals.forEach((v, k) => (values[map[k]] += v));
    expect(Array.from(values)).toEqual([6, 5, 0, 4]);
    expect(() => checkPattern(pattern)).not.toThrow();
  });

  it('handles an empty triplet list (pattern = the diagonal)', () => {
    const { pattern, map } = patternFromTriplets(4, new Int32Array(0), new Int32Array(0));
    expect(Array.from(pattern.colPtr)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(pattern.rowIdx)).toEqual([0, 1, 2, 3]);
    expect(map.length).toBe(0);
  });

  it('rejects indices outside the matrix and mismatched arrays', () => {
    expect(() => patternFromTriplets(2, Int32Array.from([0, 2]), Int32Array.from([0, 0]))).toThrow(RangeError);
    expect(() => patternFromTriplets(2, Int32Array.from([-1]), Int32Array.from([0]))).toThrow(RangeError);
    expect(() => patternFromTriplets(2, Int32Array.from([0]), Int32Array.from([0, 1]))).toThrow(RangeError);
  });

  it('equals a brute-force construction on random triplets with short and long columns', () => {
    // Reference: per column, the set of rows given (folded to the upper triangle) plus the
    // diagonal, sorted; a triplet's slot is its row's index in that list. Columns 0 and n−1 get
    // many entries (the long-column path, > 32 entries), the others a few.
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * k);
    };
    for (const n of [1, 2, 7, 60, 300]) {
      const r: number[] = [];
      const c: number[] = [];
      for (let k = 0; k < 6 * n; k++) {
        r.push(rand(n));
        c.push(rand(n));
      }
      for (let k = 0; k < 3 * n; k++) {
        const i = rand(n);
        r.push(k % 2 ? i : n - 1); // column n−1, given as lower or upper
        c.push(k % 2 ? n - 1 : i);
        r.push(0);
        c.push(0);
      }
      const { pattern, map } = patternFromTriplets(n, Int32Array.from(r), Int32Array.from(c));
      expect(() => checkPattern(pattern)).not.toThrow();
      const ref = bruteForcePattern(n, r, c);
      expect(Array.from(pattern.colPtr)).toEqual(ref.colPtr);
      expect(Array.from(pattern.rowIdx)).toEqual(ref.rowIdx);
      expect(Array.from(map)).toEqual(ref.map);
    }
  });

  it('patternFromBlocks: shifted blocks give the pattern and slots of the concatenated triplets (brute force)', () => {
    // three blocks (Hessian-like, Jacobian-like shifted by nw in the column, identity-like rows
    // shifted by n0), written after a 5-entry offset of the map; reference as above, on the
    // materialized triplets
    const n = 40;
    const nw = 25;
    const r: number[] = [];
    const c: number[] = [];
    const blocks = [
      {
        rows: Int32Array.from([0, 3, 3, 24, 7, 7]),
        cols: Int32Array.from([0, 1, 1, 2, 24, 7]),
        rowShift: 0,
        colShift: 0,
      },
      { rows: Int32Array.from([1, 2, 24, 1, 0]), cols: Int32Array.from([0, 0, 14, 0, 3]), rowShift: 0, colShift: nw },
      { rows: Int32Array.from([0, 1, 2]), cols: Int32Array.from([3, 3, 14]), rowShift: 20, colShift: nw },
    ];
    for (const b of blocks)
      b.rows.forEach((i, k) => {
        r.push(i + b.rowShift);
        c.push(b.cols[k] + b.colShift);
      });
    const map = new Int32Array(5 + r.length).fill(-7);
    const pattern = patternFromBlocks(n, blocks, map, 5);
    expect(() => checkPattern(pattern)).not.toThrow();
    const ref = bruteForcePattern(n, r, c);
    expect(Array.from(pattern.colPtr)).toEqual(ref.colPtr);
    expect(Array.from(pattern.rowIdx)).toEqual(ref.rowIdx);
    expect(Array.from(map.subarray(0, 5))).toEqual([-7, -7, -7, -7, -7]);
    expect(Array.from(map.subarray(5))).toEqual(ref.map);
    expect(() => patternFromBlocks(n, [{ ...blocks[2], rowShift: 38 }], new Int32Array(3), 0)).toThrow(RangeError);
  });

  it('checkPattern rejects a column without its diagonal', () => {
    const bad = { n: 2, colPtr: Int32Array.from([0, 1, 2]), rowIdx: Int32Array.from([0, 0]) };
    expect(() => checkPattern(bad)).toThrow(RangeError);
  });
});

describe('symMatVec', () => {
  it('multiplies by the full symmetric matrix, checked against a dense product', () => {
    // A = [[2,-1,0,3],[-1,0,4,0],[0,4,5,0],[3,0,0,-2]]
    const dense = [
      [2, -1, 0, 3],
      [-1, 0, 4, 0],
      [0, 4, 5, 0],
      [3, 0, 0, -2],
    ];
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < 4; i++)
      for (let j = 0; j <= i; j++)
        if (dense[i][j] !== 0) {
          r.push(i);
          c.push(j);
          v.push(dense[i][j]);
        }
    const { pattern, map } = patternFromTriplets(4, Int32Array.from(r), Int32Array.from(c));
    const values = new Float64Array(pattern.rowIdx.length);
    v.forEach((a, k) => (values[map[k]] += a));
    const x = Float64Array.from([1, -2, 0.5, 3]);
    const y = new Float64Array(4).fill(99); // must be overwritten, not accumulated
    symMatVec(pattern, values, x, y);
    // By hand: [2+2+0+9, -1+0+2+0, 0-8+2.5+0, 3+0+0-6]
    expect(Array.from(y)).toEqual([13, 1, -5.5, -3]);
  });
});
