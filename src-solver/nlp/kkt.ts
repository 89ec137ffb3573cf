/**
 * The augmented (reduced) primal-dual system of W&B 2006 eq. (13) with the inertia-correcting
 * perturbations of eq. (26):
 *
 *                 w = (x, s)  (nw columns)          λ  (m columns)
 *          ┌                                     ┐ ┌    ┐     ┌      ┐
 *     nw   │  W + Σ + δ_w·I                 Aᵀ   │ │ Δw │  =  │ r_w  │
 *      m   │  A                           −δ_c·I │ │ Δλ │     │ r_λ  │
 *          └                                     ┘ └    ┘     └      ┘
 *
 *   W = ∇²_xx L (x block only, zero on slacks),   A = [ J_x   −I_S ]  (−1 in the slack column of
 *   every inequality row),   Σ = Z_L (W−W_L)⁻¹ + Z_U (W_U−W)⁻¹  (bound multipliers eliminated,
 *   eq. 13), rows of fixed variables are the identity.
 *
 * Assembled ONCE as an upper-triangle CSC pattern (sparse/csc.ts) with a map from every Hessian,
 * Jacobian, slack, Σ/δ_w and δ_c entry to its slot; each iteration only overwrites `values`.
 * The LDLᵀ symbolic analysis (ordering, elimination tree) is done once in the constructor.
 * Solves use iterative refinement against the unfactored matrix (LdlSolver.solveRefined).
 *
 * Ordering (kktOrdering): AMD, except that every constraint row λ_i is eliminated only after all
 * the variables it couples to. The LDLᵀ uses static 1×1 pivots; eliminating λ_i first would
 * make its pivot −δ_c (tiny) and add ±a²/δ_c to its neighbours, which later cancel
 * catastrophically (seen on HS54). Eliminated after its neighbours, λ_i's pivot is
 * −δ_c − a_iᵀ(W+Σ)⁻¹a_i (a Schur complement of a positive definite block, no cancellation),
 * so the factorization is as stable as a Cholesky of each definite part. The elimination-tree
 * postorder done by LdlSolver keeps this property (neighbours are descendants).
 */
import { patternFromTriplets, type SymmetricPattern } from '../sparse/csc';
import { LdlSolver, type FactorResult } from '../sparse/ldl';
import { amdOrder } from '../sparse/amd';
import type { InternalNlp } from './internalNlp';

export class KktSystem {
  /** nw + m */
  readonly dim: number;
  readonly pattern: SymmetricPattern;
  readonly values: Float64Array;
  readonly solver: LdlSolver;
  /** Slot of each Hessian entry, −1 when it touches a fixed variable. */
  private readonly hessPos: Int32Array;
  /** Slot of each Jacobian entry, −1 for a fixed column. */
  private readonly jacPos: Int32Array;
  /** Slot of the diagonal of each w and each λ. */
  private readonly diagPos: Int32Array;
  /** Slot of the −1 of slack k in its constraint column. */
  private readonly slackPos: Int32Array;
  private readonly nw: number;
  private readonly fixed: Uint8Array;
  /** Last relative residual of a solve (backward error after refinement). */
  lastResidual = 0;
  /** Time spent in solves with refinement, ms (needs a clock, see `clock`). */
  solveMs = 0;
  clock: () => number = () => 0;

  constructor(private readonly nlp: InternalNlp) {
    const { n, m, nw, nS } = nlp;
    this.nw = nw;
    this.fixed = nlp.fixed;
    const dim = nw + m;
    this.dim = dim;
    const nnzH = nlp.hRows.length;
    const nnzJ = nlp.jRows.length;
    const nt = dim + nnzH + nnzJ + nS;
    const rows = new Int32Array(nt);
    const cols = new Int32Array(nt);
    let t = 0;
    for (let j = 0; j < dim; j++, t++) {
      rows[t] = j;
      cols[t] = j;
    }
    const hStart = t;
    for (let k = 0; k < nnzH; k++, t++) {
      const r = nlp.hRows[k];
      const c = nlp.hCols[k];
      rows[t] = Math.min(r, c);
      cols[t] = Math.max(r, c);
    }
    const jStart = t;
    for (let k = 0; k < nnzJ; k++, t++) {
      rows[t] = nlp.jCols[k];
      cols[t] = nw + nlp.jRows[k];
    }
    const sStart = t;
    for (let k = 0; k < nS; k++, t++) {
      rows[t] = n + k;
      cols[t] = nw + nlp.conOfSlack[k];
    }
    const { pattern, map } = patternFromTriplets(dim, rows, cols);
    this.pattern = pattern;
    this.values = new Float64Array(pattern.colPtr[dim]);
    this.diagPos = map.slice(0, dim);
    this.hessPos = map.slice(hStart, jStart);
    this.jacPos = map.slice(jStart, sStart);
    this.slackPos = map.slice(sStart, sStart + nS);
    const fixed = nlp.fixed;
    for (let k = 0; k < nnzH; k++) if (fixed[nlp.hRows[k]] || fixed[nlp.hCols[k]]) this.hessPos[k] = -1;
    for (let k = 0; k < nnzJ; k++) if (fixed[nlp.jCols[k]]) this.jacPos[k] = -1;
    this.solver = new LdlSolver(pattern, { ordering: kktOrdering(pattern, nw) });
  }

