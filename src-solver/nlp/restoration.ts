/**
 * Feasibility restoration phase, W&B 2006 §3.3 (Ipopt's RestoMinC_1Nrm + RestoIpoptNLP).
 *
 * When the filter line search cannot find an acceptable step (α < α_min) or the step cannot be
 * computed, the method looks for a less infeasible point by solving, with the same interior-point
 * method (the runner the caller passes in, `runIpm`), the ℓ1 restoration problem in the scaled
 * internal units:
 *
 *     min_{x,p,n}  ρ Σ_i (p_i + n_i) + (ζ/2) Σ_j D_R,j² (x_j − x_R,j)²                  (eq. 30)
 *     s.t.         c_L ≤ s_c∘g(x) − p + n ≤ c_U,   wL ≤ x ≤ wU,   p, n ≥ 0
 *
 * with ρ = restoPenalty (1000), ζ = √μ, D_R,j = min(1, 1/|x_R,j|), x_R the current point.
 * p and n start at the closed-form minimizers of eq. (33) for the current residual c:
 *
 *     n = (μ − ρc)/(2ρ) + √( ((μ − ρc)/(2ρ))² + μc/(2ρ) ),   p = c + n,
 *
 * so that s_c∘g(x_R) − p + n equals the current slack values. The restoration run stops as soon
 * as its iterate, mapped back to (x, s), reduces θ by the factor κ_resto = 0.9 and is acceptable
 * to the original filter (W&B A-9; Ipopt RestoFilterConvCheck). If instead it converges, the
 * current point is (locally) a minimizer of ‖c‖₁: the problem is declared infeasible unless that
 * point is feasible within constrViolTol (then the main loop continues from it with a fresh filter).
 *
 * After a successful restoration λ = 0 (Ipopt constr_mult_reset_threshold = 0) and the bound
 * multipliers are taken from the restoration run unless larger than 1000 (then reset to 1,
 * Ipopt bound_mult_reset_threshold).
 */
import type { InternalNlp } from './internalNlp';
import type { Iterate } from './iterate';
import type { ResolvedOptions } from './options';
import type { NlpProblem, SparseStructure } from './problem';
import type { SolveStatus } from './status';
import type { SolveHooks } from './types';
import type { IpmRunner } from './run';

export interface RestorationInput {
  nlp: InternalNlp;
  /** Current outer iterate (x_R); not modified. */
  cur: Iterate;
  /** Receives the outer point the restoration ends at (functions and derivatives evaluated). */
  trial: Iterate;
  mu: number;
  opts: ResolvedOptions;
  hooks: SolveHooks;
  startMs: number;
  iterOffset: number;
  /** Is the outer point in `trial` (functions evaluated) good enough to return to the main loop? */
  accept: (t: Iterate) => boolean;
  /** The interior-point method that solves the restoration problem (the caller's own, ipm.ts). */
  runIpm: IpmRunner;
}

export interface RestorationOutput {
  /** returned: trial holds an acceptable point; feasibleButRejected: trial is feasible, continue with a fresh filter. */
  status: 'returned' | 'feasibleButRejected' | 'failed';
  finalStatus: SolveStatus;
  detail: string;
  iterations: number;
  /** For 'infeasible': trial holds the least-infeasible point found (functions and derivatives evaluated). */
  useTrial?: boolean;
}

/** ρ Σ(p+n) + ζ/2 ‖D_R (x − x_R)‖²  s.t.  s_c∘g(x) − p + n ∈ [c_L, c_U]  — an NlpProblem over (x, p, n). */
class RestorationProblem implements NlpProblem {
  readonly n: number;
  readonly m: number;
  readonly xL: Float64Array;
  readonly xU: Float64Array;
  readonly gL: Float64Array;
  readonly gU: Float64Array;
  readonly x0: Float64Array;
  private readonly nx: number;
  private readonly nnzH: number;
  private readonly dR2: Float64Array;
  private readonly xR: Float64Array;

