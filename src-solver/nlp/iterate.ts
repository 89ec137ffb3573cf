/**
 * One primal-dual iterate (w, λ, z_L, z_U) of the internal problem (internalNlp.ts) with the
 * quantities evaluated at it, and the functions of W&B 2006 §2 computed from them:
 *
 *     θ(w)     = ‖c(w)‖₁                                         constraint violation (§2.3)
 *     φ_μ(w)   = s_f f(x) − μ Σ ln(w_j − wL_j) − μ Σ ln(wU_j − w_j)
 *                + κ_d μ Σ_{lower only}(w_j − wL_j) + κ_d μ Σ_{upper only}(wU_j − w_j)   (eq. 3, §3.7)
 *     ∇_w L    = ∇f + Aᵀλ − z_L + z_U                            dual residual (eq. 4a)
 *
 * Two Iterate objects (current and trial) are swapped by the solver, never copied.
 *
 * ∇f + Aᵀλ (the Jacobian product, the one pass over all nnz(A) entries) is shared by the dual
 * residual and the barrier gradient: `lagrangianGradient` computes it once, and both take it
 * (the solver computes it in the convergence test and reuses it for the step's right-hand side).
 */
import { allFinite, type InternalNlp } from './internalNlp';

export class Iterate {
  readonly w: Float64Array;
  readonly lambda: Float64Array;
  readonly zL: Float64Array;
  readonly zU: Float64Array;
  /** s_f·f(x) */
  f = NaN;
  readonly gradF: Float64Array;
  /** s_c∘g(x) */
  readonly gs: Float64Array;
  /** c(w), see internalNlp.ts */
  readonly c: Float64Array;
  readonly jac: Float64Array;
  /** ‖c‖₁ and ‖c‖∞ */
  theta = NaN;
  thetaInf = NaN;
  /** φ_μ at w for (phiMu, phiKappa), NaN when not computed since the last evalFunctions. */
  private phiValue = NaN;
  private phiMu = NaN;
  private phiKappa = NaN;
  /**
   * The sums of φ_μ that do not depend on μ (Σ ln of the slacks, and the damped slacks), valid
   * while `sumsValid` (until the next evalFunctions): φ_μ at another μ or κ_d from them without a
   * logarithm per bound. `sumsInfinite`: a slack was not positive (φ_μ = +∞ at every μ).
   */
  private logSum = 0;
  private dampSum = 0;
  private sumsInfinite = false;
  private sumsValid = false;

  constructor(readonly nlp: InternalNlp) {
    this.w = new Float64Array(nlp.nw);
    this.lambda = new Float64Array(nlp.m);
    this.zL = new Float64Array(nlp.nw);
    this.zU = new Float64Array(nlp.nw);
    this.gradF = new Float64Array(nlp.n);
    this.gs = new Float64Array(nlp.m);
    this.c = new Float64Array(nlp.m);
    this.jac = new Float64Array(nlp.jRows.length);
  }

  /** x as a view of w (no copy). */
  get x(): Float64Array {
    return this.w.subarray(0, this.nlp.n);
  }

  /** Evaluate f, g, c, θ at w. Returns false when a value is not finite. */
  evalFunctions(): boolean {
    const nlp = this.nlp;
    const x = this.x;
    this.phiMu = NaN;
    this.sumsValid = false;
    this.f = nlp.evalF(x);
    if (!Number.isFinite(this.f)) return false;
    // g, then s_c∘g and c in one pass over the rows (InternalNlp.evalG's product, the same values)
    nlp.evalGUnscaled(x, this.gs);
    const t1 = residualPass(this.gs, nlp.conScale, nlp.slackOfCon, nlp.cTarget, this.w, nlp.n, this.c, thetaOut);
    this.theta = t1;
    this.thetaInf = thetaOut[0];
    return Number.isFinite(t1);
  }

  /** Evaluate ∇f and the Jacobian at w. Returns false when a value is not finite. */
  evalDerivatives(): boolean {
    const x = this.x;
    this.nlp.evalGradF(x, this.gradF);
    this.nlp.evalJacobian(x, this.jac);
    // (allFinite: the loop in a function of its own, see `residualPass`)
    if (!allFinite(this.gradF)) return false;
    return this.nlp.jacobianFinite(this.jac);
  }

  /**
   * φ_μ(w) of eq. (3) with the κ_d damping of one-sided bounds (+Infinity outside the bounds).
   * Remembered until the next evalFunctions: the line search asks again for the point it
   * accepted (one logarithm per bound, ~1.5 million on the 8500-node feeder × 24 h).
   */
  barrierObjective(mu: number, kappaD: number): number {
    if (mu === this.phiMu && kappaD === this.phiKappa) return this.phiValue;
    const phi = this.computeBarrierObjective(mu, kappaD);
    this.phiValue = phi;
    this.phiMu = mu;
    this.phiKappa = kappaD;
    return phi;
  }

