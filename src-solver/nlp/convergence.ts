/**
 * Optimality error and termination tests, W&B 2006 eq. (5)–(6) and Ipopt's OptErrorConvCheck.
 *
 *     E_μ(w, λ, z) = max( ‖∇_w L‖∞ / s_d,  ‖c(w)‖∞,  ‖Z_L(W−W_L)e − μe, Z_U(W_U−W)e − μe‖∞ / s_c )
 *     s_d = max(s_max, (‖λ‖₁ + ‖z‖₁)/(m + n_z)) / s_max,   s_c = max(s_max, ‖z‖₁/n_z) / s_max
 *
 * (n_z = number of bound multipliers). 'solved' needs E_0 ≤ tol AND the UNSCALED dual
 * infeasibility, constraint violation and complementarity below dualInfTol, constrViolTol,
 * complInfTol; 'acceptable' the same with the acceptable tolerances for acceptableIter
 * consecutive iterations. Unscaled values undo the gradient scaling (scaling.ts):
 * ∇L and complementarity divide by s_f, constraint rows by s_c,i, slack components of ∇L
 * multiply by s_c,i / s_f.
 */
import type { Iterate } from './iterate';

export interface OptimalityError {
  /** ‖∇_w L‖∞ (scaled) */
  dualInf: number;
  /** ‖c‖∞ (scaled) */
  primalInf: number;
  /** max |z s − μ| (scaled) */
  compl: number;
  sd: number;
  sc: number;
  /** E_μ */
  error: number;
  /** Unscaled counterparts (μ = 0 for complementarity). */
  dualInfUnscaled: number;
  primalInfUnscaled: number;
  complUnscaled: number;
  /**
   * max |z s − μ'| for a second μ' asked of `optimalityError` (its `muAlso`), formed in the same
   * pass, for `optimalityErrorAtMu` at the same iterate and μ'; `complAtMuOf` is that iterate,
   * null when not computed (every `optimalityError` call without `muAlso` clears it).
   */
  complAtMu: number;
  complAtMuValue: number;
  complAtMuOf: Iterate | null;
  /** max_j |x_j| over the original variables (not the slacks), Math.max's way (NaN wins): the divergence test's. */
  xAbsMax: number;
}

export function newOptimalityError(): OptimalityError {
  return {
    dualInf: 0,
    primalInf: 0,
    compl: 0,
    sd: 1,
    sc: 1,
    error: 0,
    dualInfUnscaled: 0,
    primalInfUnscaled: 0,
    complUnscaled: 0,
    complAtMu: 0,
    complAtMuValue: Number.NaN,
    complAtMuOf: null,
    xAbsMax: 0,
  };
}

/**
 * Σ and the w part of the step's right-hand side for the barrier parameter `mu` (see
 * Iterate.sigmaAndStepRhs), asked of `optimalityError` so that its pass over the variables forms
 * them too: the step of the iteration reads the same w, z and bounds.
 */
export interface StepTerms {
  readonly sigma: Float64Array;
  readonly rhs: Float64Array;
  readonly mu: number;
  readonly kappaD: number;
}

/**
 * Fill `e` with E_μ at `it`; `resid` (length nw), when given, receives ∇_w L. With `gradL`
 * (length nw), the Jacobian product ∇f + Aᵀλ is left there for the step's right-hand side
 * (Iterate.barrierGradientFrom). With `muAlso`, the complementarity at that μ too, for
 * `optimalityErrorAtMu` (the barrier update's test, one pass over the variables less). With
 * `step`, Σ and −(∇φ_μ + Aᵀλ) at step.mu as Iterate.sigmaAndStepRhs forms them (the same values
 * bit for bit). One pass over the variables and one over the constraints.
 */
