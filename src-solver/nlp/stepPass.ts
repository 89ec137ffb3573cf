/**
 * The pass over the variables that starts the line search (ipm.ts), for a search direction
 * (Δw, Δλ) at the current iterate, forming in one walk over w what W&B 2006 asks of it:
 *
 *   Δz_L = μ (W−W_L)⁻¹e − z_L − Σ_L Δw,  Δz_U = μ (W_U−W)⁻¹e − z_U + Σ_U Δw   (eq. 11 eliminated)
 *   ∇φ_μᵀΔw                    (eq. 3's gradient without Aᵀλ, as Iterate.barrierGradientPlusAtLambda)
 *   α_max, α_z = min(α_z^L, α_z^U)  (fraction to the boundary, eq. 15; maxStepToBoundary, maxStepPositive),
 *                               per class of variables (one class for W&B's step; per period, periodSteps.ts)
 *   tiny                        max_j |Δw_j|/(1 + |w_j|) < 10 ε (Ipopt tiny_step_tol)
 *
 * Each quantity is formed with the same operations, in the same order, as its own function
 * (`boundMultiplierStep` and the functions named above), so the values are the same bit for bit
 * (pieces.test.ts); the pass shares the slacks w − w_L, w_U − w and μ/(w − w_L), μ/(w_U − w)
 * between them and reads w, the bounds and z once instead of three times.
 */
import type { Iterate } from './iterate';

const EPS = 2.220446049250313e-16;

/**
 * What `stepPass` fills, per class of variables (length K each; K = 1 for W&B's one step, the
 * periods and the coupled class with stepLengths 'per-period', periodSteps.ts).
 */
export interface ClassSteps {
  /** Fraction to the boundary of w, eq. (15), over the class's variables. */
  readonly alphaPr: Float64Array;
  /** The same for z_L and z_U together (W&B's α_z = min(α_z^L, α_z^U)). */
  readonly alphaDu: Float64Array;
  /** Σ over the class of (∇φ_μ)_j Δw_j: ∇φ_μᵀΔw is their sum, ∇φ_μᵀ diag(α_cls)Δw = Σ_k α_k · gradPhiD_k. */
  readonly gradPhiD: Float64Array;
  /**
   * Over all classes, the component that sets the smallest primal fraction to the boundary and
   * the bound multiplier that sets the smallest dual one (the first of equals, in the order of
   * w): what `blockingBound` and `blockingMultiplier` (lineSearch.ts) return, found in the same
   * pass (SolveHooks.onStep reports them: two passes over w less). See `PassBlocking` for the
   * layout; an array written where a minimum changes, inside the loop, so that nothing follows
   * the loop but the return (see convergence.ts, variablePass, on code after long loops).
   */
  readonly blocking: Float64Array;
}

/**
 * The layout of ClassSteps.blocking: the blocking component's index (−1 when the full step
 * fits), 1 for its upper bound (0 lower), and its α; then the same for the bound multipliers
 * (1: z_U, 0: z_L).
 */
export const PassBlocking = {
  primalIndex: 0,
  primalUpper: 1,
  primalAlpha: 2,
  dualIndex: 3,
  dualUpper: 4,
  dualAlpha: 5,
} as const;

export function newClassSteps(count: number): ClassSteps {
  return {
    alphaPr: new Float64Array(count),
    alphaDu: new Float64Array(count),
    gradPhiD: new Float64Array(count),
    blocking: Float64Array.of(-1, 0, 1, -1, 0, 1),
  };
}

/** Δz_L, Δz_U of eq. (11) for the step Δw at `it` (0 where a bound is absent). */
export function boundMultiplierStep(
  it: Iterate,
  mu: number,
  dw: Float64Array,
  dzL: Float64Array,
  dzU: Float64Array,
): void {
  const { nw, wL, wU, hasL, hasU } = it.nlp;
  const { w, zL, zU } = it;
  for (let j = 0; j < nw; j++) {
    if (hasL[j]) {
      const s = w[j] - wL[j];
      dzL[j] = mu / s - zL[j] - (zL[j] / s) * dw[j];
    } else dzL[j] = 0;
    if (hasU[j]) {
      const s = wU[j] - w[j];
      dzU[j] = mu / s - zU[j] + (zU[j] / s) * dw[j];
    } else dzU[j] = 0;
  }
}

/**
 * The pass of the file comment: writes Δz_L, Δz_U and fills `out` class by class (variable j in
 * class ofVar[j], or all in class 0 when ofVar is null). Returns whether the step is tiny.
 */
