/**
 * Options of the interior-point solver, each with its default, admissible range and the symbol
 * it stands for in Wächter & Biegler, "On the implementation of an interior-point filter
 * line-search algorithm for large-scale nonlinear programming", Math. Program. 106 (2006) —
 * "W&B" below — or the Ipopt option of the same meaning. Defaults are Ipopt's.
 */
export interface SolveOptions {
  /** ε_tol, W&B eq. (6): overall scaled KKT error for 'solved'. Default 1e-8, > 0. Ipopt `tol`. */
  tol?: number;
  /** Acceptable scaled KKT error. Default 1e-6. Ipopt `acceptable_tol`. */
  acceptableTol?: number;
  /** Consecutive acceptable iterations before stopping 'acceptable'. Default 15 (0 disables). Ipopt `acceptable_iter`. */
  acceptableIter?: number;
  /** Unscaled max constraint violation allowed for 'solved'. Default 1e-4. Ipopt `constr_viol_tol`. */
  constrViolTol?: number;
  /** Unscaled max dual infeasibility allowed for 'solved'. Default 1. Ipopt `dual_inf_tol`. */
  dualInfTol?: number;
  /** Unscaled max complementarity allowed for 'solved'. Default 1e-4. Ipopt `compl_inf_tol`. */
  complInfTol?: number;
  /** Acceptable-level unscaled constraint violation. Default 1e-2. Ipopt `acceptable_constr_viol_tol`. */
  acceptableConstrViolTol?: number;
  /** Acceptable-level unscaled dual infeasibility. Default 1e10. Ipopt `acceptable_dual_inf_tol`. */
  acceptableDualInfTol?: number;
  /** Acceptable-level unscaled complementarity. Default 1e-2. Ipopt `acceptable_compl_inf_tol`. */
  acceptableComplInfTol?: number;
  /** Iteration limit (restoration iterations count). Default 3000, ≥ 0. Ipopt `max_iter`. */
  maxIter?: number;
  /** Wall-clock limit in seconds, measured with hooks.now. Default Infinity. Ipopt `max_wall_time`. */
  maxSeconds?: number;
  /** Barrier parameter update: 'monotone' (Fiacco–McCormick, W&B §2.1 eq. 7) or 'adaptive' (LOQO probing rule with a KKT-error safeguard, see barrier.ts). Default 'monotone'. */
  muStrategy?: 'monotone' | 'adaptive';
  /** μ_0, initial barrier parameter. Default 0.1, > 0. Ipopt `mu_init`. */
  muInit?: number;
  /** Lower bound on μ. Default min(1e-11, 0.5·min(tol, complInfTol))... computed as Ipopt does. Ipopt `mu_min`. */
  muMin?: number;
  /** κ_ε, W&B §2.1: barrier subproblem tolerance factor. Default 10. */
  kappaEps?: number;
  /** κ_μ, W&B eq. (7): linear decrease factor of μ. Default 0.2, in (0,1). */
  kappaMu?: number;
  /** θ_μ, W&B eq. (7): superlinear decrease exponent of μ. Default 1.5, in (1,2). */
  thetaMu?: number;
  /** τ_min, W&B eq. (8): lower bound of the fraction-to-the-boundary parameter. Default 0.99. */
  tauMin?: number;
  /** κ_1, W&B §3.6: absolute push of the initial point into its bounds. Default 1e-2. Ipopt `bound_push`. */
  boundPush?: number;
  /** κ_2, W&B §3.6: relative push (fraction of the bound interval). Default 1e-2. Ipopt `bound_frac`. */
  boundFrac?: number;
  /** Initial bound multipliers z_0. Default 1. Ipopt `bound_mult_init_val`. */
  boundMultInitVal?: number;
  /** λ_max, W&B §3.6: least-squares λ_0 is discarded (λ_0 = 0) when larger. Default 1000. Ipopt `constr_mult_init_max`. */
  constrMultInitMax?: number;
  /** Bounds are relaxed by this factor·max(1,|bound|) (capped by constrViolTol). Default 1e-8. Ipopt `bound_relax_factor`. */
  boundRelaxFactor?: number;
  /** g_max in gradient-based scaling (W&B §3.8). Default 100. Ipopt `nlp_scaling_max_gradient`. */
  nlpScalingMaxGradient?: number;
  /** Smallest scaling factor. Default 1e-8. Ipopt `nlp_scaling_min_value`. */
  nlpScalingMinValue?: number;
  /** 'gradient-based' (default) or 'none'. Ipopt `nlp_scaling_method`. */
  nlpScaling?: 'gradient-based' | 'none';
  /**
   * The objective's factor s_f supplied by the model (Ipopt's user scaling, `get_scaling_parameters`
   * obj_scaling), > 0: replaces the gradient-based s_f (constraints keep theirs). For objectives whose
   * gradient at x₀ is dominated by terms that cancel on the feasible set (e.g. a Norton source's
   * admittance), so that max|∇f(x₀)| misstates the objective's scale. Default: none (gradient-based).
   */
  nlpObjScale?: number;
  /**
   * Zero-pivot threshold τ of the KKT factorization on its stable ordering (LdlOptions.pivotTolerance:
   * a pivot counts as zero when it cancels to τ of the terms that formed it). Default 1e-12
   * (LdlSolver's); the AMD path uses 1e-14 (kkt.ts). For models whose KKT matrix pairs stiff
   * admittances with large barrier terms, where legitimate pivots cancel to ~1e-13 and the
   * inertia correction would otherwise add δ_w of order 1 to pass them.
   */
  kktPivotTolerance?: number;
  /**
   * Which factorization of the KKT system (kkt.ts `KktOptions.ordering`): 'auto' (default: the
   * plain-AMD path with its static λ regularization δ₀ when it saves ≥ 2× the flops of a large
   * system, else the stable KKT ordering), 'amd' or 'stable'. The AMD path's inertia test is
   * H + AᵀA/(δ_c + δ₀) ≻ 0 instead of the reduced Hessian's (δ_c = 0 unless the Jacobian is
   * degenerate): on a model whose Jacobian has nearly dependent rows it asks for a Hessian shift
   * δ_w the reduced Hessian does not need, so such models choose 'stable'.
   */
  kktOrdering?: 'auto' | 'amd' | 'stable';
  /**
   * Where the inertia correction's Hessian shift δ_w goes (inertia.ts): 'global' (default, W&B
   * §3.1: one δ_w on every primal variable) or 'perPeriod' — one δ_w per period of
   * `NlpProblem.periods.ofVar`, raised only in the periods whose pivots have the wrong sign,
   * with the global rule as the fallback; the inertia test is the same global one. Without the
   * hint 'perPeriod' is 'global'.
   */
  hessianPerturbation?: 'global' | 'perPeriod';
  /**
   * Backward error ‖K x − b‖∞ / (‖K‖∞ ‖x‖∞ + ‖b‖∞) at which the iterative refinement of every KKT
   * solve stops (LdlSolver.solveRefined). Default 1e-14; at most 1e-10 (Ipopt's
   * residual_ratio_max, and the AMD path's fallback threshold). Each refinement step costs a
   * triangular solve pair, about a fifth of a factorization on large systems.
   */
  kktRefinementTolerance?: number;
  /** s_max, W&B eq. (5): threshold for the dual scaling s_d, s_c. Default 100. */
  sMax?: number;
  /** κ_Σ, W&B eq. (16): bound-multiplier safeguard. Default 1e10. */
  kappaSigma?: number;
  /** p_max, W&B §2.4: maximal number of second-order corrections. Default 4. Ipopt `max_soc`. */
  maxSoc?: number;
  /** κ_soc, W&B §2.4: required θ reduction between corrections. Default 0.99. */
  kappaSoc?: number;
  /** ρ, W&B §3.3: penalty of the ℓ1 restoration problem. Default 1000. Ipopt `resto_penalty_parameter`. */
  restoPenalty?: number;
  /** |x|∞ beyond which the iterates are called diverging ('unbounded'). Default 1e20. Ipopt `diverging_iterates_tol`. */
  divergingIteratesTol?: number;
  /**
   * Fraction-to-the-boundary step lengths (periodSteps.ts): 'global' (default, W&B eq. 15: one α
   * for all of w, one α_z for all of z) or 'per-period' — on a problem with a period hint
   * (NlpProblem.periods), one α and α_z per period, and one shared by the variables that couple
   * periods; the line search then backtracks along diag(α)Δw. Without a hint: 'global'.
   */
  stepLengths?: 'global' | 'per-period';
  /** With 'per-period': the coupled variables' step from their own bounds only ('own', default) or also at most every period's ('min'). */
  coupledStep?: 'own' | 'min';
  /** 0 silent, 1 one line per iteration through hooks.log, 2 also inertia/restoration details. Default 0. */
  printLevel?: 0 | 1 | 2;
  /** Keep every IterationRecord in SolveResult.history. Default false. */
  history?: boolean;
}

