/**
 * The problem in the solver's internal form (W&B 2006 §3.4 "slacks", §3.5 "bounds", §3.8 scaling):
 *
 *     min  s_f·f(x)
 *     s.t. c(w) = 0,      c_i = s_c,i·g_i(x) − s_c,i·gL_i        (equality rows, gL_i = gU_i)
 *                         c_i = s_c,i·g_i(x) − s_k                 (inequality rows, slack k)
 *          wL ≤ w ≤ wU,   w = (x, s) ∈ ℝ^{n+nS},  s bounded by s_c,i·[gL_i, gU_i]
 *
 * x and the slacks s form one primal vector w, so bounds, Σ, fraction-to-the-boundary and the
 * bound multipliers treat them alike (Ipopt does the same computation for x and s separately).
 * Fixed variables (xL_j = xU_j) are parameters (Ipopt `fixed_variable_treatment make_parameter`):
 * they keep their value, have no bound multipliers, and their row of the KKT system is the
 * identity. Finite bounds are relaxed by boundRelaxFactor·max(1,|b|) (Ipopt `bound_relax_factor`).
 *
 * Every evaluation goes through this class: it applies the scaling, counts calls and times them.
 */
import type { NlpProblem } from './problem';
import { gradientScaling } from './scaling';

export interface EvalCounters {
  f: number;
  g: number;
  gradF: number;
  jacobian: number;
  hessian: number;
  /** Time spent inside the problem's callbacks, ms. */
  ms: number;
}

export class InternalNlp {
  readonly n: number;
  readonly m: number;
  /** Number of inequality rows = slacks. */
  readonly nS: number;
  /** n + nS: length of w. */
  readonly nw: number;
  /** Slack index k (0-based among slacks) of constraint i, −1 for equalities. */
  readonly slackOfCon: Int32Array;
  /** Constraint of slack k. */
  readonly conOfSlack: Int32Array;
  /** 1 for fixed variables x_j (xL_j = xU_j). */
  readonly fixed: Uint8Array;
  readonly nFixed: number;
  /** Relaxed (scaled, for slacks) bounds of w; ±Infinity when absent. */
  readonly wL: Float64Array;
  readonly wU: Float64Array;
  /** Original (unrelaxed) bounds of w, for the final projection and unscaled checks. */
  readonly wLOrig: Float64Array;
  readonly wUOrig: Float64Array;
  readonly hasL: Uint8Array;
  readonly hasU: Uint8Array;
  /** s_c,i·gL_i for equality rows, 0 for inequality rows. */
  readonly cTarget: Float64Array;
  objScale = 1;
  readonly conScale: Float64Array;
  readonly jRows: Int32Array;
  readonly jCols: Int32Array;
  readonly hRows: Int32Array;
  readonly hCols: Int32Array;
  readonly counters: EvalCounters = { f: 0, g: 0, gradF: 0, jacobian: 0, hessian: 0, ms: 0 };
  private readonly lamScaled: Float64Array;

  constructor(
    readonly p: NlpProblem,
    boundRelaxFactor: number,
    constrViolTol: number,
    private readonly now: () => number,
  ) {
    const n = p.n;
    const m = p.m;
    this.n = n;
    this.m = m;
    const js = p.jacobianStructure();
    const hs = p.hessianStructure();
    this.jRows = js.rows;
    this.jCols = js.cols;
    this.hRows = hs.rows;
    this.hCols = hs.cols;
    this.slackOfCon = new Int32Array(m);
    let nS = 0;
    for (let i = 0; i < m; i++) this.slackOfCon[i] = p.gL[i] === p.gU[i] ? -1 : nS++;
    this.nS = nS;
    this.nw = n + nS;
    this.conOfSlack = new Int32Array(nS);
    for (let i = 0; i < m; i++) if (this.slackOfCon[i] >= 0) this.conOfSlack[this.slackOfCon[i]] = i;
    this.fixed = new Uint8Array(n);
    let nFixed = 0;
    for (let j = 0; j < n; j++) {
      if (p.xL[j] === p.xU[j]) {
        this.fixed[j] = 1;
        nFixed++;
      }
    }
    this.nFixed = nFixed;
    const nw = this.nw;
    this.wL = new Float64Array(nw);
    this.wU = new Float64Array(nw);
    this.wLOrig = new Float64Array(nw);
    this.wUOrig = new Float64Array(nw);
    this.hasL = new Uint8Array(nw);
    this.hasU = new Uint8Array(nw);
    this.conScale = new Float64Array(m).fill(1);
    this.cTarget = new Float64Array(m);
    this.lamScaled = new Float64Array(m);
    const constant = p.constantJacobian;
    if (constant && constant.length === js.rows.length) {
      let count = 0;
      for (let k = 0; k < constant.length; k++) if (!constant[k]) count++;
      const idx = new Int32Array(count);
      for (let k = 0, t = 0; k < constant.length; k++) if (!constant[k]) idx[t++] = k;
      this.changingJac = idx;
    }
    this.boundRelax = boundRelaxFactor;
    this.relaxCap = constrViolTol;
    this.setBounds();
  }