  constructor(
    private readonly nlp: InternalNlp,
    xR: Float64Array,
    c: Float64Array,
    private readonly rho: number,
    private readonly zeta: number,
    mu: number,
  ) {
    const nx = nlp.n;
    const m = nlp.m;
    this.nx = nx;
    this.n = nx + 2 * m;
    this.m = m;
    this.nnzH = nlp.hRows.length;
    this.xL = new Float64Array(this.n);
    this.xU = new Float64Array(this.n).fill(Infinity);
    for (let j = 0; j < nx; j++) {
      this.xL[j] = nlp.wL[j];
      this.xU[j] = nlp.wU[j];
    }
    this.gL = new Float64Array(m);
    this.gU = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const k = nlp.slackOfCon[i];
      if (k < 0) {
        this.gL[i] = nlp.cTarget[i];
        this.gU[i] = nlp.cTarget[i];
      } else {
        this.gL[i] = nlp.wL[nx + k];
        this.gU[i] = nlp.wU[nx + k];
      }
    }
    this.xR = Float64Array.from(xR);
    this.dR2 = new Float64Array(nx);
    for (let j = 0; j < nx; j++) {
      const d = Math.min(1, 1 / Math.abs(xR[j]));
      this.dR2[j] = nlp.fixed[j] ? 0 : d * d;
    }
    this.x0 = new Float64Array(this.n);
    this.x0.set(xR);
    for (let i = 0; i < m; i++) {
      // eq. (33)
      const a = (mu - rho * c[i]) / (2 * rho);
      const nn = a + Math.sqrt(a * a + (mu * c[i]) / (2 * rho));
      this.x0[nx + m + i] = nn;
      this.x0[nx + i] = c[i] + nn;
    }
  }

  jacobianStructure(): SparseStructure {
    const { nlp, m, nx } = this;
    const nnz = nlp.jRows.length;
    const rows = new Int32Array(nnz + 2 * m);
    const cols = new Int32Array(nnz + 2 * m);
    rows.set(nlp.jRows);
    cols.set(nlp.jCols);
    for (let i = 0; i < m; i++) {
      rows[nnz + i] = i;
      cols[nnz + i] = nx + i;
      rows[nnz + m + i] = i;
      cols[nnz + m + i] = nx + m + i;
    }
    return { rows, cols };
  }

  hessianStructure(): SparseStructure {
    const { nlp, nx, nnzH } = this;
    const rows = new Int32Array(nnzH + nx);
    const cols = new Int32Array(nnzH + nx);
    rows.set(nlp.hRows);
    cols.set(nlp.hCols);
    for (let j = 0; j < nx; j++) {
      rows[nnzH + j] = j;
      cols[nnzH + j] = j;
    }
    return { rows, cols };
  }

  evalF(x: Float64Array): number {
    const { nx, m, rho, zeta, dR2, xR } = this;
    let pen = 0;
    for (let k = nx; k < nx + 2 * m; k++) pen += x[k];
    let prox = 0;
    for (let j = 0; j < nx; j++) {
      const d = x[j] - xR[j];
      prox += dR2[j] * d * d;
    }
    return rho * pen + 0.5 * zeta * prox;
  }

  evalGradF(x: Float64Array, out: Float64Array): void {
    const { nx, m, rho, zeta, dR2, xR } = this;
    for (let j = 0; j < nx; j++) out[j] = zeta * dR2[j] * (x[j] - xR[j]);
    for (let k = nx; k < nx + 2 * m; k++) out[k] = rho;
  }

  evalG(x: Float64Array, out: Float64Array): void {
    const { nx, m } = this;
    this.nlp.evalG(x.subarray(0, nx), out);
    for (let i = 0; i < m; i++) out[i] += x[nx + m + i] - x[nx + i];
  }

  evalJacobian(x: Float64Array, out: Float64Array): void {
    const { nx, m } = this;
    const nnz = this.nlp.jRows.length;
    this.nlp.evalJacobian(x.subarray(0, nx), out.subarray(0, nnz));
    for (let i = 0; i < m; i++) {
      out[nnz + i] = -1;
      out[nnz + m + i] = 1;
    }
  }

  evalHessian(x: Float64Array, sigmaF: number, lambda: Float64Array, out: Float64Array): void {
    const { nx, nnzH, zeta, dR2 } = this;
    if (nnzH > 0) this.nlp.evalHessian(x.subarray(0, nx), 0, lambda, out.subarray(0, nnzH));
    for (let j = 0; j < nx; j++) out[nnzH + j] = sigmaF * zeta * dR2[j];
  }
}

const BOUND_MULT_RESET_THRESHOLD = 1000;
const KAPPA_RESTO = 0.9;
void KAPPA_RESTO; // the 0.9 factor is applied by the caller's `accept`

