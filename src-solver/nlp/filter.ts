/**
 * The filter of W&B 2006 §2.3: a set F of pairs (θ, φ) that trial points must avoid.
 *
 * A trial point (θ⁺, φ⁺) is acceptable to the filter when, for every stored pair (θ_l, φ_l),
 *     θ⁺ < θ_l   or   φ⁺ < φ_l                                         (eq. 17/21)
 * The pairs are stored with their margins already applied, i.e. the filter is augmented with
 *     ( (1 − γ_θ) θ_k ,  φ_k − γ_φ θ_k )                                (eq. 22)
 * after every iteration that is not an "f-type" iteration. Reset whenever μ changes (§2.1).
 * Dominated entries are pruned on insertion, so the filter stays small.
 */
export class Filter {
  private theta: Float64Array;
  private phi: Float64Array;
  private size = 0;

  constructor(capacity = 64) {
    this.theta = new Float64Array(capacity);
    this.phi = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  clear(): void {
    this.size = 0;
  }

  /** Is (θ, φ) acceptable to the filter (not dominated by any stored pair)? */
  acceptable(theta: number, phi: number): boolean {
    for (let l = 0; l < this.size; l++) {
      if (theta >= this.theta[l] && phi >= this.phi[l]) return false;
    }
    return true;
  }

  /** Add the pair (θ, φ) (margins already applied by the caller), removing entries it dominates. */
  add(theta: number, phi: number): void {
    let k = 0;
    for (let l = 0; l < this.size; l++) {
      if (!(this.theta[l] >= theta && this.phi[l] >= phi)) {
        this.theta[k] = this.theta[l];
        this.phi[k] = this.phi[l];
        k++;
      }
    }
    this.size = k;
    if (this.size === this.theta.length) {
      const t = new Float64Array(this.size * 2);
      t.set(this.theta);
      this.theta = t;
      const p = new Float64Array(this.size * 2);
      p.set(this.phi);
      this.phi = p;
    }
    this.theta[this.size] = theta;
    this.phi[this.size] = phi;
    this.size++;
  }

  /** Augment with the margin-adjusted pair of the current iterate, W&B eq. (22). */
  augment(theta: number, phi: number, gammaTheta: number, gammaPhi: number): void {
    this.add((1 - gammaTheta) * theta, phi - gammaPhi * theta);
  }
}
