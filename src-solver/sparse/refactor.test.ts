/**
 * Partial refactorization after a change of diagonal entries (LdlSolver.refactorDiagonal,
 * nlp/kkt.ts): the reference is a full factorization of the same values by a second solver —
 * pivots, inertia and solutions must be the same to the bit, since every refactored supernode
 * repeats the full factorization's operations on the same inputs.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LdlSolver } from './ldl';
import { opfLikeKkt } from '../testing/sparse/testmatrices';
import { mulberry32 } from '../random';
import { buildOpfModel } from '../opf/model';
import { ieee123Feeder, ieee123Price, readIeee123Texts } from '../testing/opf/ieee123';
import { testDataUrl } from '../../test-data/index';
import { InternalNlp } from '../nlp/internalNlp';
import { KktSystem } from '../nlp/kkt';
import { assembleAtStart } from '../testing/nlp/assembled';

/** True when the two arrays hold the same doubles bit for bit (−0 ≠ +0, NaN = NaN). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Diagonal slot of every column of an upper-CSC pattern (the last entry of the column). */
function diagonalSlots(p: { n: number; colPtr: Int32Array; rowIdx: Int32Array }): Int32Array {
  const at = new Int32Array(p.n);
  for (let j = 0; j < p.n; j++) {
    const q = p.colPtr[j + 1] - 1;
    if (p.rowIdx[q] !== j) throw new Error(`column ${j} has no diagonal`);
    at[j] = q;
  }
  return at;
}

afterAll(() => {
  LdlSolver.defaultKernel = 'wasm';
});

describe('LdlSolver.refactorDiagonal', () => {
  const kkt = opfLikeKkt({ buses: 48, periods: 16, batteries: 3, seed: 11 });
  const { pattern } = kkt;
  const diag = diagonalSlots(pattern);
  const rand = mulberry32(5);

  /** A full factorization of `values` by a fresh solver: pivots, inertia, and x = A⁻¹ b. */
  function reference(values: Float64Array, b: Float64Array) {
    const s = new LdlSolver(pattern);
    const r = s.factor(values);
    const x = b.slice();
    s.solve(x);
    return { r, d: s.pivots().slice(), x };
  }

  for (const kernel of ['wasm', 'js'] as const) {
    it(`${kernel} kernel: a chain of diagonal changes gives the full factorization's pivots, inertia and solutions`, () => {
      LdlSolver.defaultKernel = kernel;
      const s = new LdlSolver(pattern);
      const v = s.stagingValues() ?? new Float64Array(kkt.values.length);
      v.set(kkt.values);
      s.factor(v);
      const b = Float64Array.from({ length: pattern.n }, () => rand() - 0.5);
      // Five rounds: a few columns each; every other round one primal column driven far negative
      // (the inertia changes), then put back.
      let flipped = -1;
      const negatives = new Set<number>();
      for (let round = 0; round < 5; round++) {
        const cols: number[] = [];
        if (flipped >= 0) {
          v[diag[flipped]] = Math.abs(v[diag[flipped]]) + 1;
          cols.push(flipped);
          flipped = -1;
        }
        if (round % 2 === 0) {
          // far below −‖JᵀJ‖/δ_c: one more negative eigenvalue, whatever the ordering
          const j = Math.floor(rand() * kkt.nVar);
          if (!cols.includes(j)) {
            v[diag[j]] = -1e14;
            flipped = j;
            cols.push(j);
          }
        }
        for (let t = 0; t < 2; t++) {
          const j = Math.floor(rand() * pattern.n);
          if (cols.includes(j) || j === flipped) continue;
          v[diag[j]] *= 1 + rand();
          cols.push(j);
        }
        const r = s.refactorDiagonal(v, Int32Array.from(cols), cols.length);
        const want = reference(v, b);
        expect(r).toEqual(want.r);
        negatives.add(r.negative);
        expect(sameBits(s.pivots(), want.d)).toBe(true);
        const x = b.slice();
        s.solve(x);
        expect(sameBits(x, want.x)).toBe(true);
        if (kernel === 'wasm') expect(s.lastRefactoredShare).toBeLessThan(0.5);
      }
      expect(negatives.size).toBeGreaterThan(1); // the inertia moved with the flipped pivots
      if (kernel === 'wasm') expect(s.partialFactorizations).toBe(5);
      else expect(s.partialFactorizations).toBe(0); // the TypeScript kernel factors everything
    });
  }

  it('factors everything when the changed supernodes hold more than half of the factor', () => {
    LdlSolver.defaultKernel = 'wasm';
    const s = new LdlSolver(pattern);
    const v = s.stagingValues() as Float64Array;
    v.set(kkt.values);
    s.factor(v);
    const all = Int32Array.from({ length: pattern.n }, (_, j) => j);
    for (const j of all) v[diag[j]] *= 1.5;
    const r = s.refactorDiagonal(v, all, all.length);
    expect(s.lastRefactoredShare).toBe(1);
    expect(s.partialFactorizations).toBe(0);
    expect(r).toEqual(reference(v, new Float64Array(pattern.n)).r);
  });

  it('factors everything when no factorization of the staged values is in place', () => {
    LdlSolver.defaultKernel = 'wasm';
    const s = new LdlSolver(pattern);
    const v = s.stagingValues() as Float64Array;
    v.set(kkt.values);
    const r = s.refactorDiagonal(v, Int32Array.of(0), 1);
    expect(s.partialFactorizations).toBe(0);
    expect(r).toEqual(reference(v, new Float64Array(pattern.n)).r);
  });
});