  private readonly boundRelax: number;
  private readonly relaxCap: number;

  /** (Re)compute wL, wU, cTarget from the problem and the current scaling. */
  private setBounds(): void {
    const { p, n, m } = this;
    for (let j = 0; j < n; j++) this.setBound(j, p.xL[j], p.xU[j], this.fixed[j] === 1);
    for (let i = 0; i < m; i++) {
      const k = this.slackOfCon[i];
      const sc = this.conScale[i];
      if (k < 0) this.cTarget[i] = sc * p.gL[i];
      else {
        this.cTarget[i] = 0;
        this.setBound(n + k, sc * p.gL[i], sc * p.gU[i], false);
      }
    }
  }

  private setBound(j: number, lo: number, hi: number, isFixed: boolean): void {
    this.wLOrig[j] = lo;
    this.wUOrig[j] = hi;
    this.hasL[j] = !isFixed && lo > -Infinity ? 1 : 0;
    this.hasU[j] = !isFixed && hi < Infinity ? 1 : 0;
    const r = this.boundRelax;
    this.wL[j] = this.hasL[j] ? lo - Math.min(this.relaxCap, r * Math.max(1, Math.abs(lo))) : lo;
    this.wU[j] = this.hasU[j] ? hi + Math.min(this.relaxCap, r * Math.max(1, Math.abs(hi))) : hi;
  }

  /**
   * Gradient-based scaling from the derivatives at x0 (scaling.ts). Returns false if they are not finite.
   * `gradBuf` (n) and `jacBuf` (nnzJ) are scratch.
   */
  computeScaling(
    x0: Float64Array,
    gradBuf: Float64Array,
    jacBuf: Float64Array,
    maxGradient: number,
    minValue: number,
  ): boolean {
    this.objScale = 1;
    this.conScale.fill(1);
    this.evalGradF(x0, gradBuf);
    this.evalJacobian(x0, jacBuf);
    const s = gradientScaling(gradBuf, this.jRows, jacBuf, this.conScale, maxGradient, minValue);
    this.objScale = s;
    this.jacScaled = scaledEntries(this.jRows, this.conScale);
    this.constantJacobianFinite = false; // scaled anew: checked again
    this.setBounds();
    return allFinite(gradBuf) && allFinite(jacBuf);
  }

  /** s_f·f(x) */
  evalF(x: Float64Array): number {
    const t = this.now();
    const f = this.p.evalF(x);
    this.counters.f++;
    this.counters.ms += this.now() - t;
    return this.objScale * f;
  }

  /** s_f·∇f(x) (length n). */
  evalGradF(x: Float64Array, out: Float64Array): void {
    const t = this.now();
    this.p.evalGradF(x, out);
    this.counters.gradF++;
    this.counters.ms += this.now() - t;
    const s = this.objScale;
    if (s !== 1) for (let j = 0; j < out.length; j++) out[j] *= s;
  }

  /** s_c∘g(x) (length m). */
  evalG(x: Float64Array, out: Float64Array): void {
    this.evalGUnscaled(x, out);
    const sc = this.conScale;
    for (let i = 0; i < out.length; i++) out[i] *= sc[i];
  }

  /**
   * g(x) itself (length m), counted and timed as `evalG`: for a caller that multiplies by s_c in
   * a pass of its own over the rows (Iterate.evalFunctions, which forms c there).
   */
  evalGUnscaled(x: Float64Array, out: Float64Array): void {
    const t = this.now();
    this.p.evalG(x, out);
    this.counters.g++;
    this.counters.ms += this.now() - t;
  }

  /**
   * The Jacobian entries whose row scale s_c,i is not 1 (computeScaling); the others are not
   * multiplied (on the 8500-node OPF two thirds of its 6.7 million entries).
   */
  private jacScaled: Int32Array = new Int32Array(0);

  /** Scaled Jacobian values (order of jRows/jCols). */
  evalJacobian(x: Float64Array, out: Float64Array): void {
    const t = this.now();
    this.p.evalJacobian(x, out);
    this.counters.jacobian++;
    this.counters.ms += this.now() - t;
    const sc = this.conScale;
    const rows = this.jRows;
    const idx = this.jacScaled;
    for (let q = 0; q < idx.length; q++) {
      const k = idx[q];
      out[k] *= sc[rows[k]];
    }
  }

  /** The Jacobian entries not marked constant (NlpProblem.constantJacobian), null without marks. */
  private changingJac: Int32Array | null = null;
  /** True once a scaled Jacobian passed `jacobianFinite` whole: its constant entries are finite. */
  private constantJacobianFinite = false;

