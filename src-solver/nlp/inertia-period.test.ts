import { describe, expect, it } from 'vitest';
import { patternFromTriplets } from '../sparse/csc';
import { LdlSolver, type FactorResult } from '../sparse/ldl';
import { resolveOptions } from './options';
import { INERTIA_DEFAULTS, InertiaCorrector, PeriodShift, periodGroups, type PerturbedSystem } from './inertia';

/**
 * A KKT matrix [W + δ_w  Aᵀ; A  −δ_c] of P periods with three variables each (xₐ, xᵦ, x꜀), one
 * row per period (xₐ + xᵦ) and rows chaining the periods (x꜀ of p minus x꜀ of p + 1, a storage
 * chain's shape). W = diag(h). On the null space of period p's row, (1, −1) in (xₐ, xᵦ), the
 * curvature is hₐ + hᵦ: the reduced Hessian is positive definite iff hₐ + hᵦ + 2δ_p > 0 in every
 * period (h꜀ > 0); the factorization (real LDLᵀ, inertia by Sylvester's law) decides.
 */
class ChainKkt implements PerturbedSystem {
  readonly nw: number;
  readonly m: number;
  private readonly solver: LdlSolver;
  private readonly map: Int32Array;
  private readonly vals: number[];
  private perVariable: Float64Array | null = null;
  /** Every δ_w vector a factorization was made with, and its inertia. */
  readonly log: { delta: number[]; r: FactorResult }[] = [];
  /** NlpProblem.periods.ofVar and the Jacobian's structure (row, column), for periodGroups. */
  readonly periodOfVariable: Int32Array;
  readonly jRows: Int32Array;
  readonly jCols: Int32Array;

  constructor(private readonly h: readonly number[]) {
    const P = h.length / 3;
    this.nw = 3 * P;
    this.m = 2 * P - 1;
    const dim = this.nw + this.m;
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let k = 0; k < dim; k++) {
      r.push(k);
      c.push(k);
      v.push(0);
    }
    const jr: number[] = [];
    const jc: number[] = [];
    const jac = (row: number, col: number, a: number): void => {
      r.push(this.nw + row);
      c.push(col);
      v.push(a);
      jr.push(row);
      jc.push(col);
    };
    for (let p = 0; p < P; p++) {
      jac(p, 3 * p, 1);
      jac(p, 3 * p + 1, 1);
    }
    for (let p = 0; p + 1 < P; p++) {
      jac(P + p, 3 * p + 2, 1);
      jac(P + p, 3 * p + 5, -1);
    }
    this.vals = v;
    this.jRows = Int32Array.from(jr);
    this.jCols = Int32Array.from(jc);
    this.periodOfVariable = Int32Array.from({ length: this.nw }, (_, j) => Math.floor(j / 3));
    const { pattern, map } = patternFromTriplets(dim, Int32Array.from(r), Int32Array.from(c));
    this.map = map;
    // Natural order: every row after the variables it couples (the KKT ordering's rule).
    this.solver = new LdlSolver(pattern, { ordering: 'natural' });
  }

  groups(): NonNullable<ReturnType<typeof periodGroups>> {
    const g = periodGroups(
      this.nw,
      this.nw,
      this.periodOfVariable,
      new Int32Array(this.m).fill(-1),
      this.jRows,
      this.jCols,
    );
    expect(g).not.toBeNull();
    return g!;
  }

  setDeltaWPerVariable(d: Float64Array | null): void {
    this.perVariable = d ? Float64Array.from(d) : null;
  }

  assembleAndFactor(deltaW: number, deltaC: number): FactorResult {
    const values = new Float64Array(this.solver.nnzA);
    const delta: number[] = [];
    for (let k = 0; k < this.vals.length; k++) {
      let a = this.vals[k]!;
      if (k < this.nw) {
        delta.push(this.perVariable ? this.perVariable[k]! : deltaW);
        a = this.h[k]! + delta[k]!;
      } else if (k < this.nw + this.m) a = -deltaC;
      values[this.map[k]!]! += a;
    }
    const r = this.solver.factor(values);
    this.log.push({ delta, r });
    return r;
  }

  hasCorrectInertia(r: FactorResult): boolean {
    return r.ok && r.zero === 0 && r.positive === this.nw && r.negative === this.m;
  }

  pivots(): { d: Float64Array; perm: Int32Array } {
    return { d: this.solver.pivots(), perm: this.solver.permutation };
  }
}