export function optimalityError(
  it: Iterate,
  mu: number,
  sMax: number,
  resid: Float64Array | null,
  e: OptimalityError,
  gradL?: Float64Array,
  muAlso?: number,
  step?: StepTerms,
): void {
  const nlp = it.nlp;
  const { n, nw, m, objScale, conScale, conOfSlack } = nlp;
  const normalScale = objScale > 0 && objScale < Infinity;
  // ∇_w L is kept only when asked for, or for the unscaled test's loop below
  const r = resid ?? (normalScale ? null : new Float64Array(nw));
  const base = gradL ?? r ?? new Float64Array(nw);
  it.lagrangianGradient(base);
  const mu2 = muAlso ?? 0;
  const { w, zL, zU } = it;
  const v = passOut;
  const st = step ?? null;
  variablePass(
    n,
    nw,
    nlp.wL,
    nlp.wU,
    nlp.hasL,
    nlp.hasU,
    conScale,
    conOfSlack,
    nlp.fixed,
    w,
    zL,
    zU,
    base,
    r,
    mu,
    mu2,
    st === null ? null : st.sigma,
    st === null ? null : st.rhs,
    st === null ? 0 : st.mu,
    st === null ? 0 : st.kappaD,
    v,
  );
  const dual = v[0];
  const compl = v[3];
  const compl0 = v[4];
  const zSum = v[6];
  const nz = v[7];
  e.complAtMu = v[5];
  e.complAtMuValue = mu2;
  e.complAtMuOf = muAlso === undefined ? null : it;
  e.xAbsMax = v[8];
  let dualU = 0;
  if (normalScale) dualU = Math.max(v[1] / objScale, v[2] / objScale);
  else {
    // (a scale the monotonicity argument does not cover: each quotient, as the definition)
    for (let j = 0; j < nw; j++) {
      const a = Math.abs(r![j]);
      const u = j < n ? a / objScale : (a * conScale[conOfSlack[j - n]]) / objScale;
      if (u > dualU) dualU = u;
    }
  }
  const lamSum = constraintPass(it.c, it.lambda, conScale, m, consOut);
  const prim = consOut[0];
  const primU = consOut[1];
  const sd = m + nz > 0 ? Math.max(sMax, (lamSum + zSum) / (m + nz)) / sMax : 1;
  const sc = nz > 0 ? Math.max(sMax, zSum / nz) / sMax : 1;
  e.dualInf = dual;
  e.primalInf = prim;
  e.compl = compl;
  e.sd = sd;
  e.sc = sc;
  e.error = Math.max(dual / sd, prim, compl / sc);
  e.dualInfUnscaled = dualU;
  e.primalInfUnscaled = primU;
  e.complUnscaled = compl0 / objScale;
}

/** variablePass's results (see there), reused: the pass allocates nothing. */
const passOut = new Float64Array(9);
/** constraintPass's maxima, reused. */
const consOut = new Float64Array(2);

/**
 * The pass of `optimalityError` over the variables: r = ∇_w L into `resid` when given (0 for
 * fixed variables), its maxima (all, x part, slack part times s_c,i — see the unscaled test), the
 * complementarity maxima at μ, 0 and μ₂ with Σ|z| and the count of bounds, max |x|, and with
 * `sigma` Σ and the step's right-hand side at μ_s. Written into `out`: [max|r|, max|r_x|,
 * max|r_s|·s_c, compl(μ), compl(0), compl(μ₂), Σ|z|, count, max|x|].
 *
 * A module-level function of typed arrays and numbers that ends with its loop: V8 compiles the
 * loop on the first call (on-stack replacement) and enters that code on every later call; a
 * method that reads a property of `this` or builds an object after its loop had that code
 * deoptimized at the end of every call (no feedback for the code after the loop when it was
 * compiled), and each call then ran a good part of the loop in the interpreter (measured on IEEE
 * 123 × 168 h: a deoptimization per call, 9 MB of boxed numbers per call).
 */
function variablePass(
  n: number,
  nw: number,
  wL: Float64Array,
  wU: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  conScale: Float64Array,
  conOfSlack: Int32Array,
  fixed: Uint8Array,
  w: Float64Array,
  zL: Float64Array,
  zU: Float64Array,
  base: Float64Array,
  resid: Float64Array | null,
  mu: number,
  mu2: number,
  sigma: Float64Array | null,
  rhs: Float64Array | null,
  muS: number,
  kappaD: number,
  out: Float64Array,
): void {
  let dual = 0;
  let compl = 0;
  let compl0 = 0;
  let complAlso = 0;
  let zSum = 0;
  let nz = 0;
  // The unscaled dual infeasibility max_j |r_j|·(1 or s_c,i)/s_f: dividing by s_f > 0 is
  // monotone in the rounded result, so the maximum of the quotients is the quotient of the
  // maximum — one division per test instead of one per variable.
  let dualX = 0;
  let dualS = 0;
  let xAbs = 0;
  const dampL = kappaD * muS;
  for (let j = 0; j < nw; j++) {
    const fx = j < n && fixed[j];
    const bj = base[j]; // (read before resid is written: base may be resid)
    const r = fx ? 0 : bj + (zU[j] - zL[j]);
    if (resid !== null) resid[j] = r;
    const a = Math.abs(r);
    if (a > dual) dual = a;
    if (j < n) {
      if (a > dualX) dualX = a;
      xAbs = Math.max(xAbs, Math.abs(w[j]));
    } else {
      const p = a * conScale[conOfSlack[j - n]];
      if (p > dualS) dualS = p;
    }
    // Σ_j and −(∇φ_μ + Aᵀλ)_j as Iterate.sigmaAndStepRhs forms them
    let s = 0;
    let v = bj;
    if (hasL[j]) {
      const d = w[j] - wL[j];
      const p = zL[j] * d;
      compl = Math.max(compl, Math.abs(p - mu));
      compl0 = Math.max(compl0, Math.abs(p));
      complAlso = Math.max(complAlso, Math.abs(p - mu2));
      zSum += Math.abs(zL[j]);
      nz++;
      if (sigma !== null) {
        s += zL[j] / d;
        v -= muS / d - (hasU[j] ? 0 : dampL);
      }
    }
    if (hasU[j]) {
      const d = wU[j] - w[j];
      const p = zU[j] * d;
      compl = Math.max(compl, Math.abs(p - mu));
      compl0 = Math.max(compl0, Math.abs(p));
      complAlso = Math.max(complAlso, Math.abs(p - mu2));
      zSum += Math.abs(zU[j]);
      nz++;
      if (sigma !== null) {
        s += zU[j] / d;
        v += muS / d - (hasL[j] ? 0 : dampL);
      }
    }
    if (sigma !== null && rhs !== null) {
      sigma[j] = s;
      rhs[j] = -(fx ? 0 : v);
    }
  }
  out[0] = dual;
  out[1] = dualX;
  out[2] = dualS;
  out[3] = compl;
  out[4] = compl0;
  out[5] = complAlso;
  out[6] = zSum;
  out[7] = nz;
  out[8] = xAbs;
}