/** Run the restoration phase from `cur`; see the file comment. */
export function runRestoration(inp: RestorationInput): RestorationOutput {
  const { nlp, cur, trial, opts } = inp;
  const { n, m, nS, nw } = nlp;
  const rho = opts.restoPenalty;
  const muR = Math.max(inp.mu, cur.thetaInf);
  const prob = new RestorationProblem(nlp, cur.x, cur.c, rho, Math.sqrt(muR), muR);
  const nR = prob.n;
  // Warm start: z of x from the outer iterate (capped at ρ), z of p and n centred (μ/p, μ/n).
  const zL = new Float64Array(nR);
  const zU = new Float64Array(nR);
  for (let j = 0; j < n; j++) {
    zL[j] = Math.min(rho, cur.zL[j]);
    zU[j] = Math.min(rho, cur.zU[j]);
  }
  for (let k = n; k < nR; k++) zL[k] = muR / prob.x0[k];
  const innerOpts: ResolvedOptions = {
    ...opts,
    nlpScaling: 'none',
    boundRelaxFactor: 0,
    muInit: muR,
    boundPush: 1e-12,
    boundFrac: 1e-12,
    history: false,
    // the restoration problem has no period hint; its steps are W&B's global ones
    stepLengths: 'global',
  };
  const mapToOuter = (it: Iterate): void => {
    const w = it.w;
    for (let j = 0; j < n; j++) trial.w[j] = w[j];
    for (let k = 0; k < nS; k++) trial.w[n + k] = w[nR + k];
  };
  const outcome = inp.runIpm(
    prob,
    innerOpts,
    {
      onIteration: inp.hooks.onIteration,
      signal: inp.hooks.signal,
      now: inp.hooks.now,
      log: inp.hooks.log,
      warmStart: { x: prob.x0, lambda: new Float64Array(m), zL, zU },
    },
    {
      depth: 1,
      iterOffset: inp.iterOffset - 1,
      startMs: inp.startMs,
      acceptIterate: (it) => {
        mapToOuter(it);
        return trial.evalFunctions() && inp.accept(trial);
      },
    },
  );
  const r = outcome.result;
  const iterations = r.iterations - (inp.iterOffset - 1);
  const fin = outcome.final;
  if (outcome.stoppedByAccept) {
    // trial already holds w with functions evaluated; multipliers per the file comment.
    trial.lambda.fill(0);
    let zmax = 0;
    for (let j = 0; j < n; j++) zmax = Math.max(zmax, fin.zL[j], fin.zU[j]);
    for (let k = 0; k < nS; k++) zmax = Math.max(zmax, fin.zL[nR + k], fin.zU[nR + k]);
    const reset = zmax > BOUND_MULT_RESET_THRESHOLD;
    for (let j = 0; j < nw; j++) {
      const src = j < n ? j : nR + (j - n);
      trial.zL[j] = nlp.hasL[j] ? (reset ? 1 : fin.zL[src]) : 0;
      trial.zU[j] = nlp.hasU[j] ? (reset ? 1 : fin.zU[src]) : 0;
    }
    if (!trial.evalDerivatives()) {
      return {
        status: 'failed',
        finalStatus: 'restorationFailed',
        detail: 'The derivatives are not finite at the point found by the restoration phase.',
        iterations,
      };
    }
    return { status: 'returned', finalStatus: 'solved', detail: '', iterations };
  }
  if (r.status === 'solved' || r.status === 'acceptable') {
    // Converged to a stationary point of the ℓ1 infeasibility.
    mapToOuter(fin);
    if (trial.evalFunctions()) {
      let viol = 0;
      for (let i = 0; i < m; i++) viol = Math.max(viol, Math.abs(trial.c[i]) / nlp.conScale[i]);
      if (viol <= opts.constrViolTol) {
        trial.lambda.fill(0);
        for (let j = 0; j < nw; j++) {
          trial.zL[j] = nlp.hasL[j] ? 1 : 0;
          trial.zU[j] = nlp.hasU[j] ? 1 : 0;
        }
        if (trial.evalDerivatives())
          return { status: 'feasibleButRejected', finalStatus: 'solved', detail: '', iterations };
      }
      const useTrial = trial.evalDerivatives();
      return {
        status: 'failed',
        useTrial,
        finalStatus: 'infeasible',
        detail: `The restoration phase converged to a point of local infeasibility (max constraint violation ${viol.toExponential(3)} after ${r.iterations} iterations).`,
        iterations,
      };
    }
    return {
      status: 'failed',
      finalStatus: 'restorationFailed',
      detail: 'The restoration phase ended at a point where the problem functions are not finite.',
      iterations,
    };
  }
  const pass: SolveStatus[] = ['cancelled', 'maxTime', 'maxIterations'];
  if (pass.includes(r.status)) {
    return { status: 'failed', finalStatus: r.status, detail: `In the restoration phase: ${r.message}`, iterations };
  }
  return {
    status: 'failed',
    finalStatus: 'restorationFailed',
    detail: `The restoration phase failed: ${r.message}`,
    iterations,
  };
}