const CONVEX = [2, 2, 1];

describe('per-period Hessian shift (inertia correction, issue #16)', () => {
  it('groups variables, rows and slacks by period; no hint or a single period is no grouping', () => {
    const g = new ChainKkt([...CONVEX, ...CONVEX]).groups();
    expect(Array.from(g.groupOfW)).toEqual([0, 0, 0, 1, 1, 1]);
    // The chain row between periods 0 and 1 belongs to the later one.
    expect(Array.from(g.groupOfRow)).toEqual([0, 1, 1]);
    expect(g.groups).toBe(2);
    // An inequality row's slack takes the row's period; a variable without one (−1) and a row
    // touching none get an extra group.
    const s = periodGroups(
      3,
      5,
      Int32Array.from([0, 1, -1]),
      Int32Array.from([0, -1, 1]),
      Int32Array.from([0, 0, 1, 2]),
      Int32Array.from([0, 1, 1, 2]),
    )!;
    expect(Array.from(s.groupOfW)).toEqual([0, 1, 2, 1, 2]);
    expect(Array.from(s.groupOfRow)).toEqual([1, 1, 2]);
    expect(s.groups).toBe(3);
    expect(periodGroups(2, 2, undefined, new Int32Array(0), new Int32Array(0), new Int32Array(0))).toBeNull();
    expect(
      periodGroups(2, 2, Int32Array.from([0, 0]), new Int32Array(0), new Int32Array(0), new Int32Array(0)),
    ).toBeNull();
  });

  it('shifts only the periods whose pivots are wrong, and the whole matrix then has the right inertia', () => {
    // Period 3 of 4: hₐ + hᵦ = −2 on its row's null space; periods 0–2 are convex.
    const h = [...CONVEX, ...CONVEX, ...CONVEX, 1, -3, 1];
    const global = new InertiaCorrector();
    const sysG = new ChainKkt(h);
    expect(global.factorize(sysG, 0.1)).toBe(true);
    expect(global.deltaW).toBeGreaterThan(1);

    const sys = new ChainKkt(h);
    const ic = new InertiaCorrector();
    ic.periodShift = new PeriodShift(sys.groups());
    expect(ic.factorize(sys, 0.1)).toBe(true);
    const last = sys.log[sys.log.length - 1]!;
    expect(sys.hasCorrectInertia(last.r)).toBe(true);
    expect(ic.periodShift.settled).toBe(1);
    expect(ic.periodShift.fallbacks).toBe(0);
    // Period 3 was raised past the curvature it lacked, to the δ_w the global rule found; periods
    // 0 and 1, away from it, kept the first guess δ̄_w⁰.
    for (let j = 9; j < 12; j++) expect(last.delta[j]).toBe(global.deltaW);
    for (let j = 0; j < 6; j++) expect(last.delta[j]).toBe(1e-4);
    expect(ic.deltaW).toBe(global.deltaW);
    // Every trial before it had the wrong inertia.
    for (const t of sys.log.slice(0, -1)) expect(sys.hasCorrectInertia(t.r)).toBe(false);
    // Next call: every period starts where the global rule would, from the largest δ_w^last
    // times κ_w⁻ (the same first guess as the global corrector's next call).
    const firstDelta = global.deltaW;
    const next = new ChainKkt(h);
    expect(ic.factorize(next, 0.1)).toBe(true);
    const nextG = new ChainKkt(h);
    expect(global.factorize(nextG, 0.1)).toBe(true);
    // log[0]: the unperturbed trial (IC-1); log[1]: the first guess.
    expect(next.log[1]!.delta).toEqual(Array(12).fill(INERTIA_DEFAULTS.kappaWMinus * firstDelta));
    expect(next.log[1]!.delta).toEqual(nextG.log[1]!.delta);
  });

  it('held (a full step raised θ): the next call starts every period from δ_w^last itself, once', () => {
    const h = [...CONVEX, ...CONVEX, ...CONVEX, 1, -3, 1];
    const ic = new InertiaCorrector();
    const first = new ChainKkt(h);
    ic.periodShift = new PeriodShift(first.groups());
    expect(ic.factorize(first, 0.1)).toBe(true);
    const lastMax = Math.max(...first.log[first.log.length - 1]!.delta);
    // held: the first shifted trial (log[1], after the unperturbed one) is δ_w^last, not κ_w⁻ of it
    ic.holdShift = true;
    const held = new ChainKkt(h);
    expect(ic.factorize(held, 0.1)).toBe(true);
    expect(held.log[1]!.delta).toEqual(Array(12).fill(lastMax));
    expect(ic.holdShift).toBe(false); // used once
    expect(ic.periodShift.holds).toBe(1);
    // δ_w^last = lastMax was enough for period 3: that one trial settled it
    expect(held.log.length).toBe(2);
    expect(held.hasCorrectInertia(held.log[1]!.r)).toBe(true);
    // not held: W&B's κ_w⁻·δ_w^last again
    const after = new ChainKkt(h);
    expect(ic.factorize(after, 0.1)).toBe(true);
    expect(after.log[1]!.delta).toEqual(Array(12).fill(INERTIA_DEFAULTS.kappaWMinus * lastMax));
    expect(ic.periodShift.holds).toBe(1);
    // a restoration's reset forgets a hold set before it
    ic.holdShift = true;
    ic.reset();
    expect(ic.holdShift).toBe(false);
  });

  it('falls back to the global rule when the periods cannot settle it, keeping the global inertia test', () => {
    // Period 3 needs δ_w > 1e9: more than PERIOD_TRIALS escalations from δ̄_w⁰ reach.
    const h = [...CONVEX, ...CONVEX, ...CONVEX, 1, -2e9, 1];
    const sys = new ChainKkt(h);
    const ic = new InertiaCorrector();
    ic.periodShift = new PeriodShift(sys.groups());
    expect(ic.factorize(sys, 0.1)).toBe(true);
    expect(ic.periodShift.fallbacks).toBe(1);
    expect(ic.periodShift.settled).toBe(0);
    expect(sys.log.length).toBe(ic.trials);
    const last = sys.log[sys.log.length - 1]!;
    expect(sys.hasCorrectInertia(last.r)).toBe(true);
    // After the per-period trials (log[1..6]; period 0 held at δ̄_w⁰, period 3 raised), one δ_w
    // for every variable, the global rule's: from δ̄_w⁰ up until the inertia is right.
    expect(sys.log[1]!.delta).toEqual(Array(12).fill(1e-4));
    for (const t of sys.log.slice(2, 1 + PeriodShift.PERIOD_TRIALS)) {
      expect(t.delta[0]).toBe(1e-4);
      expect(t.delta[9]).toBeGreaterThan(1e-4);
    }
    const fallback = sys.log.slice(1 + PeriodShift.PERIOD_TRIALS);
    expect(fallback[0]!.delta).toEqual(Array(12).fill(1e-4));
    for (const t of fallback) expect(new Set(t.delta).size).toBe(1);
    expect(last.delta[0]).toBeGreaterThan(1e9);
    expect(ic.deltaW).toBe(last.delta[0]);
    // Next call: every period starts from the global δ_w^last ÷ 3, as the global rule would.
    const next = new ChainKkt(h);
    expect(ic.factorize(next, 0.1)).toBe(true);
    expect(next.log[1]!.delta).toEqual(Array(12).fill(INERTIA_DEFAULTS.kappaWMinus * last.delta[0]!));
  });

  it('after a fallback at a μ, later calls at that μ take the global rule after one failed trial', () => {
    // Period 3 needs δ_w > 1e9 (the fallback test above), then, at the next iterate, > 1e10.
    const h = [...CONVEX, ...CONVEX, ...CONVEX, 1, -2e9, 1];
    const harder = [...CONVEX, ...CONVEX, ...CONVEX, 1, -2e10, 1];
    const run = (mu2: number): { ic: InertiaCorrector; sys: ChainKkt } => {
      const ic = new InertiaCorrector();
      const first = new ChainKkt(h);
      ic.periodShift = new PeriodShift(first.groups());
      expect(ic.factorize(first, 0.1)).toBe(true);
      expect(ic.periodShift.fallbacks).toBe(1);
      const sys = new ChainKkt(harder);
      expect(ic.factorize(sys, mu2)).toBe(true);
      expect(sys.log.length).toBe(ic.trials);
      // Whatever the path, the accepted matrix has the inertia (n_w, m, 0) (W&B §3.1) and
      // period 3's reduced curvature hₐ + hᵦ + 2δ_w is positive.
      const last = sys.log[sys.log.length - 1]!;
      expect(sys.hasCorrectInertia(last.r)).toBe(true);
      expect(1 - 2e10 + 2 * last.delta[9]!).toBeGreaterThan(0);
      for (const t of sys.log.slice(0, -1)) expect(sys.hasCorrectInertia(t.r)).toBe(false);
      return { ic, sys };
    };
    // Same μ: the unperturbed trial, one per-period trial (every period at the first guess), then
    // one δ_w for all from the global δ_w^last ÷ 3, raised ×8 until the inertia is right.
    const same = run(0.1);
    expect(same.ic.periodShift!.shortcuts).toBe(1);
    expect(same.ic.periodShift!.fallbacks).toBe(1);
    const trials = same.sys.log.slice(1);
    for (const t of trials) expect(new Set(t.delta).size).toBe(1);
    expect(trials[1]!.delta[0]).toBe(trials[0]!.delta[0]);
    for (let k = 2; k < trials.length; k++) expect(trials[k]!.delta[0]).toBe(8 * trials[k - 1]!.delta[0]!);
    // Another μ: the per-period trials are tried again, and here they settle it, period 3 raised
    // alone.
    const other = run(0.05);
    expect(other.ic.periodShift!.shortcuts).toBe(0);
    expect(other.ic.periodShift!.fallbacks).toBe(1);
    expect(other.ic.periodShift!.settled).toBe(1);
    const last = other.sys.log[other.sys.log.length - 1]!;
    expect(last.delta[0]).toBe(other.sys.log[1]!.delta[0]);
    expect(last.delta[9]).toBeGreaterThan(last.delta[0]!);
  });

  it('with the shift, a zero pivot that δ_c leaves marks the Hessian degenerate at once', () => {
    // x꜀ has no curvature (h꜀ = 0): at δ_w = 0 its pivot is zero, with or without δ_c (the
    // OPF's flow variables). Every later iteration needs δ_w > 0.
    const h = [2, 2, 0, 2, 2, 0, 2, 2, 0];
    const calls = (shift: boolean): number[] => {
      const ic = new InertiaCorrector();
      if (shift) ic.periodShift = new PeriodShift(new ChainKkt(h).groups());
      const trials: number[] = [];
      for (let k = 0; k < 4; k++) {
        const sys = new ChainKkt(h);
        expect(ic.factorize(sys, 0.1)).toBe(true);
        const last = sys.log[sys.log.length - 1]!;
        expect(sys.hasCorrectInertia(last.r)).toBe(true);
        expect(last.delta[2]).toBeGreaterThan(0);
        // The trials skipped are ones that fail: the unperturbed factorizations had zero pivots.
        for (const t of sys.log.slice(0, -1)) expect(t.r.zero).toBeGreaterThan(0);
        trials.push(ic.trials);
      }
      return trials;
    };
    // Global rule (Ipopt's degen_iters_max = 3): unperturbed, δ_c, δ_w; then unperturbed (δ_c
    // remembered) and δ_w for two more iterations; from the fourth, δ_w at once.
    expect(calls(false)).toEqual([3, 2, 2, 1]);
    // With the shift: degenerate from the first call on.
    expect(calls(true)).toEqual([3, 1, 1, 1]);
  });

  it('is an option of the solver, off by default; a wrong value is a clear error', () => {
    expect(resolveOptions({}).hessianPerturbation).toBe('global');
    expect(resolveOptions({ hessianPerturbation: 'perPeriod' }).hessianPerturbation).toBe('perPeriod');
    expect(() => resolveOptions({ hessianPerturbation: 'period' as never })).toThrow(
      /hessianPerturbation = period is not 'global' or 'perPeriod'/,
    );
  });
});
