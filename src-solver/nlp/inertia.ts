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

  constructor(readonly c: InertiaConstants = INERTIA_DEFAULTS) {}

  /**
   * Algorithm IC. Returns true when a correctly perturbed factorization is in place (δ_w, δ_c
   * recorded), false when δ_w would exceed δ̄_w^max or the matrix has non-finite entries.
   */
  factorize(sys: PerturbedSystem, mu: number): boolean {
    const c = this.c;
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
    // IC-3
    deltaW = this.deltaWLast === 0 ? c.deltaW0 : Math.max(c.deltaWMin, c.kappaWMinus * this.deltaWLast);
    for (;;) {
      // IC-4
      this.trials++;
      r = sys.assembleAndFactor(deltaW, deltaC);
      if (sys.hasCorrectInertia(r)) {
        this.deltaWLast = deltaW;
        if (deltaC > 0) this.jacDegenerate = true;
        if (++this.hessPerturbedIters >= InertiaCorrector.DEGEN_ITERS_MAX) this.hessDegenerate = true;
        return this.accept(deltaW, deltaC);
      }
      if (r.zero > 0 && deltaC === 0) deltaC = deltaCPert;
      // IC-5
      deltaW = this.deltaWLast === 0 ? c.kappaWPlusBar * deltaW : c.kappaWPlus * deltaW;
      // IC-6
      if (!(deltaW <= c.deltaWMax)) return false;
    }
  }

  private accept(deltaW: number, deltaC: number): boolean {
    this.deltaW = deltaW;
    this.deltaC = deltaC;
    return true;
  }

  /** Forget the degenerate-Jacobian memory and δ_w^last (after restoration, W&B §3.3). */
  reset(): void {
    this.deltaWLast = 0;
    this.jacDegenerate = false;
    this.hessDegenerate = false;
    this.hessPerturbedIters = 0;
  }
}