/**
 * The pass of `optimalityError` over the constraints: returns Σ|λ_i| and writes max |c_i| and
 * max |c_i|/s_c,i into out[0], out[1]. The maxima are written where they change, inside the
 * loop, so that nothing follows the loop but the return (see variablePass: code after a long
 * loop had no type feedback when V8 compiled the loop, measured on IEEE 123 × 720 h as a
 * deoptimization on every call of the earlier version that returned an object).
 */
function constraintPass(
  c: Float64Array,
  lambda: Float64Array,
  conScale: Float64Array,
  m: number,
  out: Float64Array,
): number {
  let prim = 0;
  let primU = 0;
  let lamSum = 0;
  out[0] = 0;
  out[1] = 0;
  for (let i = 0; i < m; i++) {
    const a = Math.abs(c[i]);
    if (a > prim) {
      prim = a;
      out[0] = a;
    }
    const u = a / conScale[i];
    if (u > primU) {
      primU = u;
      out[1] = u;
    }
    lamSum += Math.abs(lambda[i]);
  }
  return lamSum;
}

export interface ToleranceSet {
  tol: number;
  dualInfTol: number;
  constrViolTol: number;
  complInfTol: number;
}

/** Ipopt's convergence test: scaled E_0 and the three unscaled tests (e must be computed with μ = 0). */
export function meetsTolerances(e: OptimalityError, t: ToleranceSet): boolean {
  return (
    e.error <= t.tol &&
    e.dualInfUnscaled <= t.dualInfTol &&
    e.primalInfUnscaled <= t.constrViolTol &&
    e.complUnscaled <= t.complInfTol
  );
}

/**
 * E_μ from an E_0 computed at the same iterate: only the complementarity term depends on μ,
 * so the dual residual (the expensive part) is not recomputed.
 */
export function optimalityErrorAtMu(it: Iterate, mu: number, e0: OptimalityError, e: OptimalityError): void {
  let compl = 0;
  if (e0.complAtMuOf === it && e0.complAtMuValue === mu) compl = e0.complAtMu;
  else {
    const { nw, wL, wU, hasL, hasU } = it.nlp;
    compl = complementarityPass(it.w, it.zL, it.zU, wL, wU, hasL, hasU, nw, mu);
  }
  e.dualInf = e0.dualInf;
  e.primalInf = e0.primalInf;
  e.compl = compl;
  e.sd = e0.sd;
  e.sc = e0.sc;
  e.error = Math.max(e0.dualInf / e0.sd, e0.primalInf, compl / e0.sc);
  e.dualInfUnscaled = e0.dualInfUnscaled;
  e.primalInfUnscaled = e0.primalInfUnscaled;
  e.complUnscaled = e0.complUnscaled;
  e.complAtMuOf = null;
  e.xAbsMax = e0.xAbsMax;
}

/** max |z s − μ| over the bounds (optimalityErrorAtMu; the loop alone, see variablePass). */
function complementarityPass(
  w: Float64Array,
  zL: Float64Array,
  zU: Float64Array,
  wL: Float64Array,
  wU: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  nw: number,
  mu: number,
): number {
  let compl = 0;
  for (let j = 0; j < nw; j++) {
    if (hasL[j]) compl = Math.max(compl, Math.abs(zL[j] * (w[j] - wL[j]) - mu));
    if (hasU[j]) compl = Math.max(compl, Math.abs(zU[j] * (wU[j] - w[j]) - mu));
  }
  return compl;
}
