/**
 * The primal-dual interior-point filter line-search method of
 *   A. Wächter, L. T. Biegler, "On the implementation of an interior-point filter line-search
 *   algorithm for large-scale nonlinear programming", Math. Program. 106 (2006) 25–57 ("W&B"),
 * the algorithm of Ipopt, for
 *
 *     min f(x)   s.t.   gL ≤ g(x) ≤ gU,   xL ≤ x ≤ xU          (problem.ts)
 *
 * solved in the internal form  min s_f f  s.t.  c(w) = 0,  wL ≤ w ≤ wU  (internalNlp.ts: slacks
 * for inequalities, fixed variables as parameters, gradient-based scaling, relaxed bounds).
 *
 * The loop (Algorithm A of W&B §2, Ipopt's IpoptAlgorithm::Optimize) is a list of named steps:
 *
 *   initialize                   §3.6  push x₀ into the bounds, slacks, z₀ = 1, least-squares λ₀
 *   loop:
 *     checkConvergence           eq. (5)-(6), Ipopt's OptErrorConvCheck (convergence.ts)
 *     reportIteration            one IterationRecord; callback, cancel, time and iteration limits
 *     updateBarrierParameter     §2.1 eq. (7)-(8) monotone, or adaptive (muStrategy.ts, barrier.ts)
 *     computeSearchDirection     eq. (13) with inertia correction §3.1 (kkt.ts, inertia.ts)
 *     lineSearch                 §2.3-2.4 filter, switching, Armijo, SOC (lineSearch.ts, filter.ts);
 *                                with stepLengths 'per-period', per-period steps tried first (periodSteps.ts)
 *       → restoration            §3.3 when α < α_min or the step cannot be computed (restoration.ts)
 *     acceptTrialPoint           λ, z updates with α, κ_Σ safeguard eq. (16)
 *
 * Everything the loop touches is allocated in the constructor; the loop allocates nothing
 * (except when entering the restoration phase, which builds its own solver once).
 */
import { InertiaCorrector, PeriodShift, periodGroups } from './inertia';
import { InternalNlp, allFinite, validateProblem } from './internalNlp';
import { Iterate } from './iterate';
import type { KktSystem } from './kkt';
import { kktSystemFor, type SolverWorkspace } from './workspace';
import { Filter } from './filter';
import { alphaMinimum, filterAcceptance, maxStepPositive, maxStepToBoundary, type TrialVerdict } from './lineSearch';
import { MuStrategy, type MuUpdateContext } from './muStrategy';
import { meetsTolerances, newOptimalityError, optimalityError, type OptimalityError } from './convergence';
import { resolveOptions, type ResolvedOptions, type SolveOptions } from './options';
import { statusMessage, type SolveStatus } from './status';
import type { IterationRecord, SolveHooks, SolveResult, StepBlocking } from './types';
import type { NlpProblem } from './problem';
import { runRestoration } from './restoration';
import {
  boundMultiplierStep,
  kappaSigmaBand,
  kappaSigmaSafeguard,
  newClassSteps,
  stepPass,
  type ClassSteps,
  type KappaSigmaBand,
  PassBlocking,
} from './stepPass';
import type { RunControl, RunOutcome } from './run';
import { combineCoupled, stepClasses, type StepClasses } from './periodSteps';

export type { RunControl, RunOutcome } from './run';
import type { FactorResult } from '../sparse/ldl';

const EPS = 2.220446049250313e-16;

/** Solve an NLP; see SolveOptions, SolveHooks and SolveResult for the contract. Never throws for a bad problem (status 'invalidProblem'). */
export function solveNlp(
  p: NlpProblem,
  options: SolveOptions = {},
  hooks: SolveHooks & { workspace?: SolverWorkspace } = {},
): SolveResult {
  const now = hooks.now ?? Date.now;
  const startMs = now();
  let opts: ResolvedOptions;
  try {
    opts = resolveOptions(options);
  } catch (err) {
    return invalidResult(p, err instanceof Error ? err.message : String(err));
  }
  const invalid = validateProblem(p);
  if (invalid) return invalidResult(p, invalid);
  if (hooks.warmStart && hooks.warmStart.x.length !== p.n) return invalidResult(p, 'warmStart.x must have length n');
  return runIpm(p, opts, hooks, {
    depth: 0,
    iterOffset: 0,
    startMs,
    ...(hooks.workspace ? { workspace: hooks.workspace } : {}),
  }).result;
}

function invalidResult(p: NlpProblem, detail: string): SolveResult {
  const n = Math.max(0, p.n | 0);
  const m = Math.max(0, p.m | 0);
  return {
    status: 'invalidProblem',
    message: statusMessage('invalidProblem', detail),
    x: p.x0 ? Float64Array.from(p.x0) : new Float64Array(n),
    lambda: new Float64Array(m),
    zL: new Float64Array(n),
    zU: new Float64Array(n),
    g: new Float64Array(m).fill(NaN),
    objective: NaN,
    iterations: 0,
    seconds: 0,
    infPr: NaN,
    infDu: NaN,
    compl: NaN,
    timing: {
      evaluation: 0,
      factorization: 0,
      setup: 0,
      solve: 0,
      total: 0,
      factorizations: 0,
      evaluations: { f: 0, g: 0, gradF: 0, jacobian: 0, hessian: 0 },
      kkt: {
        path: 'stable',
        fallbackReason: null,
        delta0: 0,
        zeroReports: 0,
        solves: 0,
        triangularSolves: 0,
        partialFactorizations: 0,
        partialMeanShare: 0,
      },
    },
  };
}

/** Run the algorithm on a validated problem with resolved options (also used by the restoration phase). */
export function runIpm(p: NlpProblem, opts: ResolvedOptions, hooks: SolveHooks, ctl: RunControl): RunOutcome {
  return new InteriorPointSolver(p, opts, hooks, ctl).run();
}

type Stop = { status: SolveStatus; detail: string } | null;

