/**
 * The 'opf3' area solver: one area of a three-phase feeder's distributed OPF (ENApp with
 * per-phase boundary values, docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase
 * boundary values"): the area's own three-phase multi-period OPF (opf3/model.ts, spec (U1)–(U16)
 * of docs/spec/unbalanced-opf.md) on its network (opf3-split.ts), solved once per round with the
 * latest boundary values of its neighbours, through the area hooks of opf3/network.ts:
 *
 *   child area (root = boundary bus b):  V_bk^t given (the parent's), b's nodes its source nodes,
 *                                         pinned by equality rows (pinSources), elastic: each
 *                                         part may move by σ⁺ − σ⁻ (σ± ≥ 0) at an ℓ1 weight
 *                                         (pinSlackWeight), so a child is feasible at any given
 *                                         voltage; the run checks the slack is gone at the end
 *   parent area (b free):                 the child's power S_bk^t = P + jQ drawn at b's node k,
 *                                         a constant-power load (U3) per node
 *
 *   objective of area a = its own terms (cost: the substation's energy in area 1 only; loss: its
 *                         own elements' losses; α battery terms; soft SOC penalties)
 *                       + Σ_t Σ_k (πP_k^t P_bk^t + πQ_k^t Q_bk^t)      child: price of its draw,
 *                                         S_bk = V_bk conj(I_bk) (sourcePowerPrice)
 *                       + Σ_children Σ_t Σ_k (πe_k^t e_bk^t + πf_k^t f_bk^t)  parent: price of V_b
 *
 * and it reports (Lagrangian L = f + λᵀg, nlp/types.ts):
 *   parent → child   (πP, πQ) = −(λ of the boundary load's power rows (U3) at node k, t): the
 *                    parent's marginal objective per pu of P, Q drawn there
 *   child  → parent  (πe, πf) = −(λ of the pin rows of node k, t) = ∂(the child's Lagrangian)/∂(e, f)_bk^t
 * — all of the child's terms in V_b included: its admittances out of b, series elements, current
 * limits, losses and its priced draw (the pin rows' multipliers are exactly that derivative). At a
 * fixed point the areas' KKT conditions together are the centralized ones, so the merged solution
 * is the centralized optimum. Why powers and not currents up: a current and its price are tied to
 * the angle of V_b, which moves with the parent's solution; exchanged so, an angle change of δ
 * turned the energy price into a reactive price of π_P·sin δ for the child, whose reactive dispatch
 * answers strongly — IEEE 13, 2 areas: no convergence in 30 rounds; powers and their prices do not
 * depend on the angle reference (as the balanced exchange's P, Q).
 *
 * Published coordination (no prices): the child prices its draw's active power at the energy price
 * (spec (U7) at its source nodes, the papers' import at the energy price; nothing with the loss
 * objective) and the parent adds nothing.
 *
 * Warm start from round 2 on as the balanced 'opf' area (opf-area.ts): the previous x, λ, zL, zU
 * with a tiny μ₀ and an iteration budget, then from the central path, then cold. The model is
 * rebuilt every round (its structure does not change, so the solver's KKT pattern and symbolic
 * factorization are kept in a workspace). The loads' voltage regions are decided inside the solve
 * (U5c) as in the centralized solve; the region rounds (U5b) of `solveThreePhaseOpf` are not run
 * per area — a region left loose is reported by the caller's validation.
 */
import { createSolverWorkspace, solveNlp, type SolveOptions, type SolveResult } from '../nlp/index';
import { buildOpf3Model, type Opf3Model } from '../opf3/model';
import type { Opf3AreaHooks, Opf3Network } from '../opf3/network';
import { diagnoseOpf3, extractPeriods, OPF3_NLP_DEFAULTS, type Opf3Period } from '../opf3/solve';
import { RETRY_OPTIONS, WARM_ITER_LIMIT_MIN, WARM_START_OPTIONS, WARM_TINY_MU_BUDGET } from './opf-area';
import {
  AreaInfeasibleError,
  type AreaInputs,
  type AreaOutputs,
  type AreaSolver,
  type AreaStats,
  type PhasePower,
  type PhaseVoltage,
} from './protocol';
import type { DrawSensitivity, PhasePowerWithSensitivity, PhaseVoltageWithDraw } from './phase-exchange';
import { sourceCurrents } from './opf3-currents';

