import { describe, expect, it } from 'vitest';
import { checkPattern, patternFromTriplets, symMatVec } from './csc';

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
