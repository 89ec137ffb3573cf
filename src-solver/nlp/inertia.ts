/**
 * Inertia correction, W&B 2006 §3.1, Algorithm IC (Ipopt's PDPerturbationHandler).
 *
 * The augmented system (kkt.ts) must have inertia (nw, m, 0) for the step to be a descent
 * direction of the barrier problem (W&B eq. 25). When the factorization reports a zero pivot or
 * the wrong inertia, perturb W by δ_w·I and/or the (2,2) block by −δ_c·I and refactor:
 *
 *   IC-1  factor with δ_w = δ_c = 0 (or with the δ_c of a degenerate Jacobian, see below);
 *   IC-2  zero pivot ⇒ δ_c = δ̄_c μ^κ_c                                   (δ̄_c = 1e-8, κ_c = 1/4)
 *   IC-3  δ_w = δ̄_w⁰ if δ_w^last = 0, else max(δ̄_w^min, κ_w⁻ δ_w^last)   (δ̄_w⁰ = 1e-4, δ̄_w^min = 1e-20, κ_w⁻ = 1/3)
 *   IC-4  factor; correct inertia ⇒ δ_w^last = δ_w, done
 *   IC-5  δ_w ← κ̄_w⁺ δ_w if δ_w^last = 0, else κ_w⁺ δ_w                   (κ̄_w⁺ = 100, κ_w⁺ = 8)
 *   IC-6  δ_w > δ̄_w^max (1e20) ⇒ give up (the caller enters restoration or stops), else IC-4.
 *
 * Degeneracy memory (Ipopt's PDPerturbationHandler `hess_degenerate_` / `jac_degenerate_`):
 * our LDLᵀ uses a static ordering without pivoting, so a zero pivot may also come from the
 * ordering meeting a zero diagonal (a variable without curvature or bounds, or an unperturbed
 * (2,2) block). Once δ_c was needed, later iterations start with δ_c > 0; once δ_w > 0 was
 * needed in `degenItersMax` = 3 consecutive iterations, later iterations skip the unperturbed
 * trial and start at IC-3 (δ_w = max(δ̄_w^min, κ_w⁻ δ_w^last)). Both keep the factorization
 * count near one per iteration on models whose Hessian is structurally singular (OPF flows).
 *
 * Per-period shift (`PeriodShift`, option hessianPerturbation 'perPeriod', issue #16): for a
 * multi-period model (NlpProblem.periods.ofVar) δ_w becomes one value per period: every
 * period starts at the global rule's first guess (IC-3 from the largest δ_w^last), and a failed
 * factorization raises (IC-5) only the periods
 * whose own pivots have the wrong count (the LDLᵀ's pivots mapped back through its permutation to
 * the variables and rows of each period: as many negative pivots as the period has rows, none
 * zero) and their neighbours on the storage chain; when no period's count is wrong, every period.
 * (Leaving out runs of neighbours whose wrong counts balance, +k and −k, saved iterations on
 * stretches up to 2,160 h but jammed the year at μ = 2.5e-9: docs/siting.md, "fewer
 * factorizations per iteration".)
 * After `PERIOD_TRIALS` failed factorizations the global rule takes over from its own δ_w^last.
 * Two shortcuts, both only with the shift (issue #16, docs/siting.md "fewer factorizations per
 * iteration"): once the per-period trials have fallen back at a barrier parameter μ, later calls at
 * the same μ go to the global rule after their first failed trial (on the contiguous year's last μ
 * the localization kept failing: 7–8 factorizations where the global rule's first guess sufficed);
 * and a zero pivot that the δ_c trial did not remove marks the Hessian degenerate at once (the
 * OPF's flow variables have neither curvature nor bounds), instead of after `DEGEN_ITERS_MAX`
 * iterations whose unperturbed trial is certain to fail. Neither changes what is accepted when the
 * skipped trials would have failed.
 * The test is always the global inertia (nw, m, 0) of the whole matrix, so the guarantee of W&B
 * §3.1 — a descent direction from a reduced Hessian made positive definite — is unchanged; only
 * the shift that achieves it may differ between periods. Measured on the contiguous-year OPF
 * (docs/siting.md, "the regularization hypothesis"): with W&B's global step 5–13 % fewer
 * iterations on a week and a month, 333 instead of 199 on the whole year — so the solver's
 * default stays 'global'. With per-period step lengths (periodSteps.ts) it wins on every stretch
 * measured (2,160 h: 122 iterations against 160; docs/siting.md, "… with the per-period shift"),
 * and the OPF uses the two together for more than one period (opf/solve.ts).
 */