export { sourceCurrents };
import { drawSensitivity, kktAtSolution } from './opf3-sensitivity';

export interface Opf3AreaSpec {
  /** The area's network (opf3-split.ts), without hooks; a child's source nodes are its root bus's exchanged nodes. */
  readonly net: Opf3Network;
  /** Each child boundary: its id (coordinator numbering) and the area's free nodes of that child's source nodes, in order. */
  readonly childBoundaries: readonly { readonly boundary: number; readonly nodes: Int32Array }[];
  /** Interior-point options on top of OPF3_NLP_DEFAULTS. */
  readonly nlp?: SolveOptions;
  /**
   * Child area: the ℓ1 weight of its root voltage's slack (Opf3AreaHooks.pinSlackWeight), in the
   * objective's units per pu; default ELASTIC_ROOT_FACTOR × rootSlackScale(net); 0 pins the root
   * voltage exactly (an area may then be infeasible at the voltage it is given).
   */
  readonly pinSlackWeight?: number;
  /**
   * Exact coordination: a child reports its draw's sensitivity to its root voltage
   * (opf3-sensitivity.ts) with its draw, and a parent given one models that child's draw as the
   * linearised load S0 + J (V − V0) around the child's last solve, its voltage price adjusted by −Jᵀπ_S
   * (phase-exchange.ts DrawSensitivity). Default false.
   */
  readonly drawSensitivity?: boolean;
  /**
   * Exact coordination, child area: the proximal term's weight over the objective's value of one
   * pu of power in the period (proxWeight): the child adds ρ_t/2 |I − Ī|² per root node and
   * period, Ī the current of the boundary's exchanged draw S̄ at the given voltage (conj(S̄/V));
   * zero at the coordinator's fixed point, where the child draws S̄. Default 0 (none).
   */
  readonly proxFactor?: number;
  /** The same for the draw's reactive power (default proxFactor). */
  readonly proxFactorQ?: number;
  /**
   * Exact coordination, parent area: the proximal term's weight on its child boundaries' voltages
   * over proxWeight's scale: ρ_t/2 |V − V̄|² per exchanged node and period, V̄ the boundary's
   * exchanged voltage. Default 0 (none).
   */
  readonly voltageProxFactor?: number;
  /**
   * Exact coordination, parent area: report with each child's prices its curvature in the draw,
   * ∂π_P/∂P and ∂π_Q/∂Q per node and period, from its KKT matrix at its optimum (the sensitivity of
   * the boundary load rows' multipliers to their right-hand sides, opf3-sensitivity.ts
   * kktAtSolution). A child given them uses them × curvatureFactor as its proximal weights (in
   * place of proxFactor's): the weight that makes the child's step a Newton step on the price loop.
   */
  readonly priceCurvature?: boolean;
  /** Child area: its proximal weights = this × the parent's curvature (default 1). */
  readonly curvatureFactor?: number;
}

/** The proximal term's weight of period t (Opf3AreaSpec.proxFactor): factor × the objective's value of one pu of power for one period then (at least 1e-3 of the largest, so that the term's structure is the same in every period and round). */
export function proxWeight(net: Opf3Network, factor: number, t: number): number {
  const perPu = net.study.dtH * net.baseKva;
  if (net.study.objective !== 'cost') return factor * perPu;
  let p = 0;
  for (const v of net.priceUsdPerKwh) p = Math.max(p, Math.abs(v));
  return factor * perPu * Math.max(Math.abs(net.priceUsdPerKwh[t]!), 1e-3 * p, p > 0 ? 0 : 1);
}

/**
 * The elastic root's weight over the objective's value of one pu of power for one period
 * (rootSlackScale). The pin rows' multipliers are the child's marginal objective per pu of its root
 * voltage — its draw's price times its current, plus its limits' — so below the weight the slack is
 * zero; it moves only where the given voltage is one the child cannot hold (measured, IEEE 123 cut
 * 13–152, 18–135, 97–197, round 1 at T = 4 and 24: |λ| of the feasible children's pin rows up to
 * 0.48 of the scale, 200 times below the weight).
 */
export const ELASTIC_ROOT_FACTOR = 100;

