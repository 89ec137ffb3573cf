/**
 * The nonlinear program the interior-point solver takes (Ipopt's TNLP shape):
 *
 *     min f(x)   s.t.   gL ≤ g(x) ≤ gU,   xL ≤ x ≤ xU,      x ∈ ℝⁿ, g: ℝⁿ → ℝᵐ
 *
 * Equality constraints have gL[i] = gU[i]; ±Infinity marks a missing bound.
 *
 * "Structure once, values many": `jacobianStructure()` and `hessianStructure()` are called once
 * per solve; the `eval*` callbacks write values into caller-owned arrays in the same order as the
 * structure. Duplicate (row, col) entries are allowed and are summed.
 *
 * The Hessian is that of the Lagrangian  σ_f ∇²f(x) + Σ_i λ_i ∇²g_i(x), lower triangle only
 * (every entry has row ≥ col).
 *
 * Callbacks must not keep references to `x` or the output arrays between calls.
 */
export interface SparseStructure {
  /** Row index of each nonzero (0-based). */
  readonly rows: Int32Array;
  /** Column index of each nonzero (0-based). */
  readonly cols: Int32Array;
}

export interface PeriodHint {
  readonly count: number;
  /** Length n. */
  readonly ofVar: Int32Array;
  /** Length m. */
  readonly ofCon: Int32Array;
}

export interface NlpProblem {
  /** Number of variables n. */
  readonly n: number;
  /** Number of constraints m. */
  readonly m: number;
  /** Variable bounds, length n; -Infinity / +Infinity when absent. */
  readonly xL: Float64Array;
  readonly xU: Float64Array;
  /** Constraint bounds, length m; gL[i] === gU[i] for equalities. */
  readonly gL: Float64Array;
  readonly gU: Float64Array;
  /** Starting point, length n (the solver pushes it into the bounds, Ipopt §3.6). */
  readonly x0: Float64Array;
  /** Optional names for diagnostics (length n / m). */
  readonly varNames?: readonly string[];
  readonly conNames?: readonly string[];
  /**
   * Optional structure hint of a multi-period problem (e.g. the OPF over T hours): the period
   * (0 … count−1) of every variable and every constraint, −1 for those of no period (a row
   * coupling the first and the last period). The KKT system may then order its matrix period by
   * period (sparse/periodOrder.ts); a hint that does not match the sparsity (an entry joining
   * periods more than one apart) is set aside with the reason (KktSystem.orderingNote). Results do
   * not depend on it beyond round-off.
   */
  readonly periods?: PeriodHint;

  /**
   * Optional, length nnz(J) in the order of jacobianStructure(): 1 where the Jacobian entry's
   * value is the same at every x (a linear term). `evalJacobian` still writes every entry; the
   * solver may skip re-assembling what only constant entries feed (kkt.ts). Part of the
   * structure: a kept SolverWorkspace is reused only with the same marks.
   */
  readonly constantJacobian?: Uint8Array;

  jacobianStructure(): SparseStructure;
  /** Lower triangle of the Lagrangian Hessian: rows[k] ≥ cols[k]. */
  hessianStructure(): SparseStructure;

  evalF(x: Float64Array): number;
  evalGradF(x: Float64Array, out: Float64Array): void;
  evalG(x: Float64Array, out: Float64Array): void;
  /** Values in the order of jacobianStructure(). */
  evalJacobian(x: Float64Array, out: Float64Array): void;
  /** Values of σ_f ∇²f + Σ λ_i ∇²g_i in the order of hessianStructure(). */
  evalHessian(x: Float64Array, sigmaF: number, lambda: Float64Array, out: Float64Array): void;
}
