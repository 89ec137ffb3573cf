/**
 * The 'opf' area solver of the distributed multi-period OPF (ENApp, spec "Spatial decomposition";
 * the decomposition and its prices are explained in distributed.ts): one area's own multi-period
 * branch-flow OPF (opf/model.ts, all of spec (1)–(12)) on its sub-feeder, solved once per round
 * with the latest boundary values of its neighbours.
 *
 *   child area (root = boundary bus b):  v_b^t fixed (from the parent)             → spec (3), (4) at the root
 *   parent area (leaf b per child):      p_L,b^t = P_b^t, q_L,b^t = Q_b^t (child)  → spec (1), (2) at b
 *
 *   objective of area a =  own terms (cost: Σ C^t P_subs^t Δt in the substation area only; loss:
 *                          Σ r l over its own branches; α battery terms; soft SOC penalty)
 *                        + Σ_t (π_P^t P_root^t + π_Q^t Q_root^t)      child: price of its import
 *                        + Σ_children Σ_t π_v^t v_b^t                  parent: price of a boundary voltage
 *
 * and it reports, besides the values, the prices its neighbours need (Lagrangian L = f + λᵀg,
 * so a multiplier is the derivative of the optimum with respect to the row's constant):
 *   parent → child   π_P^t = λ(spec (1) at b, t),   π_Q^t = λ(spec (2) at b, t)
 *   child  → parent  π_v^t = ∂L/∂v_root^t = Σ_{root branches e} ( −λ(spec (3), e, t) + λ(spec (4), e, t) · l_e^t ).
 *
 * Structure once: the area's network (tree, loads, devices, shapes) is built once; a round only
 * swaps the root voltage and the boundary loads (a copy of two arrays) and rebuilds the NLP
 * callbacks over them (linear in the area's size, milliseconds), then overwrites the price
 * coefficients of the linear objective in place. The NLP structure never changes, so the solver
 * keeps its KKT pattern and symbolic LDLᵀ in a workspace (nlp/workspace.ts) across rounds: a
 * round costs only iterations (IEEE 123 area 4, T = 24: setup 0.3–0.5 s → 4 ms).
 * Warm start: from round 2 on, the previous round's x, λ, zL, zU — at a tiny μ (WARM_START_OPTIONS)
 * or centred on the central path — with iteration budgets and a fallback (WarmStartPolicy).
 */
import type { Feeder } from '../model/feeder';
import { createSolverWorkspace, solveNlp, type NlpProblem, type SolveOptions, type SolveResult } from '../nlp/index';
import { buildModel, type OpfModel } from '../opf/model';
import { buildNetwork, type OpfNetwork } from '../opf/network';
import { diagnose, OPF_NLP_DEFAULTS } from '../opf/solve';
import type { Study } from '../opf/study';
import {
  AreaInfeasibleError,
  type AreaAttempt,
  type AreaInputs,
  type AreaOutputs,
  type AreaSolver,
  type AreaStats,
} from './protocol';

export interface OpfAreaSpec {
  /** The area's sub-feeder: its own buses plus its children's boundary buses (device-free leaves); substation = the area's root. */
  readonly feeder: Feeder;
  readonly study: Study;
  /** True for the area holding the real substation (its root import is the feeder's, priced by the objective itself). */
  readonly substationArea: boolean;
  /** Each child boundary: its id (coordinator numbering) and bus name. */
  readonly childBoundaries: readonly { readonly boundary: number; readonly bus: string }[];
  /** Interior-point options on top of OPF_NLP_DEFAULTS. */
  readonly nlp?: SolveOptions;
  /** Warm-start options used from round 2 on. Default WARM_START_OPTIONS. */
  readonly warmNlp?: SolveOptions;
  /**
   * Inexact rounds (see `inexactTolerance`): solve to a tolerance that follows how far this
   * area's inputs moved since its last round. Default false (every round to the full tolerance).
   */
  readonly inexact?: boolean;
  /** Warm-start rules from round 2 on (defaults: the constants below). */
  readonly warmPolicy?: WarmStartPolicy;
}