/** The objective's value of one pu of power for one period: the largest energy price (cost) or the base (loss). */
export function rootSlackScale(net: Opf3Network): number {
  const perPu = net.study.dtH * net.baseKva;
  if (net.study.objective !== 'cost') return perPu;
  let p = 0;
  for (const v of net.priceUsdPerKwh) p = Math.max(p, Math.abs(v));
  return perPu * (p > 0 ? p : 1);
}

/** The root voltage's largest slack of a child area's solution, pu (0 without elastic pins). */
export function rootSlackPu(model: Opf3Model, x: Float64Array): number {
  let m = 0;
  for (const j of model.ix.pinSlack) m = Math.max(m, Math.hypot(x[j]! - x[j + 1]!, x[j + 2]! - x[j + 3]!));
  return m;
}

/** What the area returns for merging. */
export interface Opf3AreaSolution {
  readonly status: string;
  /** Per period, the area's free nodes' |V| and angle and its units' dispatch (opf3/solve.ts extractPeriods). */
  readonly periods: Opf3Period[];
  /** The area's own objective: the NLP's less the exchange prices' terms and the root slack's penalty. */
  readonly ownObjective: number;
  /** Child area: the largest |V − given| of its root voltage, pu (the elastic pins' slack; 0 when pinned exactly). */
  readonly rootSlackPu: number;
  /** Child area: the root voltage it used, [t·nSlack + s] (the given one + the slack), pu. */
  readonly rootV?: { readonly re: Float64Array; readonly im: Float64Array };
}

