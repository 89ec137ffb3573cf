/**
 * QuadraticProgramBuilder (quadratic.ts): the constraint values evaluated row by row equal the
 * definition g_i = c_i + Σ a_ik x_k + Σ q_ikl x_k x_l summed term by term in the order the terms
 * were added (bit for bit), with rows added out of order, constants folded and duplicate terms.
 */
import { describe, expect, it } from 'vitest';
import { QuadraticProgramBuilder } from './quadratic';
import { mulberry32 } from '../random';

describe('QuadraticProgramBuilder', () => {
  it('evaluates g row by row to exactly the sum of its terms in the order they were added', () => {
    const r = mulberry32(15);
    const b = new QuadraticProgramBuilder();
    const n = 40;
    const m = 25;
    for (let k = 0; k < n; k++) b.addVar(-2, 2, r() - 0.5);
    for (let i = 0; i < m; i++) b.addRow(i % 3 === 0 ? 0 : -1, i % 3 === 0 ? 0 : 1);
    // the reference: the definition, summed term by term as the terms come
    type Term = { row: number; coef: number; k: number; l: number | null };
    const lin: Term[] = [];
    const quad: Term[] = [];
    const constant = new Float64Array(m);
    for (let t = 0; t < 600; t++) {
      const row = Math.floor(r() * m);
      const coef = r() * 4 - 2;
      const k = Math.floor(r() * n);
      const l = Math.floor(r() * n);
      const kind = r();
      if (kind < 0.5) {
        b.linear(row, coef, { v: k });
        lin.push({ row, coef, k, l: null });
      } else if (kind < 0.9) {
        b.product(row, coef, { v: k }, { v: t % 7 === 0 ? k : l });
        quad.push({ row, coef, k, l: t % 7 === 0 ? k : l });
      } else {
        b.constant(row, coef);
        constant[row] += coef;
      }
    }
    const p = b.build();
    const x = Float64Array.from({ length: n }, () => r() * 2 - 1);
    const g = new Float64Array(m);
    p.evalG(x, g);
    const expected = Float64Array.from(constant);
    for (const t of lin) expected[t.row] += t.coef * x[t.k]!;
    for (const t of quad) expected[t.row] += t.coef * x[t.k]! * x[t.l!]!;
    expect(Array.from(g)).toEqual(Array.from(expected));
    // every row has terms of both kinds (the test exercises the row pointers)
    expect(new Set(lin.map((t) => t.row)).size).toBe(m);
    expect(new Set(quad.map((t) => t.row)).size).toBe(m);
  });

  it('a row without terms evaluates to its constant', () => {
    const b = new QuadraticProgramBuilder();
    const x = b.addVar(0, 1, 0.5);
    b.addRow(0, 0);
    const r1 = b.addRow(0, 0);
    b.addRow(0, 0);
    b.constant(r1, 3);
    b.product(r1, 2, { v: x }, { c: 4 }); // folds into a linear term 8x
    const g = new Float64Array(3);
    b.build().evalG(Float64Array.of(0.5), g);
    expect(Array.from(g)).toEqual([0, 7, 0]);
  });
});