export function stepPass(
  it: Iterate,
  mu: number,
  kappaD: number,
  tau: number,
  dw: Float64Array,
  dzL: Float64Array,
  dzU: Float64Array,
  ofVar: Int32Array | null,
  out: ClassSteps,
): boolean {
  const { n, nw, wL, wU, hasL, hasU, fixed } = it.nlp;
  const { w, gradF, zL, zU } = it;
  const { alphaPr, alphaDu, gradPhiD } = out;
  alphaPr.fill(1);
  alphaDu.fill(1);
  gradPhiD.fill(0);
  const damp = kappaD * mu;
  const tinyTol = 10 * EPS;
  let tiny = true;
  // the global minima and where they are set: a new one is always a new minimum of its class too
  // (the global minimum is at most the class's), so they are looked at only inside the class test
  let pA = 1;
  let dA = 1;
  const b = out.blocking;
  b[0] = -1;
  b[1] = 0;
  b[2] = 1;
  b[3] = -1;
  b[4] = 0;
  b[5] = 1;
  for (let j = 0; j < nw; j++) {
    const k = ofVar === null ? 0 : ofVar[j];
    const dj = dw[j];
    let g = j < n ? gradF[j] : 0;
    if (hasL[j]) {
      const s = w[j] - wL[j];
      const q = mu / s;
      const zj = zL[j];
      const dz = q - zj - (zj / s) * dj;
      dzL[j] = dz;
      g -= q - (hasU[j] ? 0 : damp);
      if (dj < 0) {
        const a = (-tau * s) / dj;
        if (a < alphaPr[k]) {
          alphaPr[k] = a;
          if (a < pA) {
            pA = a;
            b[0] = j;
            b[1] = 0;
            b[2] = a;
          }
        }
      }
      if (dz < 0) {
        const a = (-tau * zj) / dz;
        if (a < alphaDu[k]) {
          alphaDu[k] = a;
          if (a < dA) {
            dA = a;
            b[3] = j;
            b[4] = 0;
            b[5] = a;
          }
        }
      }
    } else dzL[j] = 0;
    if (hasU[j]) {
      const s = wU[j] - w[j];
      const q = mu / s;
      const zj = zU[j];
      const dz = q - zj + (zj / s) * dj;
      dzU[j] = dz;
      g += q - (hasL[j] ? 0 : damp);
      if (dj > 0) {
        const a = (tau * s) / dj;
        if (a < alphaPr[k]) {
          alphaPr[k] = a;
          if (a < pA) {
            pA = a;
            b[0] = j;
            b[1] = 1;
            b[2] = a;
          }
        }
      }
      if (dz < 0) {
        const a = (-tau * zj) / dz;
        if (a < alphaDu[k]) {
          alphaDu[k] = a;
          if (a < dA) {
            dA = a;
            b[3] = j;
            b[4] = 1;
            b[5] = a;
          }
        }
      }
    } else dzU[j] = 0;
    if (j < n && fixed[j]) g = 0;
    gradPhiD[k] += g * dj;
    // only whether the largest quotient is below 10ε is asked: stop dividing at the first that is not
    if (tiny && !(Math.abs(dj) / (1 + Math.abs(w[j])) < tinyTol)) tiny = false;
  }
  return tiny;
}

/**
 * The κ_Σ safeguard of W&B eq. (16) on an updated bound multiplier z with slack s:
 * max(min(z, κ_Σ μ / s), μ / (κ_Σ s)) — two divisions per bound and iteration. `hi` and `lo`
 * (`kappaSigmaBand`) bound z·s so that, when fl(z·s) lies strictly between them, z is provably
 * inside [fl(μ/fl(κ_Σ s)), fl(fl(κ_Σ μ)/s)] (the margins 1e-12 exceed the rounding of the
 * product and the quotients, a few ulps) and is returned as it is, which is what the formula
 * returns then; otherwise (near or beyond the band, s ≤ 0, NaN, underflow) the formula itself.
 */
export function kappaSigmaSafeguard(
  z: number,
  s: number,
  mu: number,
  kappaSigma: number,
  band: KappaSigmaBand,
): number {
  const zs = z * s;
  if (zs < band.hi && zs > band.lo) return z;
  return Math.max(Math.min(z, (kappaSigma * mu) / s), mu / (kappaSigma * s));
}

export interface KappaSigmaBand {
  hi: number;
  lo: number;
}

/** The band of `kappaSigmaSafeguard` for (μ, κ_Σ), written into `out`. */
export function kappaSigmaBand(mu: number, kappaSigma: number, out: KappaSigmaBand): KappaSigmaBand {
  out.hi = kappaSigma * mu * (1 - 1e-12);
  out.lo = (mu / kappaSigma) * (1 + 1e-12);
  return out;
}