/**
 * How an area restarts its interior point from the previous round's solution (see `solve`):
 *   - a tiny-μ start (WARM_START_OPTIONS) with a budget of `tinyBudget` iterations (optionally
 *     abandoned early when it does not contract: `abandonAfter`, `abandonRatio`), then a
 *     central-path start, then a cold one — a round must not fail where a cold solve succeeds;
 *   - a central-path start at once in round 2 (the prices jump from the starting guess to the
 *     neighbours' multipliers) and whenever the inputs moved by at least `tinyRetryFraction` ×
 *     the input change at which the area's last tiny-μ start failed (then a cold one).
 * Why: a tiny-μ start either lands in a few iterations or crawls along the bounds with its error
 * flat until the budget is gone (2,560-bus feeder, 8 areas, rounds 3–9: 14 of 21 tiny starts ran
 * out of 15 iterations, each then solved again from the central path: 27–32 iterations), and the
 * size of the input change does not tell which (failures at 5.7e-4 pu, successes at 5.4e-3). So
 * an area that has seen one fail stays on the central path until its inputs settle well below
 * that change (before: only the next round). The central-path start used to keep the previous x
 * but push it 1e-2 into its bounds at μ_0 = 1e-3 (RETRY_OPTIONS: 13–22 iterations whatever the
 * change); centred on the previous solution (`centred`) at μ_0 from the change it takes 9–15.
 * Measured in-process (Σ over rounds of the largest area iteration count, same rounds):
 * IEEE 123, 4 areas, cost T = 24: 157 before, 142 with the retry rule, 126 with the centred
 * start too (scale 1: 134; LOQO adaptive μ in the warm starts: 160; tiny budget 6: 147; abandoned
 * at iteration 4 unless the error halved: 141); 2,560 buses (20 copies of IEEE 123), 8 areas,
 * T = 24, cost: 512 → 326 iterations, critical path 23.9 → 16.2 CPU s (27 → 30 rounds).
 */
export interface WarmStartPolicy {
  /** Iteration budget of a tiny-μ start. Default WARM_TINY_MU_BUDGET. */
  readonly tinyBudget?: number;
  /** Default TINY_RETRY_FRACTION. */
  readonly tinyRetryFraction?: number;
  /** At this iteration of a tiny-μ start, abandon it when its error max(inf_pr, inf_du) is above abandonRatio × its error at iteration 0. Default: never. */
  readonly abandonAfter?: number;
  readonly abandonRatio?: number;
  /**
   * The central-path start: 'push' (RETRY_OPTIONS: μ_0 = 1e-3, the solver's default bound push
   * of 1e-2) or 'centred' (the previous solution moved onto the central path of μ_0 by `centred`,
   * bound push 1e-12, μ_0 = centralMuScale × (input change)² within [centralMuMin, 1e-3]). Default 'centred'.
   */
  readonly central?: 'push' | 'centred';
  readonly centralMuScale?: number;
  readonly centralMuMin?: number;
  /** Barrier-parameter strategy of the warm starts (nlp options muStrategy). Default the solver's ('monotone'). */
  readonly muStrategy?: 'monotone' | 'adaptive';
}

/** The area's solution for merging: its x in its own model's layout (rebuild the area network to read it). */
export interface OpfAreaSolution {
  readonly x: Float64Array;
  readonly status: string;
  readonly objective: number;
}

/**
 * Warm start from the previous round (Ipopt's warm_start_init_point with warm_start_bound_push =
 * warm_start_bound_frac = 1e-9 and a small μ_0): the previous x, λ, zL, zU are kept as they are.
 * IEEE 123 area 4 of 4, T = 24, cost, a later round: 2–10 iterations (μ_0 = 1e-6 with push 1e-6:
 * 8–25). Tolerances as the centralized solve's (OPF_NLP_DEFAULTS tol 1e-8), constraint
 * violation 1e-8 pu: looser area tolerances (1e-6/1e-7) save iterations but move the weakly
 * determined reactive totals by up to 2e-3 relative, which the 1e-3 target cannot afford.
 */
