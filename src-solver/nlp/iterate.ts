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
 */
import type { InternalNlp } from './internalNlp';

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
    this.f = nlp.evalF(x);
    if (!Number.isFinite(this.f)) return false;
    nlp.evalG(x, this.gs);
    const { c, gs, w } = this;
    const { slackOfCon, cTarget, n } = nlp;
    let t1 = 0;
    let tInf = 0;
    for (let i = 0; i < c.length; i++) {
      const k = slackOfCon[i];
      const ci = k < 0 ? gs[i] - cTarget[i] : gs[i] - w[n + k];
      c[i] = ci;
      const a = Math.abs(ci);
      t1 += a;
      if (a > tInf) tInf = a;
    }
    this.theta = t1;
    this.thetaInf = tInf;
    return Number.isFinite(t1);
  }

  /** Evaluate ∇f and the Jacobian at w. Returns false when a value is not finite. */
  evalDerivatives(): boolean {
    const x = this.x;
    this.nlp.evalGradF(x, this.gradF);
    this.nlp.evalJacobian(x, this.jac);
    const g = this.gradF;
    for (let j = 0; j < g.length; j++) if (!Number.isFinite(g[j])) return false;
    const a = this.jac;
    for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return false;
    return true;
  }

  /** φ_μ(w) of eq. (3) with the κ_d damping of one-sided bounds (+Infinity outside the bounds). */
  barrierObjective(mu: number, kappaD: number): number {
    const { w } = this;
    const { wL, wU, hasL, hasU, nw } = this.nlp;
    let logSum = 0;
    let damp = 0;
    for (let j = 0; j < nw; j++) {
      if (hasL[j]) {
        const s = w[j] - wL[j];
        if (!(s > 0)) return Infinity;
        logSum += Math.log(s);
        if (!hasU[j]) damp += s;
      }
      if (hasU[j]) {
        const s = wU[j] - w[j];
        if (!(s > 0)) return Infinity;
        logSum += Math.log(s);
        if (!hasL[j]) damp += s;
      }
    }
    return this.f - mu * logSum + kappaD * mu * damp;
  }

  /**
   * ∇φ_μ(w) + Aᵀλ into out (length nw): the negative of the w-part of the right-hand side of
   * the augmented system (W&B eq. 13). Fixed variables get 0.
   */
  barrierGradientPlusAtLambda(mu: number, kappaD: number, out: Float64Array, withLambda: boolean): void {
    const nlp = this.nlp;
    const { n, nw, wL, wU, hasL, hasU, fixed, jRows, jCols, conOfSlack } = nlp;
    const { w, gradF, jac, lambda } = this;
    for (let j = 0; j < n; j++) out[j] = gradF[j];
    for (let j = n; j < nw; j++) out[j] = 0;
    if (withLambda) {
      for (let k = 0; k < jac.length; k++) out[jCols[k]] += jac[k] * lambda[jRows[k]];
      for (let k = 0; k < conOfSlack.length; k++) out[n + k] -= lambda[conOfSlack[k]];
    }
    for (let j = 0; j < nw; j++) {
      if (hasL[j]) out[j] -= mu / (w[j] - wL[j]) - (hasU[j] ? 0 : kappaD * mu);
      if (hasU[j]) out[j] += mu / (wU[j] - w[j]) - (hasL[j] ? 0 : kappaD * mu);
      if (j < n && fixed[j]) out[j] = 0;
    }
  }

  /** ∇_w L = ∇f + Aᵀλ − z_L + z_U into out (length nw); 0 for fixed variables. */
  dualResidual(out: Float64Array): void {
    const nlp = this.nlp;
    const { n, nw, fixed, jRows, jCols, conOfSlack } = nlp;
    const { gradF, jac, lambda, zL, zU } = this;
    for (let j = 0; j < n; j++) out[j] = gradF[j];
    for (let j = n; j < nw; j++) out[j] = 0;
    for (let k = 0; k < jac.length; k++) out[jCols[k]] += jac[k] * lambda[jRows[k]];
    for (let k = 0; k < conOfSlack.length; k++) out[n + k] -= lambda[conOfSlack[k]];
    for (let j = 0; j < nw; j++) {
      out[j] += zU[j] - zL[j];
      if (j < n && fixed[j]) out[j] = 0;
    }
  }

  /** Copy the primal-dual variables (not the evaluated quantities) from another iterate. */
  copyVariablesFrom(o: Iterate): void {
    this.w.set(o.w);
    this.lambda.set(o.lambda);
    this.zL.set(o.zL);
    this.zU.set(o.zU);
  }
}