class InteriorPointSolver {
  private readonly nlp: InternalNlp;
  private readonly kkt: KktSystem;
  private readonly inertia = new InertiaCorrector();
  private readonly filter = new Filter();
  private readonly now: () => number;
  private cur: Iterate;
  private trial: Iterate;
  /**
   * Search direction (Δw, Δλ, Δz_L, Δz_U). The KKT solve writes (Δw, Δλ) into `step`, whose two
   * parts are `dw` and `dl` (views, no copy); `sol` is the second-order corrections' solution.
   */
  private readonly step: Float64Array;
  private readonly dw: Float64Array;
  private readonly dl: Float64Array;
  private readonly dzL: Float64Array;
  private readonly dzU: Float64Array;
  private readonly rhs: Float64Array;
  private readonly sol: Float64Array;
  private readonly cSoc: Float64Array;
  private readonly sigma: Float64Array;
  private readonly hess: Float64Array;
  private readonly resid: Float64Array;
  /**
   * ∇f + Aᵀλ at `gradLOf` (the current iterate at the convergence test), reused for the step's
   * right-hand side: one Jacobian product per iteration instead of two.
   */
  private readonly gradL: Float64Array;
  /** The line search's first pass (stepPass.ts). */
  private readonly pass: ClassSteps = newClassSteps(1);
  private readonly band: KappaSigmaBand = { hi: 0, lo: 0 };
  private gradLOf: Iterate | null = null;
  /**
   * The iterate and μ at which `sigma` and the w part of `rhs` were formed by the convergence
   * test's pass (optimalityError's `step`); null when they are not current.
   */
  private stepTermsOf: Iterate | null = null;
  private stepTermsMu = Number.NaN;
  private readonly err: OptimalityError = newOptimalityError();
  private readonly err0: OptimalityError = newOptimalityError();
  /** μ and τ of W&B §2.1, owned by the barrier strategy. */
  private readonly barrier: MuStrategy;
  private readonly muContext: MuUpdateContext;
  private thetaMin = 0;
  private thetaMax = Infinity;
  private iter = 0;
  private acceptableCount = 0;
  private history: IterationRecord[] | undefined;
  // last step, for the iteration record
  private lastAlphaPr = 0;
  private lastAlphaDu = 0;
  private lastDNorm = 0;
  private lastLs = 0;
  private lastDeltaW = 0;
  private tinyStep = false;
  private consecutiveTinySteps = 0;
  private restorationCount = 0;
  // timing
  private factorMs = 0;
  private readonly setupMs: number;
  private factorizations = 0;
  private stoppedByAccept = false;
  /**
   * stepLengths 'per-period' (periodSteps.ts): the variables' classes and the per-class fractions
   * to the boundary of this iteration. Null with 'global' steps (W&B's), or without a usable
   * period hint.
   */
  private readonly classes: StepClasses | null = null;
  private readonly classSteps: ClassSteps | null = null;