  /**
   * Write the matrix values: W (hess, or zero when null), A (jac), Σ + δ_w on the w diagonal,
   * −δ_c on the λ diagonal. `sigma` has length nw.
   */
  assemble(hess: Float64Array | null, jac: Float64Array, sigma: Float64Array, deltaW: number, deltaC: number): void {
    const v = this.values;
    v.fill(0);
    if (hess) {
      const hp = this.hessPos;
      for (let k = 0; k < hp.length; k++) {
        const q = hp[k];
        if (q >= 0) v[q] += hess[k];
      }
    }
    const jp = this.jacPos;
    for (let k = 0; k < jp.length; k++) {
      const q = jp[k];
      if (q >= 0) v[q] += jac[k];
    }
    const sp = this.slackPos;
    for (let k = 0; k < sp.length; k++) v[sp[k]] -= 1;
    const dp = this.diagPos;
    const nw = this.nw;
    const fixed = this.fixed;
    for (let j = 0; j < nw; j++) {
      if (j < fixed.length && fixed[j]) v[dp[j]] = 1;
      else v[dp[j]] += sigma[j] + deltaW;
    }
    for (let i = nw; i < this.dim; i++) v[dp[i]] -= deltaC;
  }

  /** Numeric factorization; inertia wanted: (nw, m, 0). */
  factor(): FactorResult {
    return this.solver.factor(this.values);
  }

  /** True when `r` is the inertia of a correctly perturbed system (W&B §3.1). */
  hasCorrectInertia(r: FactorResult): boolean {
    return r.ok && r.zero === 0 && r.positive === this.nw && r.negative === this.dim - this.nw;
  }

  /** K x = b with iterative refinement (b untouched, x may alias b). */
  solve(b: Float64Array, x: Float64Array): void {
    const t = this.clock();
    this.lastResidual = this.solver.solveRefined(this.values, b, x, 10, 1e-14);
    this.solveMs += this.clock() - t;
  }
}

/**
 * AMD order of the KKT pattern with each λ node (index ≥ nw) deferred until all its w
 * neighbours are eliminated (see the file comment).
 */
export function kktOrdering(pattern: SymmetricPattern, nw: number): Int32Array {
  const n = pattern.n;
  const amd = amdOrder(pattern);
  const { colPtr, rowIdx } = pattern;
  // w → λ adjacency (λ columns hold their w rows in the upper triangle).
  const count = new Int32Array(n); // remaining w neighbours of each λ
  const wDeg = new Int32Array(nw + 1);
  for (let c = nw; c < n; c++) {
    for (let q = colPtr[c]; q < colPtr[c + 1]; q++) {
      const r = rowIdx[q];
      if (r < nw) {
        count[c]++;
        wDeg[r + 1]++;
      }
    }
  }
  for (let j = 0; j < nw; j++) wDeg[j + 1] += wDeg[j];
  const adj = new Int32Array(wDeg[nw]);
  const fill = wDeg.slice(0, nw);
  for (let c = nw; c < n; c++) {
    for (let q = colPtr[c]; q < colPtr[c + 1]; q++) {
      const r = rowIdx[q];
      if (r < nw) adj[fill[r]++] = c;
    }
  }
  const reached = new Uint8Array(n);
  const out = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < n; t++) {
    const v = amd[t];
    if (v < nw) {
      out[k++] = v;
      for (let q = wDeg[v]; q < wDeg[v + 1]; q++) {
        const c = adj[q];
        if (--count[c] === 0 && reached[c]) out[k++] = c;
      }
    } else if (count[v] === 0) out[k++] = v;
    else reached[v] = 1;
  }
  return out;
}