  /**
   * Every scaled Jacobian value (from `evalJacobian`) finite? The constant entries
   * (NlpProblem.constantJacobian) have the same values at every x: once a whole Jacobian has
   * passed, only the others are checked (on the 8500-node OPF × 24 h, 1.5 of 6.7 million),
   * until the scaling changes.
   */
  jacobianFinite(jac: Float64Array): boolean {
    const idx = this.changingJac;
    if (idx && this.constantJacobianFinite) {
      for (let t = 0; t < idx.length; t++) if (!Number.isFinite(jac[idx[t]])) return false;
      return true;
    }
    for (let k = 0; k < jac.length; k++) if (!Number.isFinite(jac[k])) return false;
    this.constantJacobianFinite = idx !== null;
    return true;
  }

  /** Hessian of the scaled Lagrangian σ·s_f·∇²f + Σ λ_i s_c,i ∇²g_i (λ in scaled units). */
  evalHessian(x: Float64Array, sigma: number, lambda: Float64Array, out: Float64Array): void {
    const ls = this.lamScaled;
    scaleInto(ls, lambda, this.conScale); // (a loop in a method followed by code: see iterate.ts)
    const t = this.now();
    this.p.evalHessian(x, sigma * this.objScale, ls, out);
    this.counters.hessian++;
    this.counters.ms += this.now() - t;
  }
}

/** Indices k (ascending) of the Jacobian entries whose row scale is not 1. */
function scaledEntries(rows: Int32Array, conScale: Float64Array): Int32Array {
  let count = 0;
  for (let k = 0; k < rows.length; k++) if (conScale[rows[k]] !== 1) count++;
  const out = new Int32Array(count);
  let q = 0;
  for (let k = 0; k < rows.length; k++) if (conScale[rows[k]] !== 1) out[q++] = k;
  return out;
}

export function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Structural problems of an NlpProblem, or null when it is well formed. */
export function validateProblem(p: NlpProblem): string | null {
  const { n, m } = p;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(m) || m < 0) return `bad sizes n = ${n}, m = ${m}`;
  if (p.xL.length !== n || p.xU.length !== n || p.x0.length !== n) return 'xL, xU and x0 must have length n';
  if (p.gL.length !== m || p.gU.length !== m) return 'gL and gU must have length m';
  for (let j = 0; j < n; j++) {
    if (
      Number.isNaN(p.xL[j]) ||
      Number.isNaN(p.xU[j]) ||
      p.xL[j] > p.xU[j] ||
      p.xL[j] === Infinity ||
      p.xU[j] === -Infinity
    ) {
      return `inconsistent bounds on variable ${name(p.varNames, j, 'x')}: [${p.xL[j]}, ${p.xU[j]}]`;
    }
    if (!Number.isFinite(p.x0[j])) return `starting point ${name(p.varNames, j, 'x')} = ${p.x0[j]} is not finite`;
  }
  for (let i = 0; i < m; i++) {
    if (
      Number.isNaN(p.gL[i]) ||
      Number.isNaN(p.gU[i]) ||
      p.gL[i] > p.gU[i] ||
      p.gL[i] === Infinity ||
      p.gU[i] === -Infinity
    ) {
      return `inconsistent bounds on constraint ${name(p.conNames, i, 'g')}: [${p.gL[i]}, ${p.gU[i]}]`;
    }
  }
  const js = p.jacobianStructure();
  if (js.rows.length !== js.cols.length) return 'Jacobian structure: rows and cols differ in length';
  for (let k = 0; k < js.rows.length; k++) {
    if (!(js.rows[k] >= 0 && js.rows[k] < m && js.cols[k] >= 0 && js.cols[k] < n)) {
      return `Jacobian structure entry ${k} (${js.rows[k]}, ${js.cols[k]}) is outside ${m}×${n}`;
    }
  }
  if (p.constantJacobian && p.constantJacobian.length !== js.rows.length)
    return `constantJacobian has ${p.constantJacobian.length} marks for ${js.rows.length} Jacobian entries`;
  const hs = p.hessianStructure();
  if (hs.rows.length !== hs.cols.length) return 'Hessian structure: rows and cols differ in length';
  for (let k = 0; k < hs.rows.length; k++) {
    if (!(hs.rows[k] >= 0 && hs.rows[k] < n && hs.cols[k] >= 0 && hs.cols[k] < n)) {
      return `Hessian structure entry ${k} (${hs.rows[k]}, ${hs.cols[k]}) is outside ${n}×${n}`;
    }
  }
  return null;
}

export function name(names: readonly string[] | undefined, i: number, prefix: string): string {
  return names?.[i] ?? `${prefix}[${i}]`;
}

/** out[i] = a[i] · s[i]. */
function scaleInto(out: Float64Array, a: Float64Array, s: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] * s[i];
}
