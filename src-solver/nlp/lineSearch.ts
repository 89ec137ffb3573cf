/**
 * The pieces of the filter line search, W&B 2006 §2.3–2.4 (Ipopt's BacktrackingLineSearch and
 * FilterLSAcceptor). The backtracking loop itself is a named step of ipm.ts; these are its tests.
 *
 * Fraction to the boundary (eq. 15):  α_max = max{ α ∈ (0,1] : w + α Δw ≥ (1 − τ) w }, measured
 *   from each bound; the same for the bound multipliers z (α_z).
 * Switching condition (eq. 19):  m(α) < 0  and  α (−m(α))^{s_φ} > δ θ^{s_θ},  m(α) = α ∇φᵀΔw.
 * Armijo condition (eq. 20):  φ(w + αΔw) ≤ φ(w) + η_φ α ∇φᵀΔw.
 * Sufficient decrease w.r.t. the current point (eq. 18):  θ⁺ ≤ (1 − γ_θ) θ  or  φ⁺ ≤ φ − γ_φ θ.
 * Minimal step (eq. 23):  α_min = γ_α · { min(γ_θ, γ_φ θ/(−∇φᵀΔw), δ θ^{s_θ}/(−∇φᵀΔw)^{s_φ})  if ∇φᵀΔw < 0, θ ≤ θ_min
 *                                      { min(γ_θ, γ_φ θ/(−∇φᵀΔw))                          if ∇φᵀΔw < 0, θ > θ_min
 *                                      { γ_θ                                               otherwise
 * Comparisons of φ allow a relative slack of 10 ε_mach (Ipopt's Compare_le) so that round-off
 * does not reject a step at convergence.
 */
import type { Filter } from './filter';

const EPS = 2.220446049250313e-16;

/** Largest α ∈ (0, 1] keeping w + α d at least a fraction τ away from each bound (eq. 15). */
export function maxStepToBoundary(
  w: Float64Array,
  d: Float64Array,
  wL: Float64Array,
  wU: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  tau: number,
): number {
  let alpha = 1;
  for (let j = 0; j < w.length; j++) {
    const dj = d[j];
    if (dj < 0 && hasL[j]) {
      const a = (-tau * (w[j] - wL[j])) / dj;
      if (a < alpha) alpha = a;
    } else if (dj > 0 && hasU[j]) {
      const a = (tau * (wU[j] - w[j])) / dj;
      if (a < alpha) alpha = a;
    }
  }
  return alpha;
}

/** The component of w that sets `maxStepToBoundary`'s α (< 1): its index in w and which bound. */
export interface BlockingBound {
  readonly index: number;
  readonly bound: 'lower' | 'upper';
  readonly alpha: number;
}

/** Which component and bound cut the step of eq. (15) below 1 (the first of equals); null when none does. */
export function blockingBound(
  w: Float64Array,
  d: Float64Array,
  wL: Float64Array,
  wU: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  tau: number,
): BlockingBound | null {
  let alpha = 1;
  let index = -1;
  let upper = false;
  for (let j = 0; j < w.length; j++) {
    const dj = d[j];
    if (dj < 0 && hasL[j]) {
      const a = (-tau * (w[j] - wL[j])) / dj;
      if (a < alpha) {
        alpha = a;
        index = j;
        upper = false;
      }
    } else if (dj > 0 && hasU[j]) {
      const a = (tau * (wU[j] - w[j])) / dj;
      if (a < alpha) {
        alpha = a;
        index = j;
        upper = true;
      }
    }
  }
  return index < 0 ? null : { index, bound: upper ? 'upper' : 'lower', alpha };
}

/** Which bound multiplier (index into z_L or z_U) cuts the dual step below 1; null when none does. */
export function blockingMultiplier(
  zL: Float64Array,
  dzL: Float64Array,
  hasL: Uint8Array,
  zU: Float64Array,
  dzU: Float64Array,
  hasU: Uint8Array,
  tau: number,
): BlockingBound | null {
  let alpha = 1;
  let index = -1;
  let upper = false;
  for (let j = 0; j < zL.length; j++) {
    if (hasL[j] && dzL[j] < 0) {
      const a = (-tau * zL[j]) / dzL[j];
      if (a < alpha) {
        alpha = a;
        index = j;
        upper = false;
      }
    }
    if (hasU[j] && dzU[j] < 0) {
      const a = (-tau * zU[j]) / dzU[j];
      if (a < alpha) {
        alpha = a;
        index = j;
        upper = true;
      }
    }
  }
  return index < 0 ? null : { index, bound: upper ? 'upper' : 'lower', alpha };
}