export const WARM_START_OPTIONS: SolveOptions = { muInit: 1e-9, boundPush: 1e-9, boundFrac: 1e-9, constrViolTol: 1e-8 };

/** Retry of a warm start that used up its budget: same point, μ_0 back on the central path. */
export const RETRY_OPTIONS: SolveOptions = { muInit: 1e-3 };

/** Smallest iteration budget of a warm start from the central path (the budget is 1.5 × the area's cold iteration count). */
export const WARM_ITER_LIMIT_MIN = 15;

/**
 * Iteration budget of the tiny-μ warm start (WARM_START_OPTIONS). It either lands in a few
 * iterations (IEEE 123, 4 areas: 2–15) or crawls along the bounds until the budget is gone and
 * the round is solved again from the central path; that crawl cost the cold iteration count
 * before (10,240 buses, 8 areas: 31–36 iterations burnt, 57–65 per such round in all).
 * Measured on IEEE 123, 4 areas, T = 24, cost, inexact rounds (Σ over rounds of the slowest
 * area's iterations): budget = cold count (21) 161, 15 157; 10 (full-tolerance rounds) was worse
 * than 21 over the first 8 rounds (areas that land in 11–21 iterations were cut off and solved twice).
 */
export const WARM_TINY_MU_BUDGET = 15;

/**
 * The previous solution moved onto the central path of barrier parameter μ: every bound whose
 * complementarity product z·s is below μ gets z·s = μ — an active bound (z ≥ s) by moving x off
 * it to s = μ/z with z kept, an inactive one (z < s) by raising z to μ/s with x kept. Products
 * above μ are left (the interior point lowers them).
 */
export function centred(
  prev: SolveResult,
  bounds: { readonly xL: Float64Array; readonly xU: Float64Array },
  mu: number,
): SolveResult {
  const x = prev.x.slice();
  const zL = prev.zL.slice();
  const zU = prev.zU.slice();
  const { xL, xU } = bounds;
  for (let j = 0; j < x.length; j++) {
    const lo = xL[j]!;
    const hi = xU[j]!;
    const room = Number.isFinite(lo) && Number.isFinite(hi) ? (hi - lo) / 2 : Infinity;
    if (Number.isFinite(lo)) {
      const s = Math.max(x[j]! - lo, 0);
      if (zL[j]! * s < mu) {
        if (zL[j]! >= s) x[j] = lo + Math.min(mu / zL[j]!, room);
        else zL[j] = mu / Math.max(s, 1e-300);
      }
    }
    if (Number.isFinite(hi)) {
      const s = Math.max(hi - x[j]!, 0);
      if (zU[j]! * s < mu) {
        if (zU[j]! >= s) x[j] = hi - Math.min(mu / zU[j]!, room);
        else zU[j] = mu / Math.max(s, 1e-300);
      }
    }
  }
  return { ...prev, x, zL, zU };
}

/**
 * Inexact rounds: the area's interior-point tolerance (and constraint-violation tolerance) for a
 * round whose inputs moved by `inputChangePu` (largest change of root |v| or a boundary P, Q since
 * the area's last round; Infinity in round 1): INEXACT_FACTOR × the change, within [the full
 * tolerance, INEXACT_TOL_MAX]. While the boundary values still move by 1e-2 pu, an answer to 1e-8
 * is wasted work — the next round changes the question; as the exchange settles the tolerance
 * tightens, and a round whose inputs moved less than full / INEXACT_FACTOR (1e-4 pu at the
 * default 1e-8: the exact mode's stopping step) is solved to the full tolerance, so the round the
 * coordinator stops at is as exact as before.
 */
export const INEXACT_FACTOR = 1e-4;
export const INEXACT_TOL_MAX = 1e-6;
export function inexactTolerance(full: number, inputChangePu: number): number {
  return Math.min(Math.max(full, INEXACT_TOL_MAX), Math.max(full, INEXACT_FACTOR * inputChangePu));
}