  private computeBarrierObjective(mu: number, kappaD: number): number {
    if (!this.sumsValid) this.barrierSums();
    if (this.sumsInfinite) return Infinity;
    return this.f - mu * this.logSum + kappaD * mu * this.dampSum;
  }

  /** The μ-independent sums of φ_μ (see `logSum`): one pass over the bounds. */
  private barrierSums(): void {
    const { wL, wU, hasL, hasU, nw } = this.nlp;
    const ok = barrierSumsPass(this.w, wL, wU, hasL, hasU, nw, sumsOut);
    this.logSum = sumsOut[0];
    this.dampSum = sumsOut[1];
    this.sumsInfinite = !ok;
    this.sumsValid = true;
  }

  /**
   * ∇f + Aᵀλ into out (length nw; the slack columns of A are −I): the part of ∇_w L and of
   * ∇φ_μ + Aᵀλ that needs the Jacobian. Fixed variables are not zeroed here.
   */
  lagrangianGradient(out: Float64Array): void {
    const { n, jRows, jCols, conOfSlack } = this.nlp;
    const { gradF, jac, lambda } = this;
    out.set(gradF);
    addJacobianTransposeProduct(jac, jRows, jCols, lambda, out);
    // the slack columns (the Jacobian has entries in x columns only): 0 − λ_i, what zeroing and
    // subtracting gave, in one pass
    for (let k = 0; k < conOfSlack.length; k++) out[n + k] = 0 - lambda[conOfSlack[k]];
  }

  /**
   * ∇φ_μ(w) + Aᵀλ into out (length nw): the negative of the w-part of the right-hand side of
   * the augmented system (W&B eq. 13). Fixed variables get 0. Without λ: ∇φ_μ(w).
   */
  barrierGradientPlusAtLambda(mu: number, kappaD: number, out: Float64Array, withLambda: boolean): void {
    if (withLambda) this.lagrangianGradient(out);
    else {
      const { n, nw } = this.nlp;
      const gradF = this.gradF;
      for (let j = 0; j < n; j++) out[j] = gradF[j];
      for (let j = n; j < nw; j++) out[j] = 0;
    }
    this.addBarrierGradient(mu, kappaD, out, out);
  }

  /**
   * out = gradL + the barrier terms of ∇φ_μ, with gradL = ∇f + Aᵀλ from `lagrangianGradient`
   * at this iterate (out may alias gradL): ∇φ_μ + Aᵀλ without a second Jacobian product.
   */
  barrierGradientFrom(gradL: Float64Array, mu: number, kappaD: number, out: Float64Array): void {
    this.addBarrierGradient(mu, kappaD, gradL, out);
  }

  private addBarrierGradient(mu: number, kappaD: number, base: Float64Array, out: Float64Array): void {
    const { n, nw, wL, wU, hasL, hasU, fixed } = this.nlp;
    const w = this.w;
    const dampL = kappaD * mu;
    for (let j = 0; j < nw; j++) {
      let v = base[j];
      if (hasL[j]) v -= mu / (w[j] - wL[j]) - (hasU[j] ? 0 : dampL);
      if (hasU[j]) v += mu / (wU[j] - w[j]) - (hasL[j] ? 0 : dampL);
      out[j] = j < n && fixed[j] ? 0 : v;
    }
  }

  /**
   * Σ = Z_L (W−W_L)⁻¹ + Z_U (W_U−W)⁻¹ into `sigma` and the w part of the step's right-hand side
   * −(∇φ_μ + Aᵀλ) into `rhs` (its first nw entries), with gradL = ∇f + Aᵀλ at this iterate: one
   * pass over the variables for what was a Σ pass, a barrier-gradient pass and a negating copy —
   * the same operations on the same slacks, so the same values bit for bit as `sigma[j] =
   * 0 + z_L/(w−w_L) + z_U/(w_U−w)` and `rhs[j] = −out[j]` after `barrierGradientFrom`.
   */
  sigmaAndStepRhs(gradL: Float64Array, mu: number, kappaD: number, sigma: Float64Array, rhs: Float64Array): void {
    const { n, nw, wL, wU, hasL, hasU, fixed } = this.nlp;
    const { w, zL, zU } = this;
    const dampL = kappaD * mu;
    for (let j = 0; j < nw; j++) {
      let s = 0;
      let v = gradL[j];
      if (hasL[j]) {
        const d = w[j] - wL[j];
        s += zL[j] / d;
        v -= mu / d - (hasU[j] ? 0 : dampL);
      }
      if (hasU[j]) {
        const d = wU[j] - w[j];
        s += zU[j] / d;
        v += mu / d - (hasL[j] ? 0 : dampL);
      }
      sigma[j] = s;
      rhs[j] = -(j < n && fixed[j] ? 0 : v);
    }
  }

