/**
 * The barrier-parameter (μ) strategy of the interior-point loop, W&B 2006 §2.1 and Ipopt's
 * MonotoneMuUpdate / AdaptiveMuUpdate, over the formulas of barrier.ts. It owns μ and τ; the loop
 * asks it once per iteration (`update`, the step "updateBarrierParameter") and reads `mu`, `tau`.
 *
 * Monotone: while the barrier problem for μ is solved to κ_ε μ (or after a tiny step), decrease μ
 * by eq. (7) down to the floor min(tol, compl_inf_tol)/(κ_ε + 1) — no barrier problem is solved
 * more finely than the termination test can see — and reset the filter after each decrease.
 *
 * Adaptive: LOQO's μ in free mode; monotone mode with μ = 0.8·(average complementarity) when a
 * step does not reduce the KKT error enough; back to free mode when it does (barrier.ts).
 */
import { fractionToBoundaryTau, KktErrorReferences, loqoMu, monotoneMuDecrease } from './barrier';
import { optimalityErrorAtMu, type OptimalityError } from './convergence';
import type { Iterate } from './iterate';
import type { ResolvedOptions } from './options';

/** What the strategy reads from (and tells) the loop at one iteration. */
export interface MuUpdateContext {
  /** The current iterate. */
  readonly cur: Iterate;
  /** The loop's iteration count (0 at the first iteration). */
  readonly iter: number;
  /** The optimality error at μ = 0 of `cur` (computed by checkConvergence). */
  readonly err0: OptimalityError;
  /** Scratch for the optimality error at the current μ. */
  readonly err: OptimalityError;
  /** The last step was tiny (W&B §3.9): a decrease of μ is due. */
  readonly tinyStep: boolean;
  /** The strategy used the tiny-step signal. */
  consumeTinyStep(): void;
  /** The barrier problem changed: the filter starts over. */
  clearFilter(): void;
  log(level: number, text: string): void;
}

/** Average and smallest complementarity product z·(w − bound) over the bounded components. */
export function averageComplementarity(it: Iterate): { avg: number; min: number } {
  const { nw, wL, wU, hasL, hasU } = it.nlp;
  let sum = 0;
  let min = Infinity;
  let cnt = 0;
  for (let j = 0; j < nw; j++) {
    if (hasL[j]) {
      const c = it.zL[j] * (it.w[j] - wL[j]);
      sum += c;
      if (c < min) min = c;
      cnt++;
    }
    if (hasU[j]) {
      const c = it.zU[j] * (wU[j] - it.w[j]);
      sum += c;
      if (c < min) min = c;
      cnt++;
    }
  }
  return cnt > 0 ? { avg: sum / cnt, min } : { avg: 0, min: 0 };
}

export class MuStrategy {
  private muValue: number;
  private tauValue: number;
  // adaptive μ
  private freeMode = true;
  private muMax = 1e5;
  private readonly kktRefs = new KktErrorReferences();

  constructor(private readonly o: ResolvedOptions) {
    this.muValue = o.muInit;
    this.tauValue = fractionToBoundaryTau(this.muValue, o.tauMin);
  }

  get mu(): number {
    return this.muValue;
  }

  get tau(): number {
    return this.tauValue;
  }

  /** At the initial point: μ_max of the adaptive strategy (Ipopt mu_max_fact·average complementarity). */
  start(initial: Iterate): void {
    const avg = averageComplementarity(initial).avg;
    this.muMax = avg > 0 ? 1000 * avg : 1e5;
  }

  update(ctx: MuUpdateContext): void {
    if (this.o.muStrategy === 'adaptive') this.updateAdaptive(ctx);
    else this.updateMonotone(ctx);
  }

  private set(mu: number): void {
    this.muValue = mu;
    this.tauValue = fractionToBoundaryTau(mu, this.o.tauMin);
  }

  private updateMonotone(ctx: MuUpdateContext): void {
    const { o } = this;
    let tiny = ctx.tinyStep;
    for (;;) {
      optimalityErrorAtMu(ctx.cur, this.muValue, ctx.err0, ctx.err);
      const solvedSub = ctx.err.error <= o.kappaEps * this.muValue;
      if (!solvedSub && !tiny) break;
      // Floor as in Ipopt's monotone update: min(tol, compl_inf_tol)/(κ_ε + 1) (W&B eq. 7: ε_tol/10).
      const next = monotoneMuDecrease(
        this.muValue,
        o.kappaMu,
        o.thetaMu,
        Math.max(o.muMin, Math.min(o.tol, o.complInfTol) / (o.kappaEps + 1)),
      );
      if (tiny) ctx.consumeTinyStep();
      tiny = false;
      if (next === this.muValue) break;
      this.set(next);
      ctx.clearFilter();
    }
  }

  private updateAdaptive(ctx: MuUpdateContext): void {
    const { o } = this;
    const e0 = ctx.err0.error;
    const { avg, min } = averageComplementarity(ctx.cur);
    const muMin = Math.min(o.muMin, o.tol / 10);
    if (this.freeMode) {
      if (ctx.iter > 0 && !this.kktRefs.sufficientProgress(e0)) {
        this.freeMode = false;
        this.set(Math.max(muMin, Math.min(this.muMax, 0.8 * avg)));
        ctx.log(
          2,
          `adaptive μ: insufficient progress, switching to monotone mode with μ = ${this.muValue.toExponential(2)}`,
        );
      } else {
        this.kktRefs.add(e0);
        const mu = Math.max(muMin, Math.min(this.muMax, loqoMu(avg, min)));
        this.set(mu > 0 ? mu : muMin);
      }
      ctx.clearFilter();
      return;
    }
    if (this.kktRefs.sufficientProgress(e0)) {
      this.freeMode = true;
      this.kktRefs.clear();
      this.kktRefs.add(e0);
      this.set(Math.max(muMin, Math.min(this.muMax, loqoMu(avg, min))));
      ctx.clearFilter();
      return;
    }
    optimalityErrorAtMu(ctx.cur, this.muValue, ctx.err0, ctx.err);
    if (ctx.err.error <= o.kappaEps * this.muValue || ctx.tinyStep) {
      if (ctx.tinyStep) ctx.consumeTinyStep();
      this.set(monotoneMuDecrease(this.muValue, o.kappaMu, o.thetaMu, muMin));
      ctx.clearFilter();
    }
  }
}
