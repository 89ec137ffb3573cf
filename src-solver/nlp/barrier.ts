/**
 * Barrier parameter μ and fraction-to-the-boundary parameter τ.
 *
 * Monotone (Fiacco–McCormick), W&B 2006 §2.1: the barrier problem for fixed μ_j is solved to
 * E_μ(w) ≤ κ_ε μ_j (eq. 6 with μ), then
 *
 *     μ_{j+1} = max( ε_tol/10, min( κ_μ μ_j, μ_j^θ_μ ) )          (eq. 7)
 *     τ_j     = max( τ_min, 1 − μ_j )                             (eq. 8)
 *
 * and the filter is reset. Several decreases may happen in one iteration (Ipopt
 * mu_allow_fast_monotone_decrease).
 *
 * Adaptive: the LOQO probing rule (Vanderbei & Shanno 1999; Nocedal, Wächter & Waltz 2009,
 * eq. 3.6, Ipopt `mu_oracle loqo`) — chosen over the quality-function oracle for its cost (no
 * extra solves) and robustness:
 *
 *     ξ = min_i(z_i s_i) / (z̄ᵀs̄/N),   σ = 0.1·min( 0.05(1−ξ)/ξ, 2 )³,   μ = σ · z̄ᵀs̄/N
 *
 * Globalization (Ipopt `adaptive_mu_globalization kkt-error`): in free mode a step must reduce
 * the overall KKT error to ≤ κ·max of the last 4 accepted values (κ = 0.9999); otherwise the
 * solver switches to monotone mode with μ = 0.8·(average complementarity) and returns to free
 * mode once the barrier problem is solved (E_μ ≤ κ_ε μ) and the KKT error has decreased.
 */

/** W&B eq. (7). */
export function monotoneMuDecrease(mu: number, kappaMu: number, thetaMu: number, muMin: number): number {
  return Math.max(muMin, Math.min(kappaMu * mu, Math.pow(mu, thetaMu)));
}

/** W&B eq. (8). */
export function fractionToBoundaryTau(mu: number, tauMin: number): number {
  return Math.max(tauMin, 1 - mu);
}

/**
 * LOQO rule: μ = σ(ξ)·avg where avg = average complementarity, minCompl = the smallest product.
 * Returns avg itself when avg = 0 (nothing to centre).
 */
export function loqoMu(avgCompl: number, minCompl: number): number {
  if (!(avgCompl > 0)) return 0;
  const xi = Math.max(minCompl / avgCompl, 1e-300);
  const sigma = 0.1 * Math.pow(Math.min((0.05 * (1 - xi)) / xi, 2), 3);
  return sigma * avgCompl;
}

/** KKT-error memory of the adaptive strategy's globalization (Ipopt: num_refs_max = 4, refs_red_fact = 0.9999). */
export class KktErrorReferences {
  private readonly refs: Float64Array;
  private count = 0;
  private next = 0;
  constructor(
    size = 4,
    private readonly redFact = 0.9999,
  ) {
    this.refs = new Float64Array(size);
  }
  clear(): void {
    this.count = 0;
    this.next = 0;
  }
  add(err: number): void {
    this.refs[this.next] = err;
    this.next = (this.next + 1) % this.refs.length;
    if (this.count < this.refs.length) this.count++;
  }
  /** Sufficient progress: err ≤ redFact·max(refs) (true when there is no reference yet). */
  sufficientProgress(err: number): boolean {
    if (this.count === 0) return true;
    let mx = 0;
    for (let i = 0; i < this.count; i++) mx = Math.max(mx, this.refs[i]);
    return err <= this.redFact * mx;
  }
}