import type { FactorResult } from '../sparse/ldl';

export interface InertiaConstants {
  /** δ̄_w⁰, Ipopt first_hessian_perturbation. */
  deltaW0: number;
  /** δ̄_w^min, Ipopt min_hessian_perturbation. */
  deltaWMin: number;
  /** δ̄_w^max, Ipopt max_hessian_perturbation. */
  deltaWMax: number;
  /** κ_w⁻, Ipopt perturb_dec_fact. */
  kappaWMinus: number;
  /** κ_w⁺, Ipopt perturb_inc_fact. */
  kappaWPlus: number;
  /** κ̄_w⁺, Ipopt perturb_inc_fact_first. */
  kappaWPlusBar: number;
  /** δ̄_c, Ipopt jacobian_regularization_value. */
  deltaCBar: number;
  /** κ_c, Ipopt jacobian_regularization_exponent. */
  kappaC: number;
}

export const INERTIA_DEFAULTS: InertiaConstants = {
  deltaW0: 1e-4,
  deltaWMin: 1e-20,
  deltaWMax: 1e20,
  kappaWMinus: 1 / 3,
  kappaWPlus: 8,
  kappaWPlusBar: 100,
  deltaCBar: 1e-8,
  kappaC: 0.25,
};

/** The system to factor: assemble with (δ_w, δ_c), factor, report. */
export interface PerturbedSystem {
  assembleAndFactor(deltaW: number, deltaC: number): FactorResult;
  hasCorrectInertia(r: FactorResult): boolean;
  /** δ_w per primal variable for the next assembleAndFactor (null: its scalar δ_w); per-period shift only. */
  setDeltaWPerVariable?(d: Float64Array | null): void;
  /** Pivots of the last factorization in elimination order and the original index of each; per-period shift only. */
  pivots?(): { d: Float64Array; perm: Int32Array };
}

/** The groups (periods) of the primal variables w = (x, s) for the per-period shift. */
export interface PeriodGroups {
  /** Group of each w_j in 0..groups−1. */
  readonly groupOfW: Int32Array;
  /** Group of each constraint row (the largest period of the variables it touches). */
  readonly groupOfRow: Int32Array;
  readonly groups: number;
}

/**
 * Groups of w from NlpProblem.periods.ofVar: a variable's period; a constraint row, and its
 * slack, the largest period of the variables the row touches; everything without a period (−1,
 * or a row with none) one extra group. Null when the hint is missing or names fewer than two
 * periods.
 */
export function periodGroups(
  n: number,
  nw: number,
  periodOfVariable: Int32Array | undefined,
  slackOfCon: Int32Array,
  jRows: Int32Array,
  jCols: Int32Array,
): PeriodGroups | null {
  if (!periodOfVariable || periodOfVariable.length !== n) return null;
  let periods = 0;
  for (let j = 0; j < n; j++) periods = Math.max(periods, periodOfVariable[j] + 1);
  if (periods < 2) return null;
  const groupOfW = new Int32Array(nw).fill(-1);
  const groupOfRow = new Int32Array(slackOfCon.length).fill(-1);
  for (let j = 0; j < n; j++) groupOfW[j] = periodOfVariable[j] >= 0 ? periodOfVariable[j] : -1;
  for (let k = 0; k < jRows.length; k++) groupOfRow[jRows[k]] = Math.max(groupOfRow[jRows[k]], groupOfW[jCols[k]]);
  for (let i = 0; i < slackOfCon.length; i++) if (slackOfCon[i] >= 0) groupOfW[n + slackOfCon[i]] = groupOfRow[i];
  let none = false;
  for (let j = 0; j < nw; j++) {
    if (groupOfW[j] < 0) {
      groupOfW[j] = periods;
      none = true;
    }
  }
  for (let i = 0; i < groupOfRow.length; i++) {
    if (groupOfRow[i] < 0) {
      groupOfRow[i] = periods;
      none = true;
    }
  }
  return { groupOfW, groupOfRow, groups: none ? periods + 1 : periods };
}