  /** ∇_w L = ∇f + Aᵀλ − z_L + z_U into out (length nw); 0 for fixed variables. */
  dualResidual(out: Float64Array): void {
    this.lagrangianGradient(out);
    const { n, nw, fixed } = this.nlp;
    const { zL, zU } = this;
    for (let j = 0; j < nw; j++) out[j] = j < n && fixed[j] ? 0 : out[j] + (zU[j] - zL[j]);
  }

  /** Copy the primal-dual variables (not the evaluated quantities) from another iterate. */
  copyVariablesFrom(o: Iterate): void {
    this.phiMu = NaN;
    this.sumsValid = false;
    this.w.set(o.w);
    this.lambda.set(o.lambda);
    this.zL.set(o.zL);
    this.zU.set(o.zU);
  }
}

/**
 * out[j] += Σ_k jac[k] λ[jRows[k]] over the entries k of column j, in the order of k: the
 * Jacobian product, one pass over nnz(A) entries. Its own function, so that V8 optimizes the loop
 * whole once instead of partly on every call (docs/siting.md, "same iterations cheaper?").
 */
function addJacobianTransposeProduct(
  jac: Float64Array,
  jRows: Int32Array,
  jCols: Int32Array,
  lambda: Float64Array,
  out: Float64Array,
): void {
  for (let k = 0; k < jac.length; k++) out[jCols[k]] += jac[k] * lambda[jRows[k]];
}

/*
 * The loops over all rows or variables are module-level functions of typed arrays and numbers
 * that end with their loop: V8 compiles such a loop while it runs (on-stack replacement) and
 * enters that code on every later call. A method that reads a property of `this` after its loop
 * had that code deoptimized at the end of every call (the code after the loop had no type
 * feedback when it was compiled, and the compiled code is kept and entered again), so each call
 * ran part of its loop in the interpreter, boxing every number (IEEE 123 × 168 h: a
 * deoptimization per call of evalFunctions and evalDerivatives).
 */

/** `residualPass`'s second result (‖c‖∞), reused. */
const thetaOut = new Float64Array(1);

/**
 * gs ← s_c∘gs, c = gs − (c target or the slack), returns ‖c‖₁ and writes ‖c‖∞ into out[0]
 * (Iterate.evalFunctions).
 */
function residualPass(
  gs: Float64Array,
  conScale: Float64Array,
  slackOfCon: Int32Array,
  cTarget: Float64Array,
  w: Float64Array,
  n: number,
  c: Float64Array,
  out: Float64Array,
): number {
  let t1 = 0;
  let tInf = 0;
  for (let i = 0; i < c.length; i++) {
    const gi = gs[i] * conScale[i];
    gs[i] = gi;
    const k = slackOfCon[i];
    const ci = k < 0 ? gi - cTarget[i] : gi - w[n + k];
    c[i] = ci;
    const a = Math.abs(ci);
    t1 += a;
    if (a > tInf) tInf = a;
  }
  out[0] = tInf;
  return t1;
}

/** `barrierSumsPass`'s results (Σ ln, Σ damped slacks), reused. */
const sumsOut = new Float64Array(2);

/**
 * Σ ln of the slacks to the bounds and Σ of the damped (one-sided) slacks into out[0], out[1];
 * false (at the first) when a slack is not positive.
 */
function barrierSumsPass(
  w: Float64Array,
  wL: Float64Array,
  wU: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  nw: number,
  out: Float64Array,
): boolean {
  let logSum = 0;
  let damp = 0;
  let ok = true;
  for (let j = 0; j < nw; j++) {
    if (hasL[j]) {
      const s = w[j] - wL[j];
      if (!(s > 0)) {
        ok = false;
        break;
      }
      logSum += Math.log(s);
      if (!hasU[j]) damp += s;
    }
    if (hasU[j]) {
      const s = wU[j] - w[j];
      if (!(s > 0)) {
        ok = false;
        break;
      }
      logSum += Math.log(s);
      if (!hasL[j]) damp += s;
    }
  }
  out[0] = logSum;
  out[1] = damp;
  return ok;
}