/** All options resolved to numbers (internal). */
export interface ResolvedOptions {
  tol: number;
  acceptableTol: number;
  acceptableIter: number;
  constrViolTol: number;
  dualInfTol: number;
  complInfTol: number;
  acceptableConstrViolTol: number;
  acceptableDualInfTol: number;
  acceptableComplInfTol: number;
  maxIter: number;
  maxSeconds: number;
  muStrategy: 'monotone' | 'adaptive';
  muInit: number;
  muMin: number;
  muMax: number;
  kappaEps: number;
  kappaMu: number;
  thetaMu: number;
  tauMin: number;
  boundPush: number;
  boundFrac: number;
  boundMultInitVal: number;
  constrMultInitMax: number;
  boundRelaxFactor: number;
  nlpScalingMaxGradient: number;
  nlpScalingMinValue: number;
  nlpScaling: 'gradient-based' | 'none';
  nlpObjScale: number | undefined;
  kktPivotTolerance: number | undefined;
  kktOrdering: 'auto' | 'amd' | 'stable' | undefined;
  hessianPerturbation: 'global' | 'perPeriod';
  kktRefinementTolerance: number;
  sMax: number;
  kappaSigma: number;
  maxSoc: number;
  kappaSoc: number;
  restoPenalty: number;
  divergingIteratesTol: number;
  printLevel: 0 | 1 | 2;
  history: boolean;
  stepLengths: 'global' | 'per-period';
  coupledStep: 'own' | 'min';
  // --- fixed constants of the paper (not user options) ---
  /** δ, s_θ, s_φ of the switching condition, W&B eq. (19). */
  delta: number;
  sTheta: number;
  sPhi: number;
  /** η_φ, Armijo constant, W&B eq. (20). */
  etaPhi: number;
  /** γ_θ, γ_φ, filter margins, W&B eq. (18). */
  gammaTheta: number;
  gammaPhi: number;
  /** γ_α, safety factor of α_min, W&B eq. (23). */
  gammaAlpha: number;
  /** κ_d, damping of one-sided bounds (W&B §3.7). */
  kappaD: number;
  /** Largest accepted increase of log10 of the barrier objective in one trial (Ipopt obj_max_inc). */
  objMaxInc: number;
}