/** Largest change between two rounds' inputs: root |v| (from v²) and every boundary P, Q, pu. */
export function inputChange(prev: AreaInputs | null, next: AreaInputs): number {
  if (!prev) return Infinity;
  let d = 0;
  const diff = (u: readonly number[] | undefined, w: readonly number[] | undefined, f: (v: number) => number) => {
    if (!u || !w) return;
    for (let t = 0; t < u.length; t++) d = Math.max(d, Math.abs(f(u[t]!) - f(w[t]!)));
  };
  const id = (v: number) => v;
  diff(next.rootVSqPu, prev.rootVSqPu, (v) => Math.sqrt(Math.max(v, 0)));
  next.childLoads.forEach((c) => {
    const o = prev.childLoads.find((x) => x.boundary === c.boundary);
    diff(c.pPu, o?.pPu, id);
    diff(c.qPu, o?.qPu, id);
  });
  return d;
}

/** The same network with new per-period root voltage and boundary loads (structure shared). */
export function withBoundaryInputs(
  net0: OpfNetwork,
  boundaryBus: ReadonlyMap<number, number>,
  inputs: AreaInputs,
): OpfNetwork {
  const T = net0.periods;
  const nBus = net0.nBus;
  const pLoadPu = net0.pLoadPu.slice();
  const qLoadPu = net0.qLoadPu.slice();
  for (const cl of inputs.childLoads) {
    const b = boundaryBus.get(cl.boundary);
    if (b === undefined) throw new Error(`boundary ${cl.boundary} is not a child boundary of this area`);
    for (let t = 0; t < T; t++) {
      pLoadPu[t * nBus + b]! += cl.pPu[t]!;
      qLoadPu[t * nBus + b]! += cl.qPu[t]!;
    }
  }
  const vRootSqPu = inputs.rootVSqPu ? Float64Array.from(inputs.rootVSqPu.slice(0, T)) : net0.vRootSqPu;
  for (let t = 0; t < T; t++) if (!(vRootSqPu[t]! > 0)) throw new Error(`root voltage of period ${t + 1} must be > 0`);
  return { ...net0, pLoadPu, qLoadPu, vRootSqPu };
}

/**
 * After a tiny-μ start failed at input change d, the area tries one again only once its inputs
 * move by less than this × d; before, it starts from the central path at once.
 */
export const TINY_RETRY_FRACTION = 0.5;

const isOptimal = (r: SolveResult) => r.status === 'solved' || r.status === 'acceptable';

/**
 * The early-abandon test of a tiny-μ start (WarmStartPolicy): called with each iteration's
 * infPr, infDu; true = stop it. Null when the policy never abandons.
 */
function abandonWatch(policy: WarmStartPolicy): ((iter: number, infPr: number, infDu: number) => boolean) | null {
  const after = policy.abandonAfter;
  if (after === undefined) return null;
  const ratio = policy.abandonRatio ?? 1;
  let e0 = NaN;
  return (iter, infPr, infDu) => {
    const e = Math.max(infPr, infDu);
    if (iter === 0) e0 = e;
    return iter === after && e > ratio * e0;
  };
}