/** Largest α ∈ (0, 1] with z + α dz ≥ (1 − τ) z for the components that have a bound. */
export function maxStepPositive(z: Float64Array, dz: Float64Array, has: Uint8Array, tau: number): number {
  let alpha = 1;
  for (let j = 0; j < z.length; j++) {
    if (has[j] && dz[j] < 0) {
      const a = (-tau * z[j]) / dz[j];
      if (a < alpha) alpha = a;
    }
  }
  return alpha;
}

export interface FilterConstants {
  delta: number;
  sTheta: number;
  sPhi: number;
  etaPhi: number;
  gammaTheta: number;
  gammaPhi: number;
  gammaAlpha: number;
}

/** a ≤ b up to 10 ε_mach relative to |ref| (Ipopt Compare_le). */
export function compareLe(a: number, b: number, ref: number): boolean {
  return a - b <= 10 * EPS * Math.abs(ref);
}

/** Switching condition, eq. (19). */
export function switchingCondition(alpha: number, gradPhiD: number, theta: number, c: FilterConstants): boolean {
  return gradPhiD < 0 && alpha * Math.pow(-gradPhiD, c.sPhi) > c.delta * Math.pow(theta, c.sTheta);
}

/** Armijo condition, eq. (20). */
export function armijoCondition(
  phiTrial: number,
  phi: number,
  alpha: number,
  gradPhiD: number,
  etaPhi: number,
): boolean {
  return compareLe(phiTrial - phi, etaPhi * alpha * gradPhiD, phi);
}

/** Sufficient decrease w.r.t. the current iterate, eq. (18). */
export function sufficientDecrease(
  thetaTrial: number,
  phiTrial: number,
  theta: number,
  phi: number,
  c: FilterConstants,
): boolean {
  return thetaTrial <= (1 - c.gammaTheta) * theta || compareLe(phiTrial - phi, -c.gammaPhi * theta, phi);
}

/** α_min, eq. (23). */
export function alphaMinimum(theta: number, gradPhiD: number, thetaMin: number, c: FilterConstants): number {
  let a: number;
  if (gradPhiD < 0) {
    a = Math.min(c.gammaTheta, (c.gammaPhi * theta) / -gradPhiD);
    if (theta <= thetaMin) a = Math.min(a, (c.delta * Math.pow(theta, c.sTheta)) / Math.pow(-gradPhiD, c.sPhi));
  } else a = c.gammaTheta;
  return c.gammaAlpha * a;
}

/** Outcome of the acceptance test of one trial point. */
export type TrialVerdict = 'fType' | 'hType' | 'rejected';

/**
 * W&B Algorithm A, steps: is the trial point (θ⁺, φ⁺) acceptable for step size α?
 * 'fType' when the switching condition holds at a nearly feasible point (θ ≤ θ_min) and Armijo
 * holds (the filter is then NOT augmented); 'hType' when it is acceptable through sufficient
 * decrease of θ or φ (the filter is augmented).
 */
export function filterAcceptance(
  thetaTrial: number,
  phiTrial: number,
  theta: number,
  phi: number,
  alpha: number,
  gradPhiD: number,
  thetaMin: number,
  thetaMax: number,
  filter: Filter,
  c: FilterConstants,
): TrialVerdict {
  if (!(thetaTrial <= thetaMax)) return 'rejected';
  if (!filter.acceptable(thetaTrial, phiTrial)) return 'rejected';
  if (theta <= thetaMin && switchingCondition(alpha, gradPhiD, theta, c)) {
    return armijoCondition(phiTrial, phi, alpha, gradPhiD, c.etaPhi) ? 'fType' : 'rejected';
  }
  return sufficientDecrease(thetaTrial, phiTrial, theta, phi, c) ? 'hType' : 'rejected';
}