/** The area's network with this round's boundary inputs as its hooks (see the file comment). */
export function withPhaseInputs(spec: Opf3AreaSpec, inputs: AreaInputs): Opf3Network {
  const net = spec.net;
  const T = net.periods;
  const hooks: { -readonly [K in keyof Opf3AreaHooks]: Opf3AreaHooks[K] } = {};
  let slackRe = net.slackRe;
  let slackIm = net.slackIm;
  if (net.nSlack > 0) {
    const rp = inputs.rootPhase;
    if (!rp) throw new Error(`area ${net.name}: no per-phase root voltages in its inputs`);
    checkLength(rp, net.nSlack, T, 'root voltages');
    slackRe = Float64Array.from(rp.vRe);
    slackIm = Float64Array.from(rp.vIm);
    hooks.pinSources = true;
    const w = spec.pinSlackWeight ?? ELASTIC_ROOT_FACTOR * rootSlackScale(net);
    if (w > 0) hooks.pinSlackWeight = w;
    if (rp.priceP && rp.priceQ)
      hooks.sourcePowerPrice = { p: Float64Array.from(rp.priceP), q: Float64Array.from(rp.priceQ) };
    // The proximal term on the draw, centred at the exchanged draw, linear in the current at the given voltage.
    const draw = rp as PhaseVoltageWithDraw;
    const kP = spec.proxFactor ?? 0;
    const kQ = spec.proxFactorQ ?? kP;
    const curv = spec.curvatureFactor !== undefined && draw.curvP && draw.curvQ ? spec.curvatureFactor : 0;
    if ((kP > 0 || kQ > 0 || curv > 0) && draw.drawP && draw.drawQ) {
      const n = net.nSlack;
      if (draw.drawP.length !== T * n || draw.drawQ.length !== T * n)
        throw new Error(`area ${net.name}: the exchanged draw has ${draw.drawP.length} values, expected ${T * n}`);
      // the parent's curvature (never below 1e-6 of the scale: the term's structure stays the same)
      const floor = (j: number) => proxWeight(net, 1e-6, Math.floor(j / n));
      const at = (j: number, f: number, c: readonly number[] | undefined) =>
        curv > 0 ? Math.max(curv * c![j]!, floor(j)) : proxWeight(net, f, Math.floor(j / n));
      hooks.sourceCurrentProx = {
        e: slackRe,
        f: slackIm,
        weightP: Float64Array.from({ length: T * n }, (_, j) => at(j, kP, draw.curvP)),
        weightQ: Float64Array.from({ length: T * n }, (_, j) => at(j, kQ, draw.curvQ)),
        p: Float64Array.from(draw.drawP),
        q: Float64Array.from(draw.drawQ),
      };
    }
  }
  const loads = [...net.loads];
  const loadVoltageTerms: NonNullable<Opf3AreaHooks['loadVoltageTerms']>[number][] = [];
  if (spec.childBoundaries.length > 0) {
    const nodes = Int32Array.from(spec.childBoundaries.flatMap((c) => [...c.nodes]));
    const K = nodes.length;
    const pe = new Float64Array(T * K);
    const pf = new Float64Array(T * K);
    let off = 0;
    for (const c of spec.childBoundaries) {
      const cl = inputs.childLoads.find((l) => l.boundary === c.boundary)?.phase as
        PhasePowerWithSensitivity | undefined;
      if (!cl) throw new Error(`area ${net.name}: no per-phase draw of boundary ${c.boundary} in its inputs`);
      const n = c.nodes.length;
      checkLength(cl, n, T, `draw of boundary ${c.boundary}`);
      // The child's draw linearised where it last solved (spec.drawSensitivity):
      // S(V) = S0 + J (V − V0), J per period 2n × 2n; its price of V_b adjusted by −Jᵀπ_S.
      const sens = spec.drawSensitivity ? cl.sens : undefined;
      if (sens && (sens.dS.length !== T * 4 * n * n || sens.v0Re.length !== T * n))
        throw new Error(`area ${net.name}: the draw sensitivity of boundary ${c.boundary} has the wrong size`);
      const rowOf = (t: number, r: number) =>
        sens!.dS.slice(t * 4 * n * n + r * 2 * n, t * 4 * n * n + (r + 1) * 2 * n);
      const shift = (t: number, r: number): number => {
        let s = 0;
        rowOf(t, r).forEach((a, jb) => {
          const j = jb >> 1;
          s += a * (jb & 1 ? sens!.v0Im[t * n + j]! : sens!.v0Re[t * n + j]!);
        });
        return s;
      };
      // The child's draw at each node: a constant-power load (U3) of this area (never exactly
      // zero, so that the model's structure — its device current — is the same every round).
      for (let k = 0; k < n; k++) {
        const pPu = Float64Array.from({ length: T }, (_, t) =>
          sens ? sens.p0[t * n + k]! - shift(t, 2 * k) : cl.p[t * n + k]!,
        );
        const qPu = Float64Array.from({ length: T }, (_, t) =>
          sens ? sens.q0[t * n + k]! - shift(t, 2 * k + 1) : cl.q[t * n + k]!,
        );
        if (sens)
          loadVoltageTerms.push({
            load: boundaryLoadName(c.boundary, k),
            nodes: c.nodes,
            p: Float64Array.from({ length: T * 2 * n }, (_, i) => rowOf(Math.floor(i / (2 * n)), 2 * k)[i % (2 * n)]!),
            q: Float64Array.from(
              { length: T * 2 * n },
              (_, i) => rowOf(Math.floor(i / (2 * n)), 2 * k + 1)[i % (2 * n)]!,
            ),
          });
        for (let t = 0; t < T; t++) if (pPu[t] === 0 && qPu[t] === 0) pPu[t] = 1e-12;
        loads.push({
          name: boundaryLoadName(c.boundary, k),
          a: c.nodes[k]!,
          b: -1,
          rho: 1,
          pPu,
          qPu,
          vnPu: 1,
          zip: [0, 0, 1, 0, 0, 1],
        });
      }
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < n; k++) {
          if (cl.priceVRe && cl.priceVIm) {
            pe[t * K + off + k] = cl.priceVRe[t * n + k]! + (sens ? sens.adjVRe[t * n + k]! : 0);
            pf[t * K + off + k] = cl.priceVIm[t * n + k]! + (sens ? sens.adjVIm[t * n + k]! : 0);
          }
        }
      }
      off += n;
    }
    // Always present (zero without prices), so that the model's structure is the same every round.
    hooks.voltagePrice = { nodes, e: pe, f: pf };
    if ((spec.voltageProxFactor ?? 0) > 0) {
      const e0 = new Float64Array(T * K);
      const f0 = new Float64Array(T * K);
      const weight = new Float64Array(T * K);
      let at = 0;
      for (const c of spec.childBoundaries) {
        const cl = inputs.childLoads.find((l) => l.boundary === c.boundary)!.phase as PhasePowerWithSensitivity;
        const n = c.nodes.length;
        for (let t = 0; t < T; t++)
          for (let k = 0; k < n; k++) {
            weight[t * K + at + k] = proxWeight(net, spec.voltageProxFactor!, t);
            e0[t * K + at + k] = cl.vRe?.[t * n + k] ?? net.v0Re[t * net.nFree + c.nodes[k]!]!;
            f0[t * K + at + k] = cl.vIm?.[t * n + k] ?? net.v0Im[t * net.nFree + c.nodes[k]!]!;
          }
        at += n;
      }
      hooks.voltageProx = { nodes, weight, e: e0, f: f0 };
    }
    if (loadVoltageTerms.length > 0) hooks.loadVoltageTerms = loadVoltageTerms;
  }
  return { ...net, slackRe, slackIm, loads, area: hooks };
}