export function createOpfArea(specIn: unknown): AreaSolver {
  const spec = specIn as OpfAreaSpec;
  const net0 = buildNetwork(spec.feeder, spec.study);
  const T = net0.periods;
  const boundaryBus = new Map<number, number>();
  for (const c of spec.childBoundaries) {
    const b = net0.busIndex.get(c.bus);
    if (b === undefined || b === 0) throw new Error(`child boundary bus ${c.bus} is not a leaf of this area`);
    boundaryBus.set(c.boundary, b);
  }
  const rootBranches = Array.from(net0.childList.subarray(net0.childStart[0]!, net0.childStart[1]!));
  let previous: SolveResult | null = null;
  /** Iterations of the area's cold solve (round 1): the budget of a warm start. */
  let coldIterations = 0;
  /** The input change of the last round whose tiny-μ warm start failed (Infinity: none has). */
  let tinyFailedAt = Infinity;
  const policy: WarmStartPolicy = spec.warmPolicy ?? {};
  /** The inputs of the area's last round (inexact rounds: how far they moved). */
  let lastInputs: AreaInputs | null = null;
  // The area's NLP structure never changes between rounds: its KKT pattern and symbolic LDLᵀ are built once.
  const workspace = createSolverWorkspace();
  /** The model built in the area's first round, the network it was built from, and the root voltage array its closures read. */
  let kept: { model: OpfModel; built: OpfNetwork; builtVRoot: Float64Array; vRootLive: Float64Array } | null = null;

  return {
    solve(inputs, round, hooks) {
      const t0 = Date.now();
      const net = withBoundaryInputs(net0, boundaryBus, inputs);
      /**
       * The kept model (built in the area's first round) for this round's inputs: the root
       * voltage array its closures read is overwritten in place, and the constants of the rows
       * that hold a round input — the KVL rows of the root branches (−v_root^t) and the balance
       * rows at each child boundary bus (the child's P, Q) — are moved by their change since the
       * build, added after the kept evaluation. The rest of the model (structure, coefficients,
       * bounds) does not depend on the inputs. Saves a model build per round (10,240-bus feeder,
       * 8 areas: 0.27 s per area and round, as long as two interior-point iterations).
       */
      const reboundary = (x0: Float64Array): OpfModel => {
        if (!kept) throw new Error('no kept model');
        const { model: km, built, builtVRoot, vRootLive } = kept;
        vRootLive.set(net.vRootSqPu.subarray(0, T));
        const rows: number[] = [];
        const delta: number[] = [];
        const move = (row: number, d: number) => {
          if (d !== 0) {
            rows.push(row);
            delta.push(d);
          }
        };
        for (let t = 0; t < T; t++) {
          for (const e of rootBranches) move(km.ix.kvl(e, t), -(net.vRootSqPu[t]! - builtVRoot[t]!));
          for (const b of boundaryBus.values()) {
            const k = t * net.nBus + b;
            move(km.ix.realBalance(b - 1, t), net.pLoadPu[k]! - built.pLoadPu[k]!);
            move(km.ix.reactiveBalance(b - 1, t), net.qLoadPu[k]! - built.qLoadPu[k]!);
          }
        }
        const base = km.problem;
        const problem: NlpProblem = {
          ...base,
          x0,
          evalG(x, out) {
            base.evalG(x, out);
            for (let i = 0; i < rows.length; i++) out[rows[i]!]! += delta[i]!;
          },
        };
        return { ...km, net, problem };
      };
      const fullTol = spec.nlp?.tol ?? OPF_NLP_DEFAULTS.tol!;
      const change = inputChange(lastInputs, inputs);
      const tol = spec.inexact ? inexactTolerance(fullTol, change) : fullTol;
      lastInputs = inputs;
      // Constraint violation in step with the tolerance (never looser than it, never tighter than set).
      const inexactOptions: SolveOptions =
        tol > fullTol
          ? { tol, constrViolTol: Math.max(tol, spec.nlp?.constrViolTol ?? OPF_NLP_DEFAULTS.constrViolTol!) }
          : {};
      // The area's model with this round's inputs and prices (see the file comment): the kept
      // model with its boundary constants moved (`reboundary`), or a new one for a cold start;
      // prices written in place into the coefficients of the linear objective that the closures read.
      const priced = (x0: Float64Array | undefined) => {
        const m = x0 ? reboundary(x0) : buildModel(net, x0);
        const { ix, objectiveLinear: c } = m;
        if (!spec.substationArea) {
          for (let t = 0; t < T; t++) {
            for (const e of rootBranches) {
              c[ix.P(e, t)] = inputs.rootPrice ? inputs.rootPrice.pPerPu[t]! : 0;
              c[ix.Q(e, t)] = inputs.rootPrice ? inputs.rootPrice.qPerPu[t]! : 0;
            }
          }
        }
        for (const cl of inputs.childLoads) {
          if (!cl.vPricePerPu) continue;
          const b = boundaryBus.get(cl.boundary)!;
          for (let t = 0; t < T; t++) c[ix.v(b, t)] = cl.vPricePerPu[t]!;
        }
        return m;
      };
      const attempts: AreaAttempt[] = [];
      /** One interior-point start; `abandon` (tiny-μ starts) may stop it early when it does not contract. */
      const run = (kind: AreaAttempt['start'], options: SolveOptions, centreMu?: number) => {
        const warm0 = kind === 'cold' ? null : previous;
        const m = priced(warm0 ? warm0.x.slice() : undefined);
        const warm = warm0 && centreMu !== undefined ? centred(warm0, m.problem, centreMu) : warm0;
        const watch = kind === 'tiny' ? abandonWatch(policy) : null;
        let abandoned = false;
        const r = solveNlp(
          m.problem,
          {
            ...OPF_NLP_DEFAULTS,
            ...spec.nlp,
            ...options,
            ...inexactOptions,
            ...(kind !== 'cold' && policy.muStrategy ? { muStrategy: policy.muStrategy } : {}),
          },
          {
            workspace,
            ...(hooks.signal ? { signal: hooks.signal } : {}),
            onIteration: (rec) => {
              hooks.onProgress?.(rec.iter, rec.objective, rec.infPr, { infDu: rec.infDu, lgMu: rec.lgMu });
              if (watch && watch(rec.iter, rec.infPr, rec.infDu)) {
                abandoned = true;
                return false;
              }
              return undefined;
            },
            ...(warm ? { warmStart: { x: warm.x, lambda: warm.lambda, zL: warm.zL, zU: warm.zU } } : {}),
          },
        );
        attempts.push({ start: kind, iterations: r.iterations, ok: isOptimal(r), ...(abandoned ? { abandoned } : {}) });
        return { model: m, nlp: r, abandoned };
      };
      // Which starts, in order (see WarmStartPolicy): a later one runs only when the one before
      // ended without an optimum (not on a cancel); a round must not fail where a cold solve succeeds.
      // 1.5 × the cold count bounds a central-path start: with inexact rounds the cold count is that
      // of a loose solve (10,240 buses, 8 areas: 20–22 instead of 31–36), and a central-path start
      // that needs a few more iterations than that (round 2: 26–29 at full tolerance) must not be
      // thrown away for a cold one.
      const warmIterLimit = Math.max(WARM_ITER_LIMIT_MIN, Math.ceil(1.5 * coldIterations));
      // The coordinator's μ hint (exact mode): restart centred at that μ, whatever the round.
      const hint = previous !== null ? hooks.muHint : undefined;
      const tinyBudget = policy.tinyBudget ?? WARM_TINY_MU_BUDGET;
      const retryFraction = policy.tinyRetryFraction ?? TINY_RETRY_FRACTION;
      type Start = { kind: AreaAttempt['start']; options: SolveOptions; centreMu?: number };
      const cold: Start = { kind: 'cold', options: {} };
      /** A central-path start; `fromChange`: its μ_0 from the input change (policy 'centred'), else RETRY_OPTIONS' μ_0. */
      const centralStart = (maxIter: number | undefined, fromChange: boolean): Start => {
        const limit = maxIter !== undefined ? { maxIter } : {};
        if (policy.central === 'push') return { kind: 'central', options: { ...limit, ...RETRY_OPTIONS } };
        const muMax = RETRY_OPTIONS.muInit!;
        const mu = fromChange
          ? Math.min(muMax, Math.max(policy.centralMuMin ?? 1e-8, (policy.centralMuScale ?? 100) * change * change))
          : muMax;
        return {
          kind: 'central',
          options: { ...limit, muInit: mu, boundPush: 1e-12, boundFrac: 1e-12 },
          centreMu: mu,
        };
      };
      const tinyStart: Start = {
        kind: 'tiny',
        options: { maxIter: tinyBudget, ...(spec.warmNlp ?? WARM_START_OPTIONS) },
      };
      let plan: Start[];
      if (!previous) plan = [cold];
      else if (hint !== undefined)
        plan = [
          {
            kind: 'hint',
            options: { maxIter: warmIterLimit, muInit: hint, boundPush: 1e-12, boundFrac: 1e-12, constrViolTol: 1e-8 },
            centreMu: hint,
          },
          { kind: 'central', options: RETRY_OPTIONS },
          cold,
        ];
      // Round 2 (the prices jump from the starting guess to the neighbours' multipliers) and a
      // round whose inputs moved about as much as when a tiny-μ start last ran out: the central path at once.
      else if (round === 2 || change >= retryFraction * tinyFailedAt)
        plan = [centralStart(warmIterLimit, round > 2), cold];
      else plan = [tinyStart, centralStart(undefined, false), cold];
      let outcome = run(plan[0]!.kind, plan[0]!.options, plan[0]!.centreMu);
      for (const next of plan.slice(1)) {
        if (isOptimal(outcome.nlp) || (outcome.nlp.status === 'cancelled' && !outcome.abandoned)) break;
        outcome = run(next.kind, next.options, next.centreMu);
      }
      const tiny = attempts.find((a) => a.start === 'tiny');
      if (tiny && !tiny.ok) tinyFailedAt = change;
      const { model, nlp } = outcome;
      const iterations = attempts.reduce((s, a) => s + a.iterations, 0);
      if (!previous) coldIterations = nlp.iterations;
      // Keep the first round's model for the later rounds (`reboundary`): its own arrays, so the
      // root voltage its closures read can be overwritten without touching this round's network.
      if (!kept) kept = { model, built: net, builtVRoot: net.vRootSqPu.slice(), vRootLive: net.vRootSqPu };
      const { ix } = model;
      if (nlp.status === 'cancelled') throw new Error('cancelled');
      if (nlp.status === 'infeasible') {
        // The area's own problem has no solution for its inputs: name the limit (bus, hour), like the centralized solve.
        const binding = diagnose(net, model.ix, model.problem, nlp);
        throw new AreaInfeasibleError(`${nlp.message} Binding: ${binding}.`, binding);
      }
      if (!isOptimal(nlp)) throw new Error(`area OPF not optimal in round ${round}: ${nlp.status} — ${nlp.message}`);
      previous = nlp;
      const x = nlp.x;
      const lam = nlp.lambda;

      // Child side: the power entering the area at its root and the price of the root voltage.
      let rootPQ: AreaOutputs['rootPQ'];
      if (!spec.substationArea) {
        const pPu: number[] = [];
        const qPu: number[] = [];
        const vPricePerPu: number[] = [];
        for (let t = 0; t < T; t++) {
          let p = net.rootLoadPPu[t]!;
          let q = net.rootLoadQPu[t]!;
          let mu = 0;
          for (const e of rootBranches) {
            p += x[ix.P(e, t)]!;
            q += x[ix.Q(e, t)]!;
            mu += -lam[ix.kvl(e, t)]! + lam[ix.branchPower(e, t)]! * x[ix.l(e, t)]!;
          }
          pPu.push(p);
          qPu.push(q);
          vPricePerPu.push(mu);
        }
        rootPQ = { pPu, qPu, vPricePerPu };
      }
      // Parent side: each boundary bus's voltage and the price of power drawn there.
      const childVSq = spec.childBoundaries.map((cb) => {
        const b = boundaryBus.get(cb.boundary)!;
        const e = b - 1; // the branch into bus b
        return {
          boundary: cb.boundary,
          vSqPu: Array.from({ length: T }, (_, t) => x[ix.v(b, t)]!),
          pPricePerPu: Array.from({ length: T }, (_, t) => lam[ix.realBalance(e, t)]!),
          qPricePerPu: Array.from({ length: T }, (_, t) => lam[ix.reactiveBalance(e, t)]!),
        };
      });
      const stats: AreaStats = {
        status: nlp.status,
        iterations,
        seconds: (Date.now() - t0) / 1000,
        objective: nlp.objective,
        ...(tol > fullTol ? { tolerance: tol } : {}),
        attempts,
        inputChangePu: change,
      };
      const solution: OpfAreaSolution = { x: x.slice(), status: nlp.status, objective: nlp.objective };
      return { outputs: { ...(rootPQ ? { rootPQ } : {}), childVSq }, stats, solution };
    },
  };
}
