/** Public types of the interior-point solver (see ipm.ts for the algorithm). */
import type { SolveStatus } from './status';

/** One line of Ipopt's iteration output (W&B 2006 / Ipopt's documentation of the columns). */
export interface IterationRecord {
  /** Iteration counter k (restoration iterations included). */
  iter: number;
  /** Unscaled objective f(x_k) (in restoration: the restoration objective). */
  objective: number;
  /** Unscaled max-norm constraint violation. */
  infPr: number;
  /** Scaled max-norm dual infeasibility. */
  infDu: number;
  /** log10 of the barrier parameter μ. */
  lgMu: number;
  /** Max-norm of the primal step (x and slacks) that led here (0 at k = 0). */
  dNorm: number;
  /** log10 of the Hessian regularization δ_w of that step, null when none was needed. */
  lgRg: number | null;
  /** Step size of the bound multipliers. */
  alphaDu: number;
  /** Step size of the primal variables. */
  alphaPr: number;
  /** Number of trial points in the backtracking line search. */
  ls: number;
  /** True when the iteration belongs to the feasibility restoration phase (Ipopt marks it 'r'). */
  restoration: boolean;
  /** Seconds since the solve started (hooks.now). */
  elapsedS: number;
}

/**
 * What limits one iteration's step (SolveHooks.onStep), reported as the line search starts: the
 * fraction-to-the-boundary step lengths (W&B eq. 15) of the primal variables and of the bound
 * multipliers, the component and bound that set each (null when the full step fits), and the
 * inertia correction of the factorization behind the direction (W&B §3.1). For diagnosing long
 * runs of short steps: which kind of bound blocks, in which part of the model.
 */
export interface StepRecord {
  /** Iteration counter k of the point the step leaves. */
  readonly iter: number;
  readonly mu: number;
  /** α_max of the primal step and of the bound multipliers' step. */
  readonly alphaPrimalMax: number;
  readonly alphaDualMax: number;
  /** The bound that sets alphaPrimalMax: a variable x_j (`variable` = j) or the slack of inequality row i (`row` = i). */
  readonly primalBlocking: StepBlocking | null;
  /** The bound whose multiplier sets alphaDualMax. */
  readonly dualBlocking: StepBlocking | null;
  /** δ_w and δ_c of the factorization, and how many factorizations the inertia correction took. */
  readonly deltaW: number;
  readonly deltaC: number;
  readonly factorizations: number;
  /** The per-period shift started from δ_w^last itself: the step before was full and raised θ (InertiaCorrector.holdShift). */
  readonly shiftHeld: boolean;
}

/** A bound in the user's terms: of variable x_j, or of the value g_i of an inequality row. */
export interface StepBlocking {
  readonly variable: number | null;
  readonly row: number | null;
  readonly bound: 'lower' | 'upper';
}

export interface SolveHooks {
  /** Called once per iteration with what limits the step (outside the restoration phase); for diagnosis. */
  onStep?: (s: StepRecord) => void;
  /** Called once per iteration (k = 0 included); returning false stops the solve ('cancelled'). */
  onIteration?: (r: IterationRecord) => void | boolean;
  /** Polled once per iteration and per trial point; an AbortSignal fits. */
  signal?: { readonly aborted: boolean };
  /** Clock in milliseconds (default Date.now); performance.now gives finer timing splits. */
  now?: () => number;
  /** Receives the iteration table and diagnostics (printLevel ≥ 1). */
  log?: (line: string) => void;
  /**
   * Warm start: x (required), constraint multipliers λ and bound multipliers zL, zU (unscaled,
   * sign convention of SolveResult). Missing multipliers are initialized as in a cold start.
   */
  warmStart?: { x: Float64Array; lambda?: Float64Array; zL?: Float64Array; zU?: Float64Array };
}

/** Time spent per part of the solve (seconds, measured with hooks.now). */
export interface SolveTiming {
  evaluation: number;
  /** Numeric factorizations (inertia-correction retries included). */
  factorization: number;
  /** Building the KKT pattern and the LDLᵀ symbolic analysis (ordering, elimination tree), once. */
  setup: number;
  /** Triangular solves with iterative refinement (search direction, second-order corrections). */
  solve: number;
  total: number;
  factorizations: number;
  evaluations: { f: number; g: number; gradF: number; jacobian: number; hessian: number };
  /**
   * Which KKT factorization the solve ended on (kkt.ts): 'amd' (plain AMD on K − δ₀, refined
   * against K) or 'stable' (the KKT ordering); why it left AMD if it did; the δ₀ reached; how
   * many AMD factorizations still had zero pivots at the largest δ₀ (reported to the IPM).
   */
  kkt: {
    path: 'amd' | 'stable';
    fallbackReason: string | null;
    delta0: number;
    zeroReports: number;
    /** Refined KKT solves (step, second-order corrections, least-squares multipliers). */
    solves: number;
    /** Triangular solve pairs of those solves, refinement corrections included. */
    triangularSolves: number;
    /**
     * Factorizations (of `factorizations`) that refactored only the part of the factor an
     * inertia trial's diagonal change reaches (LdlSolver.refactorDiagonal), and the mean share of
     * the factorization's work they redid.
     */
    partialFactorizations: number;
    partialMeanShare: number;
  };
}

/**
 * Result of a solve, in the user's (unscaled) units.
 *
 * Multiplier sign convention (Ipopt's): the Lagrangian is
 *     L(x, λ, zL, zU) = f(x) + λᵀ g(x) − zLᵀ (x − xL) + zUᵀ (x − xU),   zL, zU ≥ 0,
 * so at a solution ∇f + Jᵀλ − zL + zU = 0; λ_i ≥ 0 when the upper bound gU_i is active and
 * λ_i ≤ 0 when the lower bound gL_i is active.
 */
export interface SolveResult {
  status: SolveStatus;
  message: string;
  x: Float64Array;
  lambda: Float64Array;
  zL: Float64Array;
  zU: Float64Array;
  g: Float64Array;
  objective: number;
  iterations: number;
  seconds: number;
  /** Unscaled max-norm constraint violation (including bound violation of g) at x. */
  infPr: number;
  /** Unscaled max-norm dual infeasibility at the returned point. */
  infDu: number;
  /** Unscaled max-norm complementarity at the returned point. */
  compl: number;
  history?: IterationRecord[];
  timing: SolveTiming;
}