/** State of the per-period shift: δ_w and δ_w^last per group. */
export class PeriodShift {
  readonly last: Float64Array;
  readonly delta: Float64Array;
  /** δ_w per primal variable, handed to the system. */
  readonly perVariable: Float64Array;
  private readonly flagged: Uint8Array;
  private readonly excess: Int32Array;
  /** Factorizations of the per-period phase before the global rule takes over. */
  static readonly PERIOD_TRIALS = 6;
  /** Iterations (calls) that fell back to the global rule, and that the per-period shift settled. */
  fallbacks = 0;
  settled = 0;
  /** Calls that went to the global rule after one failed trial, a fallback having happened at their μ. */
  shortcuts = 0;
  /** The barrier parameter of the last fallback (NaN: none yet, or since reset). */
  fellBackAtMu = NaN;
  /** Calls that started from δ_w^last itself (InertiaCorrector.holdShift). */
  holds = 0;

  constructor(readonly g: PeriodGroups) {
    this.last = new Float64Array(g.groups);
    this.delta = new Float64Array(g.groups);
    this.perVariable = new Float64Array(g.groupOfW.length);
    this.flagged = new Uint8Array(g.groups);
    this.excess = new Int32Array(g.groups);
  }

  /** Writes δ_w per variable from the groups' δ_w (perVariable) and returns the largest. */
  fill(): number {
    const { groupOfW } = this.g;
    for (let j = 0; j < groupOfW.length; j++) this.perVariable[j] = this.delta[groupOfW[j]];
    return this.maxDelta();
  }

  /** The largest group δ_w. */
  maxDelta(): number {
    let max = 0;
    for (let q = 0; q < this.delta.length; q++) max = Math.max(max, this.delta[q]);
    return max;
  }

  /**
   * Flag the groups whose own pivots (of their variables and rows) do not have the group's
   * inertia — as many negative pivots as the group has rows, none zero — and their neighbours
   * (periods p − 1 and p + 1: a storage chain ties them, and the wrong count of one period's
   * pivots may belong to the next). One pivot's sign means nothing alone (a static order pairs a
   * negative primal pivot with a positive row pivot), a period's count does as far as its part of
   * the elimination is its own: the KKT orderings keep each period's tree apart and tie periods
   * only by the few coupling variables. False, and every group flagged, when no group is wrong.
   */
  flagWrongPivots(d: Float64Array, perm: Int32Array): boolean {
    const { groupOfW, groupOfRow } = this.g;
    const nw = groupOfW.length;
    const excess = this.excess;
    excess.fill(0);
    for (let i = 0; i < groupOfRow.length; i++) excess[groupOfRow[i]]--;
    this.flagged.fill(0);
    for (let k = 0; k < perm.length; k++) {
      const j = perm[k];
      const q = j < nw ? groupOfW[j] : groupOfRow[j - nw];
      if (d[k] < 0) excess[q]++;
      else if (!(d[k] > 0)) this.flagged[q] = 1;
    }
    let any = false;
    for (let q = 0; q < excess.length; q++) {
      if (excess[q] !== 0 || this.flagged[q] === 1) {
        this.flagged[q] = 1;
        any = true;
      }
    }
    if (!any) {
      this.flagged.fill(1);
      return false;
    }
    // Neighbours (2: flagged as a neighbour, not spread further).
    for (let q = 0; q < excess.length; q++) {
      if (this.flagged[q] !== 1) continue;
      if (q > 0 && this.flagged[q - 1] === 0) this.flagged[q - 1] = 2;
      if (q + 1 < excess.length && this.flagged[q + 1] === 0) this.flagged[q + 1] = 2;
    }
    return true;
  }

  isFlagged(q: number): boolean {
    return this.flagged[q] !== 0;
  }