  constructor(
    private readonly p: NlpProblem,
    private readonly o: ResolvedOptions,
    private readonly hooks: SolveHooks,
    private readonly ctl: RunControl,
  ) {
    this.now = hooks.now ?? Date.now;
    this.nlp = new InternalNlp(p, o.boundRelaxFactor, o.constrViolTol, this.now);
    const nlp = this.nlp;
    this.cur = new Iterate(nlp);
    this.trial = new Iterate(nlp);
    const { nw, m } = nlp;
    this.step = new Float64Array(nw + m);
    this.dw = this.step.subarray(0, nw);
    this.dl = this.step.subarray(nw);
    this.dzL = new Float64Array(nw);
    this.dzU = new Float64Array(nw);
    this.rhs = new Float64Array(nw + m);
    this.sol = new Float64Array(nw + m);
    this.cSoc = new Float64Array(m);
    this.sigma = new Float64Array(nw);
    this.hess = new Float64Array(nlp.hRows.length);
    this.resid = new Float64Array(nw);
    this.gradL = new Float64Array(nw);
    const tSetup = this.now();
    this.kkt = kktSystemFor(nlp, ctl.depth === 0 ? ctl.workspace : undefined, {
      ...(o.kktPivotTolerance !== undefined ? { stablePivotTolerance: o.kktPivotTolerance } : {}),
      ...(o.kktOrdering !== undefined ? { ordering: o.kktOrdering } : {}),
    });
    this.kkt.clock = this.now;
    this.kkt.refinementTolerance = o.kktRefinementTolerance;
    this.setupMs = this.now() - tSetup;
    this.barrier = new MuStrategy(o);
    if (o.hessianPerturbation === 'perPeriod') {
      const g = periodGroups(nlp.n, nw, p.periods?.ofVar, nlp.slackOfCon, nlp.jRows, nlp.jCols);
      if (g) this.inertia.periodShift = new PeriodShift(g);
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context reads the loop's live fields
    const self = this;
    this.muContext = {
      get cur() {
        return self.cur;
      },
      get iter() {
        return self.iter;
      },
      err0: this.err0,
      err: this.err,
      get tinyStep() {
        return self.tinyStep;
      },
      consumeTinyStep: () => void (self.tinyStep = false),
      clearFilter: () => self.filter.clear(),
      log: (level, line) => self.log(level, line),
    };
    if (o.history) this.history = [];
    if (o.stepLengths === 'per-period' && ctl.depth === 0) {
      const c = stepClasses(nlp, p.periods);
      if (typeof c === 'string') this.log(2, `per-period step lengths not used: ${c}`);
      else {
        this.classes = c;
        this.classSteps = newClassSteps(c.count);
        this.log(
          2,
          `per-period step lengths: ${c.count - 1} periods, ${c.coupledVars} coupled variables, ${c.couplingRows} coupling rows, ${c.mixedRows} mixed rows`,
        );
      }
    }
  }

  private get mu(): number {
    return this.barrier.mu;
  }

  private get tau(): number {
    return this.barrier.tau;
  }

  run(): RunOutcome {
    let stop = this.initialize();
    while (!stop) {
      const converged = this.checkConvergence();
      const reported = this.reportIteration();
      stop = converged ?? reported ?? this.checkLimits();
      if (stop) break;
      this.barrier.update(this.muContext); // updateBarrierParameter (muStrategy.ts)
      const directionOk = this.computeSearchDirection();
      let accepted = false;
      if (directionOk) {
        const ls = this.lineSearch();
        if (ls === 'stop') {
          stop = this.pendingStop;
          break;
        }
        accepted = ls === 'accepted';
      }
      if (!accepted) {
        stop = this.restoration(
          directionOk ? 'the line search failed (α < α_min)' : 'the KKT system could not be regularized',
        );
        if (stop) break;
      }
      this.iter++;
      this.gradLOf = null;
      this.stepTermsOf = null;
      if (this.ctl.acceptIterate && this.ctl.acceptIterate(this.cur)) {
        this.stoppedByAccept = true;
        stop = { status: 'solved', detail: 'Restoration phase ended: the point is acceptable to the original filter.' };
      }
    }
    return this.finish(stop);
  }

  private pendingStop: Stop = null;

  private log(level: number, line: string): void {
    if (this.o.printLevel >= level && this.hooks.log) this.hooks.log(line);
  }

  // ───────────────────────────────────────── initialize (W&B §3.6) ──

  private initialize(): Stop {
    const { nlp, o, cur } = this;
    const { n, nw, m, wL, wU, hasL, hasU } = nlp;
    const warm = this.hooks.warmStart;
    const x0 = warm?.x ?? this.p.x0;
    // Fixed variables take their value; others start at x0 (pushed after scaling is known).
    for (let j = 0; j < n; j++) cur.w[j] = nlp.fixed[j] ? this.p.xL[j] : x0[j];
    if (!Number.isFinite(nlp.evalF(cur.x))) {
      return { status: 'invalidProblem', detail: 'The objective is not finite (NaN or Inf) at the starting point.' };
    }
    if (o.nlpScaling === 'gradient-based' && this.ctl.depth === 0) {
      if (!nlp.computeScaling(cur.x, cur.gradF, cur.jac, o.nlpScalingMaxGradient, o.nlpScalingMinValue)) {
        return { status: 'invalidProblem', detail: this.describeNonFinite(cur.x) };
      }
    }
    if (o.nlpObjScale !== undefined && this.ctl.depth === 0) nlp.objScale = o.nlpObjScale;
    // the Jacobian's row scaling is now final: K's constant slots are written by the first assembly
    this.kkt.invalidateConstants();
    // Push x into its (relaxed) bounds: W&B eq. (36)-(37) with κ₁ = boundPush, κ₂ = boundFrac.
    for (let j = 0; j < n; j++) if (!nlp.fixed[j]) cur.w[j] = this.pushIntoBounds(cur.w[j], wL[j], wU[j]);
    // Slacks: s₀ = s_c g(x₀), pushed likewise.
    nlp.evalG(cur.x, cur.gs);
    for (let k = 0; k < nlp.nS; k++)
      cur.w[n + k] = this.pushIntoBounds(cur.gs[nlp.conOfSlack[k]], wL[n + k], wU[n + k]);
    if (!cur.evalFunctions() || !cur.evalDerivatives()) {
      return { status: 'invalidProblem', detail: this.describeNonFinite(cur.x) };
    }
    // Bound multipliers.
    const mu0 = o.muInit;
    for (let j = 0; j < nw; j++) {
      cur.zL[j] = hasL[j] ? o.boundMultInitVal : 0;
      cur.zU[j] = hasU[j] ? o.boundMultInitVal : 0;
    }
    if (warm?.zL || warm?.zU) {
      for (let j = 0; j < n; j++) {
        if (warm.zL && hasL[j]) cur.zL[j] = Math.max(warm.zL[j] * nlp.objScale, (mu0 / (cur.w[j] - wL[j])) * 1e-3);
        if (warm.zU && hasU[j]) cur.zU[j] = Math.max(warm.zU[j] * nlp.objScale, (mu0 / (wU[j] - cur.w[j])) * 1e-3);
      }
    }
    const sm = this.ctl.slackMultipliers;
    if (sm) {
      for (let k = 0; k < nlp.nS; k++) {
        if (hasL[n + k]) cur.zL[n + k] = sm.vL[k];
        if (hasU[n + k]) cur.zU[n + k] = sm.vU[k];
      }
    }
    // Constraint multipliers: warm start, or least squares (W&B §3.6), discarded if > λ_max.
    if (warm?.lambda) {
      for (let i = 0; i < m; i++) cur.lambda[i] = (warm.lambda[i] * nlp.objScale) / nlp.conScale[i];
      if (!sm) {
        for (let k = 0; k < nlp.nS; k++) {
          const li = cur.lambda[nlp.conOfSlack[k]];
          const j = n + k;
          if (hasL[j]) cur.zL[j] = Math.max(-li, mu0 / (cur.w[j] - wL[j]));
          if (hasU[j]) cur.zU[j] = Math.max(li, mu0 / (wU[j] - cur.w[j]));
        }
      }
    } else if (m > 0 && this.ctl.depth === 0) {
      this.leastSquaresMultipliers();
    }
    if (this.ctl.depth > 0) cur.lambda.fill(0);
    // Filter bounds θ_max, θ_min (W&B §3.2 / Ipopt theta_max_fact 1e4, theta_min_fact 1e-4).
    this.thetaMax = 1e4 * Math.max(1, cur.theta);
    this.thetaMin = 1e-4 * Math.max(1, cur.theta);
    this.filter.clear();
    this.barrier.start(cur);
    this.log(1, 'iter    objective    inf_pr   inf_du lg(mu)  ||d||  lg(rg) alpha_du alpha_pr  ls');
    return null;
  }

  private pushIntoBounds(v: number, lo: number, hi: number): number {
    const { boundPush: k1, boundFrac: k2 } = this.o;
    const hasLo = lo > -Infinity;
    const hasHi = hi < Infinity;
    if (hasLo && hasHi) {
      const pL = Math.min(k1 * Math.max(1, Math.abs(lo)), k2 * (hi - lo));
      const pU = Math.min(k1 * Math.max(1, Math.abs(hi)), k2 * (hi - lo));
      if (v < lo + pL) v = lo + pL;
      else if (v > hi - pU) v = hi - pU;
      if (!(v > lo && v < hi)) v = 0.5 * (lo + hi);
      return v;
    }
    if (hasLo) return Math.max(v, lo + k1 * Math.max(1, Math.abs(lo)));
    if (hasHi) return Math.min(v, hi - k1 * Math.max(1, Math.abs(hi)));
    return v;
  }

  private describeNonFinite(x: Float64Array): string {
    const p = this.p;
    const g = new Float64Array(p.m);
    const gf = new Float64Array(p.n);
    try {
      p.evalG(x, g);
      p.evalGradF(x, gf);
    } catch {
      /* reported below */
    }
    for (let i = 0; i < p.m; i++) {
      if (!Number.isFinite(g[i])) return `Constraint ${p.conNames?.[i] ?? `g[${i}]`} is ${g[i]} at the starting point.`;
    }
    for (let j = 0; j < p.n; j++) {
      if (!Number.isFinite(gf[j]))
        return `The objective gradient component ${p.varNames?.[j] ?? `x[${j}]`} is ${gf[j]} at the starting point.`;
    }
    return 'A derivative (Jacobian or Hessian) is not finite (NaN or Inf) at the starting point.';
  }

  /**
   * λ₀ from  [ I  Aᵀ ; A  0 ] [d ; λ] = [ −(∇f − z_L + z_U) ; 0 ]  (W&B §3.6), kept only if
   * ‖λ₀‖∞ ≤ λ_max (Ipopt constr_mult_init_max); otherwise λ₀ = 0.
   */
  private leastSquaresMultipliers(): void {
    const { cur, nlp, kkt, rhs, sol, sigma } = this;
    const { n, nw, m, fixed } = nlp;
    sigma.fill(1);
    kkt.assemble(null, cur.jac, sigma, 0, 0);
    let r = kkt.factor();
    this.factorizations++;
    if (!r.ok) {
      kkt.assemble(null, cur.jac, sigma, 0, 1e-8);
      r = kkt.factor();
      this.factorizations++;
      if (!r.ok) return;
    }
    for (let j = 0; j < nw; j++) rhs[j] = -((j < n ? cur.gradF[j] : 0) - cur.zL[j] + cur.zU[j]);
    for (let j = 0; j < n; j++) if (fixed[j]) rhs[j] = 0;
    for (let i = 0; i < m; i++) rhs[nw + i] = 0;
    kkt.solve(rhs, sol);
    let mx = 0;
    for (let i = 0; i < m; i++) mx = Math.max(mx, Math.abs(sol[nw + i]));
    if (Number.isFinite(mx) && mx <= this.o.constrMultInitMax) for (let i = 0; i < m; i++) cur.lambda[i] = sol[nw + i];
    else cur.lambda.fill(0);
  }

  // ───────────────────────────────────────── checkConvergence (eq. 5-6) ──

  private checkConvergence(): Stop {
    const { o, cur } = this;
    // with E_μ's complementarity at the current μ for the barrier update, and Σ and the step's
    // right-hand side at the current μ (what the step takes unless the update changes μ), in the
    // same pass; ∇_w L itself is not kept
    const mu = this.mu;
    optimalityError(cur, 0, o.sMax, null, this.err0, this.gradL, mu, {
      sigma: this.sigma,
      rhs: this.rhs,
      mu,
      kappaD: o.kappaD,
    });
    this.gradLOf = cur;
    this.stepTermsOf = cur;
    this.stepTermsMu = mu;
    const e = this.err0;
    if (meetsTolerances(e, o))
      return { status: 'solved', detail: `Converged in ${this.iter + this.ctl.iterOffset} iterations.` };
    const acceptable = meetsTolerances(e, {
      tol: o.acceptableTol,
      dualInfTol: o.acceptableDualInfTol,
      constrViolTol: o.acceptableConstrViolTol,
      complInfTol: o.acceptableComplInfTol,
    });
    this.acceptableCount = acceptable ? this.acceptableCount + 1 : 0;
    if (o.acceptableIter > 0 && this.acceptableCount >= o.acceptableIter) {
      return {
        status: 'acceptable',
        detail: `Acceptable for ${this.acceptableCount} consecutive iterations (E = ${e.error.toExponential(2)}).`,
      };
    }
    return null;
  }

  private isAcceptable(): boolean {
    const o = this.o;
    return meetsTolerances(this.err0, {
      tol: o.acceptableTol,
      dualInfTol: o.acceptableDualInfTol,
      constrViolTol: o.acceptableConstrViolTol,
      complInfTol: o.acceptableComplInfTol,
    });
  }

  // ───────────────────────────────────────── reportIteration ──

  private readonly record: IterationRecord = {
    iter: 0,
    objective: 0,
    infPr: 0,
    infDu: 0,
    lgMu: 0,
    dNorm: 0,
    lgRg: null,
    alphaDu: 0,
    alphaPr: 0,
    ls: 0,
    restoration: false,
    elapsedS: 0,
  };

  private reportIteration(): Stop {
    const { cur, nlp } = this;
    const wantRecord = this.hooks.onIteration || this.history || this.o.printLevel > 0;
    if (!wantRecord) return null;
    if (this.ctl.depth > 0 && this.iter === 0) return null; // the outer loop reported this point
    const r = this.history ? ({} as IterationRecord) : this.record;
    r.iter = this.iter + this.ctl.iterOffset;
    r.objective = cur.f / nlp.objScale;
    r.infPr = this.err0.primalInfUnscaled;
    r.infDu = this.err0.dualInf;
    r.lgMu = Math.log10(this.mu);
    r.dNorm = this.lastDNorm;
    r.lgRg = this.lastDeltaW > 0 ? Math.log10(this.lastDeltaW) : null;
    r.alphaDu = this.lastAlphaDu;
    r.alphaPr = this.lastAlphaPr;
    r.ls = this.lastLs;
    r.restoration = this.ctl.depth > 0;
    r.elapsedS = (this.now() - this.ctl.startMs) / 1000;
    if (this.history) this.history.push(r);
    if (this.o.printLevel > 0 && this.hooks.log) this.hooks.log(formatRecord(r));
    if (this.hooks.onIteration && this.hooks.onIteration(r) === false) {
      return { status: 'cancelled', detail: `Stopped by the onIteration callback at iteration ${r.iter}.` };
    }
    return null;
  }

  private checkLimits(): Stop {
    const { o, hooks } = this;
    if (hooks.signal?.aborted) return { status: 'cancelled', detail: 'Stopped by the abort signal.' };
    if (this.iter + this.ctl.iterOffset >= o.maxIter)
      return { status: 'maxIterations', detail: `Reached maxIter = ${o.maxIter}.` };
    if ((this.now() - this.ctl.startMs) / 1000 > o.maxSeconds)
      return { status: 'maxTime', detail: `Reached maxSeconds = ${o.maxSeconds}.` };
    // max |x_j| at this iterate, formed by the convergence test's pass (run() calls this right after it)
    const xmax = this.err0.xAbsMax;
    if (xmax > o.divergingIteratesTol || this.cur.f / this.nlp.objScale < -o.divergingIteratesTol) {
      return {
        status: 'unbounded',
        detail: `|x|∞ = ${xmax.toExponential(2)}, f = ${(this.cur.f / this.nlp.objScale).toExponential(2)}.`,
      };
    }
    return null;
  }

  // ───────────────────────────────────────── computeSearchDirection (eq. 13, §3.1) ──

  private computeSearchDirection(): boolean {
    const { cur, nlp, kkt, sigma, rhs, o, mu } = this;
    const { n, nw, m } = nlp;
    // Hessian of the Lagrangian at (x, λ).
    nlp.evalHessian(cur.x, 1, cur.lambda, this.hess);
    if (!allFinite(this.hess)) return false;
    // Σ = Z_L (W−W_L)⁻¹ + Z_U (W_U−W)⁻¹ and the right-hand side −(∇φ_μ + Aᵀλ), −c in one pass
    // (Aᵀλ from the convergence test at this iterate)
    if (this.gradLOf !== cur) {
      cur.lagrangianGradient(this.gradL);
      this.gradLOf = cur;
      this.stepTermsOf = null;
    }
    // (formed by the convergence test's pass unless the barrier update changed μ since)
    if (this.stepTermsOf !== cur || this.stepTermsMu !== mu) cur.sigmaAndStepRhs(this.gradL, mu, o.kappaD, sigma, rhs);
    this.stepTermsOf = null;
    negateInto(cur.c, rhs, nw, m);
    const t0 = this.now();
    this.kktStale = true;
    const ok = this.inertia.factorize(this, mu);
    this.factorMs += this.now() - t0;
    if (!ok) {
      this.log(2, `inertia correction failed (δ_w > ${this.inertia.c.deltaWMax})`);
      return false;
    }
    kkt.solve(rhs, this.step);
    if (!allFinite(this.step)) return false;
    // Δz (eq. 11) is formed by the line search's first pass (stepPass.ts)
    void n;
    return true;
  }

  /** True until this iteration's W, A and Σ are assembled; the inertia trials after that only change δ_w, δ_c. */
  private kktStale = true;

  /** PerturbedSystem for InertiaCorrector. */
  assembleAndFactor(deltaW: number, deltaC: number): FactorResult {
    if (this.kktStale) this.kkt.assemble(this.hess, this.cur.jac, this.sigma, deltaW, deltaC);
    else this.kkt.perturb(this.sigma, deltaW, deltaC);
    this.kktStale = false;
    this.factorizations++;
    const r = this.kkt.factor();
    if (this.o.printLevel >= 2 && this.hooks.log) {
      this.hooks.log(
        `  factor δw=${deltaW.toExponential(2)} δc=${deltaC.toExponential(2)}: ok=${r.ok} inertia (+${r.positive}, −${r.negative}, 0:${r.zero})`,
      );
    }
    return r;
  }

  hasCorrectInertia(r: FactorResult): boolean {
    return this.kkt.hasCorrectInertia(r);
  }

  setDeltaWPerVariable(d: Float64Array | null): void {
    this.kkt.deltaWPerVariable = d;
  }

  pivots(): { d: Float64Array; perm: Int32Array } {
    return { d: this.kkt.solver.pivots(), perm: this.kkt.solver.permutation };
  }

  // ───────────────────────────────────────── lineSearch (§2.3-2.4) ──

  private lineSearch(): 'accepted' | 'failed' | 'stop' {
    const { cur, trial, nlp, o, mu, dw, dl } = this;
    const tau = this.tau;
    const phi = cur.barrierObjective(mu, o.kappaD);
    const theta = cur.theta;
    // One pass over the variables (stepPass.ts): Δz_L, Δz_U (eq. 11), ∇φ_μᵀΔw, the fractions to
    // the boundary (eq. 15) of w and of z, and whether the step is tiny.
    // With per-period steps the pass runs class by class (periodSteps.ts); the global quantities
    // are the classes' minimum and sum (W&B's: one class).
    const cs = this.classSteps;
    const steps = cs ?? this.pass;
    const tiny = stepPass(cur, mu, o.kappaD, tau, dw, this.dzL, this.dzU, cs ? this.classes!.ofVar : null, steps);
    let alphaMax = 1;
    let alphaDual = 1;
    let gradPhiD = 0;
    for (let k = 0; k < steps.alphaPr.length; k++) {
      alphaMax = Math.min(alphaMax, steps.alphaPr[k]);
      alphaDual = Math.min(alphaDual, steps.alphaDu[k]);
      gradPhiD += steps.gradPhiD[k];
    }
    if (this.hooks.onStep && this.ctl.depth === 0) this.reportStep(alphaMax, alphaDual, steps.blocking);
    if (tiny && tinyMultiplierStep(dl, cur.lambda)) {
      this.consecutiveTinySteps++;
      if (this.consecutiveTinySteps > 2 && this.mu <= Math.min(o.muMin, o.tol / 10) * 1.0000001) {
        this.pendingStop = this.isAcceptable()
          ? { status: 'acceptable', detail: 'The search direction became too small at an acceptable point.' }
          : { status: 'numericalError', detail: 'The search direction became too small to make progress.' };
        return 'stop';
      }
      this.tinyStep = true;
      this.setTrialPrimal(alphaMax, dw);
      if (trial.evalFunctions() && trial.evalDerivatives()) {
        this.acceptTrialPoint(alphaMax, alphaDual, dl, 'hType', 1, phi, theta);
        return 'accepted';
      }
    } else this.consecutiveTinySteps = 0;

    // Per-period steps first (when some class's step is cut), then W&B's line search below.
    if (cs && alphaMax < 1) {
      const r = this.perPeriodTrials(cs, phi, theta);
      if (r !== 'rejected') return r;
    }

    const alphaMin = alphaMinimum(theta, gradPhiD, this.thetaMin, o);
    let alpha = alphaMax;
    let ls = 0;
    for (;;) {
      ls++;
      if (this.hooks.signal?.aborted) {
        this.pendingStop = { status: 'cancelled', detail: 'Stopped by the abort signal.' };
        return 'stop';
      }
      this.setTrialPrimal(alpha, dw);
      let verdict: TrialVerdict = 'rejected';
      let thetaTrial = Infinity;
      if (trial.evalFunctions()) {
        thetaTrial = trial.theta;
        verdict = this.testTrial(alpha, phi, theta, gradPhiD);
        if (verdict !== 'rejected' && !trial.evalDerivatives()) verdict = 'rejected';
      }
      if (verdict !== 'rejected') {
        this.acceptTrialPoint(alpha, alphaDual, dl, verdict, ls, phi, theta);
        return 'accepted';
      }
      // Second-order correction (§2.4) after the first trial, when θ did not decrease.
      if (ls === 1 && thetaTrial >= theta && o.maxSoc > 0 && nlp.m > 0) {
        const socAccepted = this.secondOrderCorrection(alpha, alphaDual, phi, theta, gradPhiD);
        if (socAccepted) return 'accepted';
      }
      alpha *= 0.5;
      if (alpha < alphaMin) {
        this.lastLs = ls;
        if (this.softRestorationStep(alphaMax, alphaDual, dl, ls, phi, theta)) return 'accepted';
        return 'failed';
      }
    }
  }

  /**
   * stepLengths 'per-period' (periodSteps.ts): before W&B's line search along Δw, try the step
   * with each class's own fraction to the boundary, Δ̃w = diag(α_cls(j)) Δw, backtracked as a
   * whole: trial points w + β Δ̃w for β = 1, ½, ¼, … down to W&B's α_min (eq. 23) for Δ̃w. Every
   * trial passes the same tests as W&B's (filter, switching condition, Armijo with
   * ∇φ_μᵀΔ̃w = Σ_k α_k (∇φ_μᵀΔw)_k — the directional derivative along the direction actually
   * taken — or sufficient decrease of θ or φ), so an accepted point is one W&B's acceptance rules
   * accept; λ and z move by their classes' steps (λ_i by its row's). Δ̃w is not a Newton step of
   * the rows that mix a coupled variable with per-period ones (their residual is not (1 − α) c),
   * so it can fail where Δw would not: then, and for the second-order corrections, the soft
   * restoration step and the restoration phase, the iteration is W&B's unchanged along Δw — this
   * only adds trial points ahead of it, and the convergence safeguards are the global line
   * search's. (Measured and dropped: stopping the per-period trials at the global α_max, and not
   * taking a trial that raises θ above max(θ, θ_min) or 2θ even when the filter accepts it — both
   * fell back far more often and took more iterations: docs/siting.md.) Returns 'rejected' when
   * no trial was accepted.
   */
  private perPeriodTrials(cs: ClassSteps, phi: number, theta: number): 'accepted' | 'rejected' | 'stop' {
    const { trial, o, dw, dl } = this;
    combineCoupled(cs, o.coupledStep);
    if (o.printLevel >= 2) this.logClassSteps(cs);
    let gradPhiD = 0;
    for (let k = 0; k < cs.alphaPr.length; k++) gradPhiD += cs.alphaPr[k] * cs.gradPhiD[k];
    const ofVar = this.classes!.ofVar;
    let ls = 0;
    // W&B's α_min (eq. 23) for this direction (at least ε, so that the halving ends)
    const betaMin = Math.max(alphaMinimum(theta, gradPhiD, this.thetaMin, o), EPS);
    for (let beta = 1; beta >= betaMin; beta *= 0.5) {
      ls++;
      if (this.hooks.signal?.aborted) {
        this.pendingStop = { status: 'cancelled', detail: 'Stopped by the abort signal.' };
        return 'stop';
      }
      this.setTrialPrimalPerClass(beta, cs.alphaPr, ofVar, dw);
      if (!trial.evalFunctions()) continue;
      const verdict = this.testTrial(beta, phi, theta, gradPhiD);
      if (verdict !== 'rejected' && trial.evalDerivatives()) {
        this.perPeriodAccepted++;
        this.acceptTrialPoint(beta, 1, dl, verdict, ls, phi, theta, true);
        return 'accepted';
      }
    }
    this.perPeriodRejected++;
    return 'rejected';
  }

  /** Diagnostics of stepLengths 'per-period': iterations that took the per-period step / fell back to W&B's. */
  private perPeriodAccepted = 0;
  private perPeriodRejected = 0;

  /** printLevel 2: how many classes' primal steps are cut, and the shortest (class T is the coupled one). */
  private logClassSteps(cs: ClassSteps): void {
    let cut = 0;
    let kMin = 0;
    for (let k = 0; k < cs.alphaPr.length; k++) {
      if (cs.alphaPr[k] < 1) cut++;
      if (cs.alphaPr[k] < cs.alphaPr[kMin]) kMin = k;
    }
    this.log(
      2,
      `  per-period steps: ${cut} of ${cs.alphaPr.length} classes cut; shortest α = ${cs.alphaPr[kMin].toExponential(2)} (class ${kMin})`,
    );
  }

  /**
   * SolveHooks.onStep: what limits this iteration's step (diagnosis only), from the line search's
   * first pass: `blocking` is what blockingBound and blockingMultiplier (lineSearch.ts) return
   * for (w, Δw) and (z, Δz), found by stepPass in its own walk over w.
   */
  private reportStep(alphaMax: number, alphaDual: number, blocking: Float64Array): void {
    const { nlp, inertia } = this;
    const user = (index: number, upper: boolean): StepBlocking | null =>
      index < 0
        ? null
        : index < nlp.n
          ? { variable: index, row: null, bound: upper ? 'upper' : 'lower' }
          : { variable: null, row: nlp.conOfSlack[index - nlp.n], bound: upper ? 'upper' : 'lower' };
    this.hooks.onStep!({
      iter: this.iter + this.ctl.iterOffset,
      mu: this.mu,
      alphaPrimalMax: alphaMax,
      alphaDualMax: alphaDual,
      primalBlocking: user(blocking[PassBlocking.primalIndex], blocking[PassBlocking.primalUpper] === 1),
      dualBlocking: user(blocking[PassBlocking.dualIndex], blocking[PassBlocking.dualUpper] === 1),
      deltaW: inertia.deltaW,
      deltaC: inertia.deltaC,
      factorizations: inertia.trials,
      shiftHeld: inertia.lastCallHeld,
    });
  }

  private setTrialPrimal(alpha: number, d: Float64Array): void {
    const w = this.cur.w;
    const tw = this.trial.w;
    for (let j = 0; j < w.length; j++) tw[j] = w[j] + alpha * d[j];
  }

  /**
   * w + β Δ̃w with Δ̃w_j = α_cls(j) Δw_j (perPeriodTrials), Δ̃w formed on the fly: the same products
   * as storing Δ̃w first, without a pass and an nw array for it.
   */
  private setTrialPrimalPerClass(beta: number, alphaOfClass: Float64Array, ofVar: Int32Array, dw: Float64Array): void {
    const w = this.cur.w;
    const tw = this.trial.w;
    for (let j = 0; j < w.length; j++) tw[j] = w[j] + beta * (alphaOfClass[ofVar[j]] * dw[j]);
  }

  /** W&B A-5.2..A-5.5 for the trial point already evaluated into this.trial. */
  private testTrial(alpha: number, phi: number, theta: number, gradPhiD: number): TrialVerdict {
    const { trial, o, mu } = this;
    const phiTrial = trial.barrierObjective(mu, o.kappaD);
    if (!Number.isFinite(phiTrial)) return 'rejected';
    // Ipopt obj_max_inc: reject a trial whose barrier objective explodes.
    if (
      phiTrial - phi > 0 &&
      Math.log10(phiTrial - phi) > o.objMaxInc + Math.max(1, Math.log10(Math.abs(phi) + 1e-300))
    ) {
      return 'rejected';
    }
    return filterAcceptance(
      trial.theta,
      phiTrial,
      theta,
      phi,
      alpha,
      gradPhiD,
      this.thetaMin,
      this.thetaMax,
      this.filter,
      o,
    );
  }

  /**
   * W&B §2.4, steps A-5.5 to A-5.10: solve the same factorized system with the constraint
   * right-hand side c_soc = α c_soc^{prev} + c(w + α Δw) up to p_max times, while θ decreases by κ_soc.
   */
  private secondOrderCorrection(
    alpha0: number,
    alphaDual: number,
    phi: number,
    theta: number,
    gradPhiD: number,
  ): boolean {
    // `sol` is free here (Δw, Δλ are in `step`); `rhs` keeps its w
    // part, the one the corrections share, and takes −c_soc as its λ part.
    const { cur, trial, nlp, o, kkt, cSoc, rhs: socRhs, sol: socSol } = this;
    const { nw, m, wL, wU, hasL, hasU } = nlp;
    for (let i = 0; i < m; i++) cSoc[i] = alpha0 * cur.c[i] + trial.c[i];
    let thetaOld = theta;
    let alphaSoc = alpha0;
    for (let p = 1; p <= o.maxSoc; p++) {
      for (let i = 0; i < m; i++) socRhs[nw + i] = -cSoc[i];
      kkt.solve(socRhs, socSol);
      if (!allFinite(socSol)) return false;
      const dwSoc = socSol.subarray(0, nw);
      alphaSoc = maxStepToBoundary(cur.w, dwSoc, wL, wU, hasL, hasU, this.tau);
      this.setTrialPrimal(alphaSoc, dwSoc);
      if (!trial.evalFunctions()) return false;
      const verdict = this.testTrial(alpha0, phi, theta, gradPhiD);
      if (verdict !== 'rejected' && trial.evalDerivatives()) {
        // The corrected step replaces Δw (and Δλ); recover Δz for it.
        this.dw.set(dwSoc);
        for (let i = 0; i < m; i++) this.dl[i] = socSol[nw + i];
        boundMultiplierStep(cur, this.mu, this.dw, this.dzL, this.dzU);
        const aDual = Math.min(
          maxStepPositive(cur.zL, this.dzL, hasL, this.tau),
          maxStepPositive(cur.zU, this.dzU, hasU, this.tau),
        );
        void alphaDual;
        this.acceptTrialPoint(alphaSoc, aDual, this.dl, verdict, 1 + p, phi, theta);
        return true;
      }
      if (!(trial.theta <= o.kappaSoc * thetaOld)) return false;
      thetaOld = trial.theta;
      for (let i = 0; i < m; i++) cSoc[i] = alphaSoc * cSoc[i] + trial.c[i];
    }
    return false;
  }

  // ───────────────────────────────────────── acceptTrialPoint ──

  private acceptTrialPoint(
    alpha: number,
    alphaDual: number,
    dl: Float64Array,
    verdict: TrialVerdict,
    ls: number,
    phi: number,
    theta: number,
    perClass = false,
  ): void {
    const { cur, trial, nlp, o } = this;
    const { nw, m, wL, wU, hasL, hasU } = nlp;
    // A full step that raised θ holds the per-period shift (InertiaCorrector.holdShift).
    if (this.inertia.periodShift)
      this.inertia.holdShift =
        alpha === 1 && (!perClass || allAtLeastOne(this.classSteps!.alphaPr)) && trial.theta > theta;
    // Filter augmentation (A-7): every iteration that is not f-type.
    if (verdict === 'hType') this.filter.augment(theta, phi, o.gammaTheta, o.gammaPhi);
    const cs = perClass ? this.classSteps! : null;
    const ofRow = cs ? this.classes!.ofRow : null;
    const ofVar = cs ? this.classes!.ofVar : null;
    // λ⁺ = λ + α Δλ (Ipopt alpha_for_y = primal);  z⁺ = z + α_z Δz
    // per class: λ_i⁺ = λ_i + α α_row(i) Δλ_i,  z_j⁺ = z_j + α_z,cls(j) Δz_j
    // (the loops are functions of their own: see iterate.ts on loops inside methods)
    if (cs) stepMultipliersPerClass(cur.lambda, trial.lambda, alpha, cs.alphaPr, ofRow!, dl, m);
    else stepMultipliers(cur.lambda, trial.lambda, alpha, dl, m);
    const mu = this.mu;
    const ks = o.kappaSigma;
    const band = kappaSigmaBand(mu, ks, this.band);
    const dNorm = stepBoundMultipliers(
      cur.w,
      trial.w,
      cur.zL,
      cur.zU,
      trial.zL,
      trial.zU,
      this.dzL,
      this.dzU,
      wL,
      wU,
      hasL,
      hasU,
      cs ? cs.alphaDu : null,
      ofVar,
      alphaDual,
      mu,
      ks,
      band,
      nw,
    );
    const t = this.cur;
    this.cur = this.trial;
    this.trial = t;
    if (cs) {
      // the record shows the smallest step taken by any class
      let aPr = 1;
      let aDu = 1;
      for (let k = 0; k < cs.alphaPr.length; k++) {
        aPr = Math.min(aPr, cs.alphaPr[k]);
        aDu = Math.min(aDu, cs.alphaDu[k]);
      }
      alpha *= aPr;
      alphaDual = aDu;
    }
    this.lastAlphaPr = alpha;
    this.lastAlphaDu = alphaDual;
    this.lastDNorm = dNorm;
    this.lastLs = ls;
    this.lastDeltaW = this.inertia.deltaW;
  }

  /**
   * Ipopt's soft restoration step (BacktrackingLineSearch::TrySoftRestoStep), taken only where the
   * restoration phase could not help: the line search failed at an almost feasible point that is
   * not yet acceptable. The full step to the fraction-to-boundary is kept when it reduces the
   * primal-dual error E_μ by soft_resto_pderror_reduction_factor (0.9999). Typical case: a power
   * flow with no controllable device, started at its solution (θ ≈ 1e-14), whose first Newton step
   * only re-centres the bound multipliers but changes the barrier objective by more than the filter
   * allows at that θ — before, restoration was called there and failed at iteration 0.
   */
  private softRestorationStep(
    alphaMax: number,
    alphaDual: number,
    dl: Float64Array,
    ls: number,
    phi: number,
    theta: number,
  ): boolean {
    const { cur, o, mu } = this;
    if (this.ctl.depth > 0) return false;
    optimalityError(cur, 0, o.sMax, this.resid, this.err0);
    if (!(cur.thetaInf <= 1e-2 * o.tol || cur.thetaInf <= EPS * 100) || this.isAcceptable()) return false;
    const before = newOptimalityError();
    optimalityError(cur, mu, o.sMax, this.resid, before);
    const alpha = Math.min(alphaMax, alphaDual);
    this.setTrialPrimal(alpha, this.dw);
    if (!this.trial.evalFunctions() || !this.trial.evalDerivatives()) return false;
    const saved = {
      pr: this.lastAlphaPr,
      du: this.lastAlphaDu,
      d: this.lastDNorm,
      ls: this.lastLs,
      dW: this.lastDeltaW,
    };
    this.acceptTrialPoint(alpha, alpha, dl, 'fType', ls, phi, theta);
    const after = newOptimalityError();
    optimalityError(this.cur, mu, o.sMax, this.resid, after);
    if (after.error <= 0.9999 * before.error) {
      this.log(2, `soft restoration step: E_mu ${before.error.toExponential(2)} -> ${after.error.toExponential(2)}`);
      return true;
    }
    // Not enough progress: back to the point the line search started from.
    const t = this.cur;
    this.cur = this.trial;
    this.trial = t;
    this.lastAlphaPr = saved.pr;
    this.lastAlphaDu = saved.du;
    this.lastDNorm = saved.d;
    this.lastLs = saved.ls;
    this.lastDeltaW = saved.dW;
    return false;
  }

  // ───────────────────────────────────────── restoration (§3.3) ──

  private restoration(reason: string): Stop {
    const { cur, o } = this;
    if (this.ctl.depth > 0) {
      return { status: 'restorationFailed', detail: `Inside the restoration phase ${reason}.` };
    }
    optimalityError(cur, 0, o.sMax, this.resid, this.err0);
    if (cur.thetaInf <= 1e-2 * o.tol || cur.thetaInf <= EPS * 100) {
      // Restoration at an (almost) feasible point cannot help (W&B §3.3 remark; Ipopt does the same).
      if (this.isAcceptable())
        return {
          status: 'acceptable',
          detail: `Stopped at an acceptable point: ${reason} at an almost feasible point.`,
        };
      return {
        status: 'restorationFailed',
        detail: `The restoration phase was called at an almost feasible point (${reason}).`,
      };
    }
    // Ipopt (BacktrackingLineSearch, ACCEPTABLE_POINT_REACHED): restoration is not started from a
    // point that already meets the acceptable tolerances — it would only lose it. The 10,240-bus
    // × 24 h OPF reached inf_pr 1.8e-8, inf_du 5.7e-10 at iteration 35; the next factorization met
    // 2e5 zero pivots, δ_w = 0.36 spoiled the step, and restoration then ran for minutes.
    if (this.isAcceptable())
      return { status: 'acceptable', detail: `The restoration phase was called at an acceptable point (${reason}).` };
    this.filter.augment(cur.theta, cur.barrierObjective(this.mu, o.kappaD), o.gammaTheta, o.gammaPhi);
    this.log(2, `entering restoration phase: ${reason}`);
    this.restorationCount++;
    const out = runRestoration({
      nlp: this.nlp,
      cur,
      trial: this.trial,
      mu: this.mu,
      opts: o,
      hooks: this.hooks,
      startMs: this.ctl.startMs,
      iterOffset: this.iter + this.ctl.iterOffset + 1,
      accept: (t: Iterate) => {
        const phiT = t.barrierObjective(this.mu, o.kappaD);
        return (
          Number.isFinite(phiT) &&
          t.theta <= 0.9 * cur.theta &&
          t.theta <= this.thetaMax &&
          this.filter.acceptable(t.theta, phiT)
        );
      },
      runIpm,
    });
    this.iter += out.iterations;
    if (out.status === 'returned') {
      // The restoration phase wrote the new point into this.trial (functions and derivatives evaluated).
      this.lastAlphaPr = 1;
      this.lastAlphaDu = 1;
      this.lastLs = 1;
      let dNorm = 0;
      for (let j = 0; j < cur.w.length; j++) dNorm = Math.max(dNorm, Math.abs(this.trial.w[j] - cur.w[j]));
      this.lastDNorm = dNorm;
      const t = this.cur;
      this.cur = this.trial;
      this.trial = t;
      this.inertia.reset();
      this.iter--; // run() counts the iteration that called the restoration
      return null;
    }
    if (out.status === 'feasibleButRejected') {
      const t = this.cur;
      this.cur = this.trial;
      this.trial = t;
      this.filter.clear();
      this.inertia.reset();
      this.iter--;
      return null;
    }
    if (out.useTrial) {
      const t = this.cur;
      this.cur = this.trial;
      this.trial = t;
    }
    return { status: out.finalStatus, detail: out.detail };
  }

  // ───────────────────────────────────────── finish ──

  private finish(stop: Stop): RunOutcome {
    const { nlp, cur, p } = this;
    const { n, m } = nlp;
    const status = stop?.status ?? 'numericalError';
    const detail = stop?.detail ?? '';
    const x = new Float64Array(n);
    const valid = status !== 'invalidProblem';
    for (let j = 0; j < n; j++) {
      let v = valid ? cur.w[j] : p.x0[j];
      // Honor the original bounds (Ipopt honor_original_bounds).
      if (v < p.xL[j]) v = p.xL[j];
      if (v > p.xU[j]) v = p.xU[j];
      x[j] = v;
    }
    const g = new Float64Array(m);
    let objective = NaN;
    let infPr = NaN;
    if (valid) {
      try {
        objective = p.evalF(x);
        p.evalG(x, g);
      } catch {
        objective = NaN;
      }
      infPr = 0;
      for (let i = 0; i < m; i++) infPr = Math.max(infPr, p.gL[i] - g[i], g[i] - p.gU[i]);
      optimalityError(cur, 0, this.o.sMax, this.resid, this.err0);
    }
    const lambda = new Float64Array(m);
    const zL = new Float64Array(n);
    const zU = new Float64Array(n);
    if (valid) {
      for (let i = 0; i < m; i++) lambda[i] = (cur.lambda[i] * nlp.conScale[i]) / nlp.objScale;
      for (let j = 0; j < n; j++) {
        zL[j] = cur.zL[j] / nlp.objScale;
        zU[j] = cur.zU[j] / nlp.objScale;
      }
    }
    const totalMs = this.now() - this.ctl.startMs;
    const c = nlp.counters;
    const iterations = this.iter + this.ctl.iterOffset;
    const result: SolveResult = {
      status,
      message: statusMessage(status, detail),
      x,
      lambda,
      zL,
      zU,
      g,
      objective,
      iterations,
      seconds: totalMs / 1000,
      infPr,
      infDu: valid ? this.err0.dualInfUnscaled : NaN,
      compl: valid ? this.err0.complUnscaled : NaN,
      timing: {
        evaluation: c.ms / 1000,
        factorization: this.factorMs / 1000,
        setup: this.setupMs / 1000,
        solve: this.kkt.solveMs / 1000,
        total: totalMs / 1000,
        factorizations: this.factorizations,
        evaluations: { f: c.f, g: c.g, gradF: c.gradF, jacobian: c.jacobian, hessian: c.hessian },
        kkt: {
          path: this.kkt.path,
          fallbackReason: this.kkt.fallbackReason,
          delta0: this.kkt.delta0,
          zeroReports: this.kkt.zeroReports,
          solves: this.kkt.solves,
          triangularSolves: this.kkt.triangularSolves,
          partialFactorizations: this.kkt.partialFactorizations,
          partialMeanShare:
            this.kkt.partialFactorizations > 0 ? this.kkt.partialShare / this.kkt.partialFactorizations : 0,
        },
      },
    };
    if (this.history) result.history = this.history;
    if (this.classes)
      this.log(
        1,
        `per-period steps taken in ${this.perPeriodAccepted} iterations, W&B's global step after rejecting them in ${this.perPeriodRejected}`,
      );
    this.log(1, `${status}: ${result.message}`);
    return { result, final: cur, stoppedByAccept: this.stoppedByAccept };
  }
}

/**
 * max_i |Δλ_i|/(1 + |λ_i|) < 1e-2, the multiplier half of the tiny-step test (Ipopt
 * tiny_step_y_tol), stopping at the first component that is not below it.
 */
export function tinyMultiplierStep(dl: Float64Array, lambda: Float64Array): boolean {
  for (let i = 0; i < dl.length; i++) if (!(Math.abs(dl[i]) / (1 + Math.abs(lambda[i])) < 1e-2)) return false;
  return true;
}

function fmt(v: number, w: number, digits: number): string {
  const s = Number.isFinite(v) ? v.toExponential(digits) : String(v);
  return s.padStart(w);
}

/** Ipopt's iteration line. */
export function formatRecord(r: IterationRecord): string {
  return (
    `${String(r.iter).padStart(4)}${r.restoration ? 'r' : ' '}` +
    `${fmt(r.objective, 14, 7)}${fmt(r.infPr, 9, 2)}${fmt(r.infDu, 9, 2)}` +
    `${r.lgMu.toFixed(1).padStart(7)}${fmt(r.dNorm, 9, 2)}` +
    `${(r.lgRg === null ? '-' : r.lgRg.toFixed(1)).padStart(7)}` +
    `${fmt(r.alphaDu, 9, 2)}${fmt(r.alphaPr, 9, 2)}${String(r.ls).padStart(4)}`
  );
}

/*
 * The loops over all rows or variables of acceptTrialPoint and computeSearchDirection, as
 * functions of typed arrays and numbers that end with their loop (see iterate.ts: a loop inside
 * a method that reads `this` after it ran partly in the interpreter on every call).
 */

/** out[off + i] = −c[i], i < m (the λ part of the step's right-hand side). */
function negateInto(c: Float64Array, out: Float64Array, off: number, m: number): void {
  for (let i = 0; i < m; i++) out[off + i] = -c[i];
}

/** λ⁺ = λ + α Δλ. */
function stepMultipliers(lambda: Float64Array, out: Float64Array, alpha: number, dl: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) out[i] = lambda[i] + alpha * dl[i];
}