describe('KktSystem: an inertia trial that raises δ_w in one period refactors only that part', () => {
  const texts = readIeee123Texts((rel) => readFileSync(new URL(rel, testDataUrl('ieee123-balanced/')), 'utf8'));
  const feeder = ieee123Feeder(texts);
  const problem = buildOpfModel(
    { ...feeder, batteries: feeder.batteries.slice(0, 2) },
    { periods: 24, objective: 'cost', priceCentsPerKwh: ieee123Price(texts) },
  ).problem;
  const nlp = new InternalNlp(problem, 1e-8, 1e-4, () => 0);

  it('gives the full factorization of a second system to the bit', () => {
    LdlSolver.defaultKernel = 'wasm';
    const a = new KktSystem(nlp, { ordering: 'stable', periodOrdering: true });
    expect(a.baseOrdering).toBe('period');
    assembleAtStart(a, nlp);
    a.factor();
    // δ_w = 1e-3 on the variables of hours 5 and 6, as the per-period shift raises them
    const ofVar = problem.periods!.ofVar;
    const dw = new Float64Array(nlp.nw);
    for (let j = 0; j < problem.n; j++) if (ofVar[j] === 5 || ofVar[j] === 6) dw[j] = 1e-3;
    a.deltaWPerVariable = dw;
    a.perturb(new Float64Array(nlp.nw).fill(10), 1e-3, 1e-8);
    const ra = a.factor();
    expect(a.partialFactorizations).toBe(1);
    expect(a.partialShare).toBeGreaterThan(0);
    expect(a.partialShare).toBeLessThan(0.2); // 2 of 24 hours and their separators

    const b = new KktSystem(nlp, { ordering: 'stable', periodOrdering: true });
    b.deltaWPerVariable = dw;
    assembleAtStart(b, nlp);
    const rb = b.factor();
    expect(b.partialFactorizations).toBe(0);
    expect(ra).toEqual(rb);
    expect(sameBits(a.values, b.values)).toBe(true);
    expect(sameBits(a.solver.pivots(), b.solver.pivots())).toBe(true);
    const rhs = Float64Array.from({ length: a.dim }, (_, i) => Math.sin(i));
    const xa = new Float64Array(a.dim);
    const xb = new Float64Array(a.dim);
    a.solve(rhs, xa);
    b.solve(rhs, xb);
    expect(sameBits(xa, xb)).toBe(true);
  });

  it('factors everything after two diagonal rewrites without a factorization between them', () => {
    LdlSolver.defaultKernel = 'wasm';
    const sigma = new Float64Array(nlp.nw).fill(10);
    const ofVar = problem.periods!.ofVar;
    const inHours = (hours: number[]) => {
      const dw = new Float64Array(nlp.nw);
      for (let j = 0; j < problem.n; j++) if (hours.includes(ofVar[j])) dw[j] = 1e-3;
      return dw;
    };
    const a = new KktSystem(nlp, { ordering: 'stable', periodOrdering: true });
    assembleAtStart(a, nlp);
    a.factor();
    a.deltaWPerVariable = inHours([5]);
    a.perturb(sigma, 1e-3, 1e-8);
    a.deltaWPerVariable = inHours([5, 9]); // hour 5 as the first rewrite left it: not listed again
    a.perturb(sigma, 1e-3, 1e-8);
    const ra = a.factor();
    expect(a.partialFactorizations).toBe(0);
    const b = new KktSystem(nlp, { ordering: 'stable', periodOrdering: true });
    b.deltaWPerVariable = inHours([5, 9]);
    assembleAtStart(b, nlp);
    expect(ra).toEqual(b.factor());
    expect(sameBits(a.solver.pivots(), b.solver.pivots())).toBe(true);
  });
});