  reset(): void {
    this.last.fill(0);
    this.delta.fill(0);
    this.fellBackAtMu = NaN;
  }
}

export class InertiaCorrector {
  /** δ_w^last of W&B Algorithm IC. */
  deltaWLast = 0;
  /** δ_w and δ_c of the last successful factorization. */
  deltaW = 0;
  deltaC = 0;
  /** Factorizations performed in the last call. */
  trials = 0;
  private jacDegenerate = false;
  private hessDegenerate = false;
  private hessPerturbedIters = 0;
  /** Ipopt degen_iters_max. */
  private static readonly DEGEN_ITERS_MAX = 3;

  /** The per-period shift, when the solver has one (hessianPerturbation 'perPeriod' with a period hint). */
  periodShift: PeriodShift | null = null;
  /**
   * Set by the loop after each accepted step: true when the step was full (α = 1 in every class)
   * and the constraint violation θ still rose. W&B start each correction from κ_w⁻·δ_w^last on
   * the premise that the last shift was more than the step needed; a full Newton step that makes
   * θ worse is evidence it was not (it reached along directions of almost no curvature, where
   * the constraints' second-order terms take over). The per-period shift then starts its next
   * correction from δ_w^last itself, once (docs/siting.md, "Holding the shift after a full step
   * that raised θ").
   */
  holdShift = false;
  /** Whether the last call started from the held δ_w^last (for SolveHooks.onStep). */
  lastCallHeld = false;
  /** δ_w^last of the global rule alone (the per-period shift's fallback starts from it). */
  private globalLast = 0;

  constructor(readonly c: InertiaConstants = INERTIA_DEFAULTS) {}

  /**
   * Algorithm IC. Returns true when a correctly perturbed factorization is in place (δ_w, δ_c
   * recorded), false when δ_w would exceed δ̄_w^max or the matrix has non-finite entries.
   */
  factorize(sys: PerturbedSystem, mu: number): boolean {
    const c = this.c;
    this.lastCallHeld = false;
    const deltaCPert = c.deltaCBar * Math.pow(mu, c.kappaC);
    let deltaC = this.jacDegenerate ? deltaCPert : 0;
    let deltaW = 0;
    this.trials = 0;
    let r: FactorResult | null = null;
    if (!this.hessDegenerate) {
      this.trials = 1;
      r = sys.assembleAndFactor(deltaW, deltaC);
      if (sys.hasCorrectInertia(r)) {
        this.hessPerturbedIters = 0;
        return this.accept(deltaW, deltaC);
      }
    }
    if (r && (!r.ok || r.zero > 0)) {
      // IC-2: singular (or a zero pivot of the static ordering): regularize the constraint block.
      if (deltaC === 0) {
        deltaC = deltaCPert;
        this.trials++;
        r = sys.assembleAndFactor(deltaW, deltaC);
        if (sys.hasCorrectInertia(r)) {
          this.jacDegenerate = true;
          return this.accept(deltaW, deltaC);
        }
      }
    }
    const ps = this.periodShift;
    // With the shift: a zero pivot left at δ_w = 0 with δ_c > 0 is the Hessian's (file comment).
    if (ps && r && r.zero > 0 && deltaC > 0) this.hessDegenerate = true;
    if (ps && sys.setDeltaWPerVariable && sys.pivots) {
      const out = this.perPeriod(sys, ps, deltaC, deltaCPert, mu);
      if (out.done) return out.ok;
      deltaC = out.deltaC;
      deltaW = out.deltaW;
    } else deltaW = this.firstGuess(this.deltaWLast);
    for (;;) {
      // IC-4
      this.trials++;
      r = sys.assembleAndFactor(deltaW, deltaC);
      if (sys.hasCorrectInertia(r)) {
        this.globalLast = deltaW;
        if (ps) ps.last.fill(deltaW);
        return this.acceptShifted(deltaW, deltaC);
      }
      if (r.zero > 0 && deltaC === 0) deltaC = deltaCPert;
      // IC-5
      deltaW = this.deltaWLast === 0 ? c.kappaWPlusBar * deltaW : c.kappaWPlus * deltaW;
      // IC-6
      if (!(deltaW <= c.deltaWMax)) return false;
    }
  }