/** λ_i⁺ = λ_i + α α_row(i) Δλ_i (per-period steps). */
function stepMultipliersPerClass(
  lambda: Float64Array,
  out: Float64Array,
  alpha: number,
  alphaOfClass: Float64Array,
  ofRow: Int32Array,
  dl: Float64Array,
  m: number,
): void {
  for (let i = 0; i < m; i++) out[i] = lambda[i] + alpha * alphaOfClass[ofRow[i]] * dl[i];
}

/** Every entry ≥ 1 (every class took its full step). */
function allAtLeastOne(a: Float64Array): boolean {
  for (let k = 0; k < a.length; k++) if (!(a[k] >= 1)) return false;
  return true;
}

/**
 * z⁺ = z + α_z Δz with the κ_Σ safeguard (eq. 16), α_z per class when `alphaDuOfClass` is given
 * (else `alphaDual`); returns max_j |w⁺_j − w_j|.
 */
function stepBoundMultipliers(
  w: Float64Array,
  wT: Float64Array,
  zL: Float64Array,
  zU: Float64Array,
  zLT: Float64Array,
  zUT: Float64Array,
  dzL: Float64Array,
  dzU: Float64Array,
  wL: Float64Array,
  wU: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  alphaDuOfClass: Float64Array | null,
  ofVar: Int32Array | null,
  alphaDual: number,
  mu: number,
  ks: number,
  band: KappaSigmaBand,
  nw: number,
): number {
  let dNorm = 0;
  for (let j = 0; j < nw; j++) {
    dNorm = Math.max(dNorm, Math.abs(wT[j] - w[j]));
    const aZ = alphaDuOfClass !== null ? alphaDuOfClass[ofVar![j]] : alphaDual;
    // κ_Σ safeguard, eq. (16): keep z within [μ/(κ_Σ s), κ_Σ μ/s] (divisions only near the band)
    zLT[j] = hasL[j] ? kappaSigmaSafeguard(zL[j] + aZ * dzL[j], wT[j] - wL[j], mu, ks, band) : 0;
    zUT[j] = hasU[j] ? kappaSigmaSafeguard(zU[j] + aZ * dzU[j], wU[j] - wT[j], mu, ks, band) : 0;
  }
  return dNorm;
}