function num(v: number | undefined, dflt: number, name: string, lo: number, hi: number): number {
  if (v === undefined) return dflt;
  if (!(typeof v === 'number') || Number.isNaN(v) || v < lo || v > hi) {
    throw new RangeError(`solveNlp: option ${name} = ${String(v)} is outside [${lo}, ${hi}]`);
  }
  return v;
}

/** A string option: `dflt` when absent, else one of `allowed` ("is not 'a', 'b' or 'c'" otherwise). */
function oneOf<T extends string, D extends T | undefined>(
  v: T | undefined,
  dflt: D,
  allowed: readonly T[],
  name: string,
): T | D {
  if (v === undefined) return dflt;
  if (!allowed.includes(v)) {
    const q = allowed.map((a) => `'${a}'`);
    const list = `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
    throw new RangeError(`solveNlp: option ${name} = ${String(v)} is not ${list}`);
  }
  return v;
}

/** Fill in defaults and check ranges; throws RangeError for an out-of-range option. */
export function resolveOptions(o: SolveOptions = {}): ResolvedOptions {
  const tol = num(o.tol, 1e-8, 'tol', 0, Infinity);
  if (tol === 0) throw new RangeError('solveNlp: option tol must be > 0');
  const complInfTol = num(o.complInfTol, 1e-4, 'complInfTol', 0, Infinity);
  return {
    tol,
    acceptableTol: num(o.acceptableTol, 1e-6, 'acceptableTol', 0, Infinity),
    acceptableIter: num(o.acceptableIter, 15, 'acceptableIter', 0, Infinity),
    constrViolTol: num(o.constrViolTol, 1e-4, 'constrViolTol', 0, Infinity),
    dualInfTol: num(o.dualInfTol, 1, 'dualInfTol', 0, Infinity),
    complInfTol,
    acceptableConstrViolTol: num(o.acceptableConstrViolTol, 1e-2, 'acceptableConstrViolTol', 0, Infinity),
    acceptableDualInfTol: num(o.acceptableDualInfTol, 1e10, 'acceptableDualInfTol', 0, Infinity),
    acceptableComplInfTol: num(o.acceptableComplInfTol, 1e-2, 'acceptableComplInfTol', 0, Infinity),
    maxIter: num(o.maxIter, 3000, 'maxIter', 0, Infinity),
    maxSeconds: num(o.maxSeconds, Infinity, 'maxSeconds', 0, Infinity),
    muStrategy: o.muStrategy ?? 'monotone',
    muInit: num(o.muInit, 0.1, 'muInit', Number.MIN_VALUE, Infinity),
    muMin: num(o.muMin, Math.min(1e-11, 0.5 * Math.min(tol, complInfTol)), 'muMin', Number.MIN_VALUE, Infinity),
    muMax: 1e5,
    kappaEps: num(o.kappaEps, 10, 'kappaEps', 0, Infinity),
    kappaMu: num(o.kappaMu, 0.2, 'kappaMu', 0, 1),
    thetaMu: num(o.thetaMu, 1.5, 'thetaMu', 1, 2),
    tauMin: num(o.tauMin, 0.99, 'tauMin', 0, 1),
    boundPush: num(o.boundPush, 1e-2, 'boundPush', 0, Infinity),
    boundFrac: num(o.boundFrac, 1e-2, 'boundFrac', 0, 0.5),
    boundMultInitVal: num(o.boundMultInitVal, 1, 'boundMultInitVal', Number.MIN_VALUE, Infinity),
    constrMultInitMax: num(o.constrMultInitMax, 1000, 'constrMultInitMax', 0, Infinity),
    boundRelaxFactor: num(o.boundRelaxFactor, 1e-8, 'boundRelaxFactor', 0, Infinity),
    nlpScalingMaxGradient: num(o.nlpScalingMaxGradient, 100, 'nlpScalingMaxGradient', Number.MIN_VALUE, Infinity),
    nlpScalingMinValue: num(o.nlpScalingMinValue, 1e-8, 'nlpScalingMinValue', 0, Infinity),
    nlpScaling: o.nlpScaling ?? 'gradient-based',
    nlpObjScale:
      o.nlpObjScale === undefined ? undefined : num(o.nlpObjScale, 1, 'nlpObjScale', Number.MIN_VALUE, Infinity),
    kktPivotTolerance:
      o.kktPivotTolerance === undefined ? undefined : num(o.kktPivotTolerance, 1e-12, 'kktPivotTolerance', 0, 0.5),
    kktOrdering: oneOf(o.kktOrdering, undefined, ['auto', 'amd', 'stable'] as const, 'kktOrdering'),
    hessianPerturbation: oneOf(o.hessianPerturbation, 'global', ['global', 'perPeriod'], 'hessianPerturbation'),
    kktRefinementTolerance: num(o.kktRefinementTolerance, 1e-14, 'kktRefinementTolerance', 1e-16, 1e-10),
    sMax: num(o.sMax, 100, 'sMax', 1, Infinity),
    kappaSigma: num(o.kappaSigma, 1e10, 'kappaSigma', 1, Infinity),
    maxSoc: num(o.maxSoc, 4, 'maxSoc', 0, Infinity),
    kappaSoc: num(o.kappaSoc, 0.99, 'kappaSoc', 0, Infinity),
    restoPenalty: num(o.restoPenalty, 1000, 'restoPenalty', Number.MIN_VALUE, Infinity),
    divergingIteratesTol: num(o.divergingIteratesTol, 1e20, 'divergingIteratesTol', Number.MIN_VALUE, Infinity),
    printLevel: o.printLevel ?? 0,
    history: o.history ?? false,
    stepLengths: oneOf(o.stepLengths, 'global', ['global', 'per-period'], 'stepLengths'),
    coupledStep: oneOf(o.coupledStep, 'own', ['own', 'min'], 'coupledStep'),
    delta: 1,
    sTheta: 1.1,
    sPhi: 2.3,
    etaPhi: 1e-8,
    gammaTheta: 1e-5,
    gammaPhi: 1e-8,
    gammaAlpha: 0.05,
    kappaD: 1e-5,
    objMaxInc: 5,
  };
}