/** The parent's load standing for child boundary `boundary`'s draw at its k-th exchanged node. */
export const boundaryLoadName = (boundary: number, k: number): string => `enapp-boundary-${boundary}-node-${k + 1}`;

function checkLength(p: PhaseVoltage | PhasePower, nodes: number, T: number, what: string): void {
  const arrays = 'vRe' in p ? [p.vRe, p.vIm] : [p.p, p.q];
  if (p.nodes !== nodes || arrays.some((a) => a.length !== nodes * T))
    throw new Error(
      `${what}: expected ${nodes} nodes × ${T} periods, got ${p.nodes} nodes and ${arrays[0]!.length} values`,
    );
}

/**
 * Interior-point tolerance of an area without the Vsource (a child area). The centralized
 * three-phase solve's 1e-10 (OPF3_NLP_DEFAULTS) is for an objective the solver scales by ~1e-5
 * (the Norton source's gradient); a child's objective (its priced draw) is scaled by ~0.1, and its
 * dual infeasibility stalled at 8.7e-10 (IEEE 13, area below 632–670, T = 6: 'acceptable' after 26
 * iterations, the last 10 wasted; at 1e-9 'solved' in 16, the same objective to 5e-10).
 */
export const CHILD_AREA_TOL = 1e-9;

export function createOpf3Area(specIn: unknown): AreaSolver {
  const spec = specIn as Opf3AreaSpec;
  const T = spec.net.periods;
  const nSlack = spec.net.nSlack;
  const workspace = createSolverWorkspace();
  let previous: SolveResult | null = null;
  let coldIterations = 0;
  /** Row index by name (the model's structure, and so its rows, are the same every round). */
  let rowIndex: Map<string, number> | null = null;
  return {
    solve(inputs, round, hooks) {
      const t0 = Date.now();
      const net = withPhaseInputs(spec, inputs);
      const model = buildOpf3Model(net);
      const base: SolveOptions = { ...OPF3_NLP_DEFAULTS, ...(nSlack > 0 ? { tol: CHILD_AREA_TOL } : {}), ...spec.nlp };
      const run = (warm: SolveResult | null, options: SolveOptions) =>
        solveNlp(
          model.problem,
          { ...base, ...options },
          {
            workspace,
            ...(hooks.signal ? { signal: hooks.signal } : {}),
            onIteration: (rec) => hooks.onProgress?.(rec.iter, rec.objective, rec.infPr),
            ...(warm ? { warmStart: { x: warm.x, lambda: warm.lambda, zL: warm.zL, zU: warm.zU } } : {}),
          },
        );
      const isOptimal = (r: SolveResult) => r.status === 'solved' || r.status === 'acceptable';
      // Warm start (opf-area.ts): tiny μ with a budget, then from the central path, then cold.
      const warmIterLimit = Math.max(WARM_ITER_LIMIT_MIN, Math.ceil(1.5 * coldIterations));
      const attempts: [SolveResult | null, SolveOptions][] = previous
        ? [
            [previous, { maxIter: WARM_TINY_MU_BUDGET, ...WARM_START_OPTIONS }],
            [previous, { maxIter: warmIterLimit, ...RETRY_OPTIONS }],
            [null, {}],
          ]
        : [[null, {}]];
      let nlp: SolveResult | null = null;
      let iterations = 0;
      for (const [warm, options] of attempts) {
        nlp = run(warm, options);
        iterations += nlp.iterations;
        if (isOptimal(nlp) || nlp.status === 'cancelled' || nlp.status === 'infeasible') break;
      }
      const r = nlp!;
      if (!previous) coldIterations = r.iterations;
      if (r.status === 'cancelled') throw new Error('cancelled');
      if (r.status === 'infeasible') {
        const binding = diagnoseOpf3(model, r);
        throw new AreaInfeasibleError(`${r.message} Binding: ${binding}.`, binding);
      }
      if (!isOptimal(r)) throw new Error(`area OPF not optimal in round ${round}: ${r.status} — ${r.message}`);
      previous = r;
      const x = r.x;
      const lam = r.lambda;
      const { ix } = model;
      const nFree = net.nFree;
      rowIndex ??= new Map(model.problem.conNames!.map((name, i) => [name, i]));
      const loadRow = (boundary: number, k: number, t: number, kind: 'active' | 'reactive'): number => {
        const name = `load ${boundaryLoadName(boundary, k)} ${kind} power, hour ${net.hourOfPeriod[t]}`;
        const i = rowIndex!.get(name);
        if (i === undefined) throw new Error(`internal: no row "${name}"`);
        return i;
      };

      // Exchange-price terms of the objective, to report the area's own objective.
      let priceTerms = 0;
      let rootPhase: AreaOutputs['rootPhase'];
      if (nSlack > 0) {
        // S = V conj(I) per source node: P = e Ir + f Ii, Q = f Ir − e Ii
        const cur = sourceCurrents(model, x);
        const sp = net.area?.sourcePowerPrice;
        const pS = new Array<number>(T * nSlack);
        const qS = new Array<number>(T * nSlack);
        for (let t = 0; t < T; t++) {
          const w = net.study.objective === 'cost' ? net.priceUsdPerKwh[t]! * net.study.dtH * net.baseKva : 0;
          for (let s = 0; s < nSlack; s++) {
            const k = t * nSlack + s;
            const e = x[ix.pinVar[k]!]!;
            const f = x[ix.pinVar[k]! + 1]!;
            pS[k] = e * cur.re[k]! + f * cur.im[k]!;
            qS[k] = f * cur.re[k]! - e * cur.im[k]!;
            priceTerms += (sp ? sp.p[k]! : w) * pS[k]! + (sp ? sp.q[k]! : 0) * qS[k]!;
          }
        }
        const px = net.area?.sourceCurrentProx;
        if (px)
          for (let k = 0; k < T * nSlack; k++) {
            const pl = px.e[k]! * cur.re[k]! + px.f[k]! * cur.im[k]!;
            const ql = px.f[k]! * cur.re[k]! - px.e[k]! * cur.im[k]!;
            priceTerms += 0.5 * (px.weightP[k]! * (pl - px.p[k]!) ** 2 + px.weightQ[k]! * (ql - px.q[k]!) ** 2);
          }
        const ws = net.area?.pinSlackWeight ?? 0;
        for (const j of ix.pinSlack) priceTerms += ws * (x[j]! + x[j + 1]! + x[j + 2]! + x[j + 3]!);
        let sens: DrawSensitivity | undefined;
        if (spec.drawSensitivity && sp) {
          try {
            const { dS } = drawSensitivity(model, r);
            const n = nSlack;
            const adjVRe = new Array<number>(T * n).fill(0);
            const adjVIm = new Array<number>(T * n).fill(0);
            for (let t = 0; t < T; t++)
              for (let k = 0; k < n; k++)
                for (let j = 0; j < n; j++) {
                  const at = (a: number, b: number) => dS[t * 4 * n * n + (2 * k + a) * 2 * n + 2 * j + b]!;
                  const pp = sp.p[t * n + k]!;
                  const pq = sp.q[t * n + k]!;
                  adjVRe[t * n + j]! -= pp * at(0, 0) + pq * at(1, 0);
                  adjVIm[t * n + j]! -= pp * at(0, 1) + pq * at(1, 1);
                }
            sens = {
              v0Re: Array.from({ length: T * n }, (_, k) => x[ix.pinVar[k]!]!),
              v0Im: Array.from({ length: T * n }, (_, k) => x[ix.pinVar[k]! + 1]!),
              p0: pS,
              q0: qS,
              dS: Array.from(dS),
              adjVRe,
              adjVIm,
            };
          } catch {
            // no sensitivity this round (a singular KKT matrix): the parent keeps a constant draw
            sens = undefined;
          }
        }
        const side: PhasePowerWithSensitivity = {
          nodes: nSlack,
          p: pS,
          q: qS,
          priceVRe: Array.from({ length: T * nSlack }, (_, k) => -lam[ix.pinRow[k]!]!),
          priceVIm: Array.from({ length: T * nSlack }, (_, k) => -lam[ix.pinRow[k]! + 1]!),
          ...(sens ? { sens } : {}),
        };
        rootPhase = side;
      }
      const vx = net.area?.voltageProx;
      if (vx) {
        const K = vx.nodes.length;
        for (let t = 0; t < T; t++)
          for (let j = 0; j < K; j++) {
            const e = ix.e[t * nFree + vx.nodes[j]!]!;
            const at = t * K + j;
            priceTerms += 0.5 * vx.weight[at]! * ((x[e]! - vx.e[at]!) ** 2 + (x[e + 1]! - vx.f[at]!) ** 2);
          }
      }
      const vp = net.area?.voltagePrice;
      if (vp) {
        const K = vp.nodes.length;
        for (let t = 0; t < T; t++)
          for (let j = 0; j < K; j++) {
            const e = ix.e[t * nFree + vp.nodes[j]!]!;
            priceTerms += vp.e[t * K + j]! * x[e]! + vp.f[t * K + j]! * x[e + 1]!;
          }
      }
      // The parent's curvature in each child's draw (spec.priceCurvature): −dλ/d(rhs) of the boundary load rows.
      let kkt: ReturnType<typeof kktAtSolution> | null = null;
      if (spec.priceCurvature && spec.childBoundaries.length > 0) {
        try {
          kkt = kktAtSolution(model.problem, r);
        } catch {
          kkt = null; // no curvature this round (a singular KKT matrix): the children keep their last
        }
      }
      const nVar = model.problem.n;
      const curvOf = (row: number): number => {
        try {
          return -kkt!.solveRow(row)[nVar + row]!;
        } catch {
          return NaN;
        }
      };
      const childVSq = spec.childBoundaries.map((c) => {
        const n = c.nodes.length;
        const curvP = kkt
          ? Array.from({ length: T * n }, (_, j) => curvOf(loadRow(c.boundary, j % n, Math.floor(j / n), 'active')))
          : undefined;
        const curvQ = kkt
          ? Array.from({ length: T * n }, (_, j) => curvOf(loadRow(c.boundary, j % n, Math.floor(j / n), 'reactive')))
          : undefined;
        const curvOk = curvP && curvQ && [...curvP, ...curvQ].every(Number.isFinite);
        const at = (t: number, k: number) => ix.e[t * nFree + c.nodes[k]!]!;
        const phase: PhaseVoltageWithDraw = {
          nodes: n,
          vRe: Array.from({ length: T * n }, (_, j) => x[at(Math.floor(j / n), j % n)]!),
          vIm: Array.from({ length: T * n }, (_, j) => x[at(Math.floor(j / n), j % n) + 1]!),
          // −λ of the boundary load's power rows (U3): the marginal objective per pu of P, Q drawn
          priceP: Array.from(
            { length: T * n },
            (_, j) => -lam[loadRow(c.boundary, j % n, Math.floor(j / n), 'active')]!,
          ),
          priceQ: Array.from(
            { length: T * n },
            (_, j) => -lam[loadRow(c.boundary, j % n, Math.floor(j / n), 'reactive')]!,
          ),
          ...(curvOk ? { curvP, curvQ } : {}),
        };
        return { boundary: c.boundary, vSqPu: [], phase };
      });
      const stats: AreaStats = {
        status: r.status,
        iterations,
        seconds: (Date.now() - t0) / 1000,
        objective: r.objective,
      };
      const solution: Opf3AreaSolution = {
        status: r.status,
        periods: extractPeriods(model, x),
        ownObjective: r.objective - priceTerms,
        rootSlackPu: rootSlackPu(model, x),
        ...(nSlack > 0
          ? {
              rootV: {
                re: Float64Array.from(ix.pinVar, (j) => x[j]!),
                im: Float64Array.from(ix.pinVar, (j) => x[j + 1]!),
              },
            }
          : {}),
      };
      return { outputs: { ...(rootPhase ? { rootPhase } : {}), childVSq }, stats, solution };
    },
  };
}