  /**
   * IC-3 … IC-5 with one δ_w per period (see the file comment). `done` with `ok` when it settled
   * (or must give up); otherwise the global rule continues from `deltaW` (IC-3 from its own
   * δ_w^last, `globalLast`) with `deltaC`.
   */
  private perPeriod(
    sys: PerturbedSystem,
    ps: PeriodShift,
    deltaC: number,
    deltaCPert: number,
    mu: number,
  ): { done: true; ok: boolean } | { done: false; deltaW: number; deltaC: number } {
    const c = this.c;
    const G = ps.delta.length;
    // IC-3: every period starts where the global rule would, from the largest δ_w^last (each
    // period from its own δ_w^last instead was measured: more iterations, docs/siting.md).
    let lastMax = 0;
    for (let q = 0; q < G; q++) lastMax = Math.max(lastMax, ps.last[q]);
    const hold = this.holdShift && lastMax > 0;
    this.holdShift = false;
    if (hold) {
      ps.holds++;
      this.lastCallHeld = true;
    }
    ps.delta.fill(hold ? Math.max(c.deltaWMin, lastMax) : this.firstGuess(lastMax));
    let max = 0;
    // After a fallback at this μ the localization is not trusted: one trial, then the global rule.
    const trials = ps.fellBackAtMu === mu ? 1 : PeriodShift.PERIOD_TRIALS;
    for (let trial = 0; trial < trials; trial++) {
      max = ps.fill();
      this.trials++;
      sys.setDeltaWPerVariable!(ps.perVariable);
      const r = sys.assembleAndFactor(max, deltaC);
      sys.setDeltaWPerVariable!(null);
      if (sys.hasCorrectInertia(r)) {
        ps.last.set(ps.delta);
        ps.settled++;
        return { done: true, ok: this.acceptShifted(max, deltaC) };
      }
      if (r.zero > 0 && deltaC === 0) deltaC = deltaCPert;
      const { d, perm } = sys.pivots!();
      ps.flagWrongPivots(d, perm);
      // IC-5 in the flagged periods only
      for (let q = 0; q < G; q++) if (ps.isFlagged(q)) ps.delta[q] *= ps.last[q] === 0 ? c.kappaWPlusBar : c.kappaWPlus;
      // IC-6
      if (!(ps.maxDelta() <= c.deltaWMax)) return { done: true, ok: false };
    }
    if (trials === PeriodShift.PERIOD_TRIALS) {
      ps.fallbacks++;
      ps.fellBackAtMu = mu;
    } else ps.shortcuts++;
    return { done: false, deltaW: this.firstGuess(this.globalLast), deltaC };
  }

  /** IC-3: δ̄_w⁰ when δ_w^last = 0, else max(δ̄_w^min, κ_w⁻ δ_w^last). */
  private firstGuess(last: number): number {
    const c = this.c;
    return last === 0 ? c.deltaW0 : Math.max(c.deltaWMin, c.kappaWMinus * last);
  }

  /** IC-4 accepted with δ_w > 0: δ_w^last, and the degeneracy memory (file comment). */
  private acceptShifted(deltaW: number, deltaC: number): boolean {
    this.deltaWLast = deltaW;
    if (deltaC > 0) this.jacDegenerate = true;
    if (++this.hessPerturbedIters >= InertiaCorrector.DEGEN_ITERS_MAX) this.hessDegenerate = true;
    return this.accept(deltaW, deltaC);
  }

  private accept(deltaW: number, deltaC: number): boolean {
    this.deltaW = deltaW;
    this.deltaC = deltaC;
    return true;
  }

  /** Forget the degenerate-Jacobian memory and δ_w^last (after restoration, W&B §3.3). */
  reset(): void {
    this.deltaWLast = 0;
    this.holdShift = false;
    this.jacDegenerate = false;
    this.hessDegenerate = false;
    this.hessPerturbedIters = 0;
    this.periodShift?.reset();
    this.globalLast = 0;
  }
}
