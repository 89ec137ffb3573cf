/**
 * The spatially distributed multi-period OPF (spec "Spatial decomposition"; ENApp — Sadnan &
 * Dubey, "Distributed optimization using reduced network equivalents for radial power
 * distribution systems", IEEE Trans. Power Systems 36(4), 2021): the feeder is cut into areas
 * (enapp/partition.ts), each area solves its own multi-period OPF in its own process
 * (enapp/opf-area.ts), and the coordinator (enapp/coordinator.ts) exchanges boundary values
 * until they stop changing. The areas' solutions are merged into the centralized result shape
 * (opf/results.ts) and validated by the AC power flow like a centralized solve.
 *
 * Formulation (why the distributed optimum equals the centralized one). Cut the feeder at the
 * boundary bus b between a parent area (which keeps b as a leaf) and a child area (rooted at b).
 * The centralized KKT conditions couple the two sides through
 *   - the balance rows (1), (2) at b, which contain the child's root flows P_b, Q_b, and
 *   - the child's KVL (3) and branch-power (4) rows of the branches leaving b, which contain v_b.
 * Exchanging only values (v down, P and Q up) and letting each area minimise only its own terms
 * — the papers' scheme — reaches a point where each area is optimal for the other's values, but
 * not the centralized optimum: the child ignores what its import costs the parent in losses
 * (its PV and battery reactive power would support only its own voltages), the parent ignores
 * what its boundary voltage does to the child's losses. Totals then differ by far more than
 * 1e-3 relative (PV reactive energy first). So the areas also exchange the two multipliers that
 * make the coupling terms of the KKT conditions appear in each area's own problem
 * (Lagrangian L = f + λᵀg, so a multiplier is the marginal objective per unit of its row's
 * constant):
 *   parent → child: π_P^t = λ(1)_b^t, π_Q^t = λ(2)_b^t — the parent's marginal objective per pu of
 *     load at b; the child adds Σ_t π_P^t P_root^t + π_Q^t Q_root^t to its objective;
 *   child → parent: π_v^t = Σ_{e leaving b} (−λ(3)_e^t + λ(4)_e^t l_e^t) — the child's marginal
 *     objective per unit of v_b^t; the parent adds Σ_t π_v^t v_b^t.
 * At a fixed point (values and prices unchanged) the areas' KKT conditions together are exactly
 * the centralized ones, so the merged solution is the centralized optimum (to solver tolerance
 * and the round tolerance). Objective split: 'cost' Σ C^t P_subs^t Δt lives only in the
 * substation area (a child's import is priced by π_P, which starts at C^t Δt — the papers'
 * choice — and becomes C^t Δt (1 + marginal losses upstream)); 'loss' Σ r l is split by branch
 * (each area its own, the cut branch in the parent), π starting at 0; α terms and soft SOC
 * penalties go with their battery's area.
 *
 * Round 1 starts from a DistFlow power flow of the whole feeder without controls (opf/init.ts
 * sweep), so boundary v, P, Q are already close.
 *
 * What "converged at tolerance ε" means (decision). The coordinator stops when the largest
 * boundary change of a round is below its tolerance; that bounds the last STEP, not the distance
 * to the fixed point. The rounds contract linearly, Δ_{k+1} ≈ ρ Δ_k, with ρ ≈ 0.8 measured on
 * IEEE 123 (4 areas, T = 5…24) for the cost objective and up to ≈ 0.9 for the damped loss
 * objective, whose change also dips for a round now and then (a period-3 wobble). The distance
 * left is ≈ Σ_{j≥1} ρ^j Δ_k = ρ/(1−ρ) Δ_k, i.e. 4–9 Δ_k. Stopping at Δ_k < ε = 1e-3 pu left the
 * weakly determined reactive totals (the optimum is flat in Q: it only moves losses) 1.4e-3
 * relative from the centralized ones (T = 24, cost). So solveDistributed treats the user's ε as a
 * bound on that estimated distance and runs the coordinator to ε / BOUNDARY_ERROR_MARGIN
 * (= ε/10). Measured at ε = 1e-3 pu (rounds stop below 1e-4 pu), largest relative difference of
 * the compared totals: T = 5 loss 2.3e-4, T = 12 loss 2.9e-5, T = 24 cost 3.5e-5; with ε/4
 * instead, all six of T = 5, 12, 24 × cost, loss were within 1e-3 but T = 5 loss only just
 * (9.6e-4, battery net energy), hence 10. Cost: T = 24 cost 21 → ~35 rounds (each later round is
 * 2–10 warm iterations per area). The prices are not in the test: they are functions of the
 * values (each area's multipliers at its optimum) and settle with them. A rule that needs two
 * rounds running below ε would guard the dips directly; it belongs in coordinator.ts.
 *
 * Exact mode since Anderson acceleration (coordination 'exact', see Coordination below): the
 * accelerated rounds are no longer a linear contraction, so the ρ/(1−ρ) estimate no longer
 * applies; what a converged run guarantees is stated instead as consistency: in the last round
 * every boundary value the areas returned is within ε/10 pu of the value they were given (both
 * sides of each boundary agree to that; each area is optimal for those inputs) and every price
 * within PRICE_TEST_FRACTION·ε relative — prices are what the battery and reactive totals answer
 * to, and without that test a run stopped with values settled and prices not (see
 * PRICE_TEST_FRACTION). The totals' remaining error is measured against the centralized solve
 * wherever one is given (CLI, bench: `comparison`), not estimated.
 */
import type { Feeder } from '../model/feeder';
import type { SolveOptions } from '../nlp/index';
import { createIndexMap } from '../opf/index-map';
import { sweepPeriod } from '../opf/init';
import { buildModel } from '../opf/model';
import { buildNetwork, type OpfNetwork } from '../opf/network';
import { extractResults, type OpfResults, type OpfTotals } from '../opf/results';
import { describeDefaults, type Study } from '../opf/study';
import { validateWithPowerFlow } from '../opf/validate';
import {
  runEnapp,
  type BoundaryState,
  type EnappArea,
  type EnappBoundary,
  type EnappHooks,
  type EnappOptions,
  type EnappResult,
} from './coordinator';
import type { OpfAreaSolution, OpfAreaSpec, WarmStartPolicy } from './opf-area';
import { checkPartition, type CutBranch, type PartitionCheck } from './partition';
import type { SpawnArea } from './protocol';

export interface DistributedPlan {
  readonly check: PartitionCheck;
  readonly areas: EnappArea[];
  readonly boundaries: EnappBoundary[];
  /** Round 1's boundary values (DistFlow power flow without controls) and starting prices. */
  readonly initial: BoundaryState[];
  /** The whole feeder's network (for merging and the initial values). */
  readonly net: OpfNetwork;
}

export interface DistributedBuildOptions {
  /** Interior-point options of every area's solve. */
  readonly nlp?: SolveOptions;
  /** Interior-point options of the warm-started solves from round 2 on. */
  readonly warmNlp?: SolveOptions;
  /** Inexact rounds in the areas (opf-area.ts inexactTolerance). */
  readonly inexact?: boolean;
  /** The areas' warm-start rules (opf-area.ts WarmStartPolicy); default its constants. */
  readonly warmPolicy?: WarmStartPolicy;
}

/** Thrown for cuts that do not make a valid partition (the message lists every reason). */
export class PartitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionError';
  }
}

/** The sub-feeder of an area: its buses, the branches between them, the devices on them; rooted at `rootBus`. */
export function areaFeeder(
  feeder: Feeder,
  id: number,
  rootBus: string,
  buses: readonly string[],
  childBoundaryBuses: ReadonlySet<string>,
): Feeder {
  const own = new Set(buses);
  const devicesAt = (bus: string): boolean =>
    own.has(bus) && !childBoundaryBuses.has(bus) && (bus === feeder.substation.bus || bus !== rootBus);
  return {
    name: `${feeder.name} area ${id}`,
    baseKva: feeder.baseKva,
    substation: { bus: rootBus, vSetPu: feeder.substation.vSetPu },
    buses: feeder.buses.filter((b) => own.has(b.name)),
    branches: feeder.branches.filter((br) => own.has(br.from) && own.has(br.to)),
    loads: feeder.loads.filter((d) => devicesAt(d.bus)),
    capacitors: feeder.capacitors.filter((d) => devicesAt(d.bus)),
    pv: feeder.pv.filter((d) => devicesAt(d.bus)),
    batteries: feeder.batteries.filter((d) => devicesAt(d.bus)),
    shapes: feeder.shapes,
  };
}

/** Areas (kind 'opf'), boundaries and round 1's boundary values for a cut set. */
export function buildAreaProblems(
  feeder: Feeder,
  study: Study,
  cuts: readonly CutBranch[],
  options: DistributedBuildOptions = {},
): DistributedPlan {
  const net = buildNetwork(feeder, study);
  const T = net.periods;
  const check = checkPartition(feeder, cuts, T);
  if (!check.ok) throw new PartitionError(`invalid areas: ${check.errors.join('; ')}`);
  const boundaries: EnappBoundary[] = check.areas
    .filter((a) => a.parentArea !== null)
    .sort((a, b) => a.id - b.id)
    .map((a, i) => ({ id: i + 1, parentArea: a.parentArea!, childArea: a.id, bus: a.rootBus }));
  const areas: EnappArea[] = [...check.areas]
    .sort((a, b) => a.id - b.id)
    .map((a) => {
      const kids = boundaries.filter((b) => b.parentArea === a.id);
      const spec: OpfAreaSpec = {
        feeder: areaFeeder(feeder, a.id, a.rootBus, a.buses, new Set(kids.map((k) => k.bus))),
        study,
        substationArea: a.parentArea === null,
        childBoundaries: kids.map((k) => ({ boundary: k.id, bus: k.bus })),
        ...(options.nlp ? { nlp: options.nlp } : {}),
        ...(options.warmNlp ? { warmNlp: options.warmNlp } : {}),
        ...(options.inexact !== undefined ? { inexact: options.inexact } : {}),
        ...(options.warmPolicy ? { warmPolicy: options.warmPolicy } : {}),
      };
      return { id: a.id, name: `${a.id} (root ${a.rootBus})`, parent: a.parentArea, kind: 'opf', spec };
    });

  // Round 1: the no-control DistFlow power flow of the whole feeder (the OPF's own starting point).
  const idle = { qD: new Float64Array(net.nPv), pBat: new Float64Array(net.nBat), qB: new Float64Array(net.nBat) };
  const sweeps = Array.from({ length: T }, (_, t) => sweepPeriod(net, t, idle));
  const initial: BoundaryState[] = boundaries.map((b) => {
    const g = net.busIndex.get(b.bus)!;
    const kids = Array.from(net.childList.subarray(net.childStart[g]!, net.childStart[g + 1]!));
    const sumKids = (a: Float64Array) => kids.reduce((s, e) => s + a[e]!, 0);
    return {
      vSqPu: sweeps.map((s) => s.v[g]!),
      pPu: sweeps.map((s) => sumKids(s.P)),
      qPu: sweeps.map((s) => sumKids(s.Q)),
      // Starting prices: the papers' (a child's import at the energy price; no loss sensitivities).
      pricePPerPu: Array.from({ length: T }, (_, t) =>
        net.study.objective === 'cost' ? net.priceUsdPerKwh[t]! * net.study.dtH * net.baseKva : 0,
      ),
      priceQPerPu: new Array<number>(T).fill(0),
      priceVPerPu: new Array<number>(T).fill(0),
    };
  });
  return { check, areas, boundaries, initial, net };
}

const indexMapOf = (n: OpfNetwork) =>
  createIndexMap(
    n.periods,
    n.nBus - 1,
    n.nPv,
    n.nBat,
    n.study.batteryLimit === 'disk',
    n.study.terminalSoc === 'equal',
  );

/** Merge the areas' solutions into one x of the whole feeder's model (each non-root bus is owned by one area). */
export function mergeAreaSolutions(
  plan: DistributedPlan,
  solutions: readonly (OpfAreaSolution | null)[],
): { x: Float64Array; missing: number[] } {
  const net = plan.net;
  const T = net.periods;
  const gix = indexMapOf(net);
  const x = new Float64Array(gix.n);
  const missing: number[] = [];
  const pvIndex = new Map(net.pvNames.map((n, k) => [n, k]));
  const batIndex = new Map(net.batNames.map((n, k) => [n, k]));
  plan.areas.forEach((a, i) => {
    const sol = solutions[i];
    if (!sol) {
      missing.push(a.id);
      return;
    }
    const spec = a.spec as OpfAreaSpec;
    const an = buildNetwork(spec.feeder, spec.study);
    const aix = indexMapOf(an);
    for (let t = 0; t < T; t++) {
      for (let b = 1; b < an.nBus; b++) {
        const g = net.busIndex.get(an.busNames[b]!)!;
        x[gix.P(g - 1, t)] = sol.x[aix.P(b - 1, t)]!;
        x[gix.Q(g - 1, t)] = sol.x[aix.Q(b - 1, t)]!;
        x[gix.l(g - 1, t)] = sol.x[aix.l(b - 1, t)]!;
        x[gix.v(g, t)] = sol.x[aix.v(b, t)]!;
      }
      an.pvNames.forEach((name, k) => (x[gix.qD(pvIndex.get(name)!, t)] = sol.x[aix.qD(k, t)]!));
      an.batNames.forEach((name, k) => {
        const gk = batIndex.get(name)!;
        x[gix.Pc(gk, t)] = sol.x[aix.Pc(k, t)]!;
        x[gix.Pd(gk, t)] = sol.x[aix.Pd(k, t)]!;
        x[gix.qB(gk, t)] = sol.x[aix.qB(k, t)]!;
        x[gix.B(gk, t)] = sol.x[aix.B(k, t)]!;
      });
    }
  });
  return { x, missing };
}

/** One row of the side-by-side comparison with the centralized solve. */
export interface ComparisonRow {
  readonly quantity: string;
  readonly unit: string;
  readonly centralized: number;
  readonly distributed: number;
  /**
   * |distributed − centralized| / max(|centralized|, 1 unit): relative for totals above one kWh
   * (kvarh, USD), absolute below — a net battery energy of −1e-6 kWh against 0 (loss objective:
   * the batteries idle) is the same answer, not a 100 % difference.
   */
  readonly relDiff: number;
  /**
   * False when the optimum does not determine the quantity: where a PV and a battery share a bus
   * only the sum of their reactive powers enters the model, so PV Q and battery Q separately are
   * any split of that sum (both solves are optimal with different splits). Shown, not counted in the largest difference.
   */
  readonly determined: boolean;
}

export interface Comparison {
  readonly rows: ComparisonRow[];
  readonly maxRelDiff: number;
  readonly maxRelDiffQuantity: string;
}

const COMPARED: readonly { quantity: string; unit: string; value: (t: OpfTotals) => number; splitQ?: true }[] = [
  { quantity: 'line loss', unit: 'kWh', value: (t) => t.lineLossKwh },
  { quantity: 'substation P', unit: 'kWh', value: (t) => t.substationKwh },
  { quantity: 'substation Q', unit: 'kvarh', value: (t) => t.substationKvarh },
  { quantity: 'PV P', unit: 'kWh', value: (t) => t.pvKwh },
  { quantity: 'PV Q', unit: 'kvarh', value: (t) => t.pvKvarh, splitQ: true },
  { quantity: 'battery P (net)', unit: 'kWh', value: (t) => t.batteryKwh },
  { quantity: 'battery Q', unit: 'kvarh', value: (t) => t.batteryKvarh, splitQ: true },
  { quantity: 'PV + battery Q', unit: 'kvarh', value: (t) => t.pvKvarh + t.batteryKvarh },
  { quantity: 'substation cost', unit: 'USD', value: (t) => t.costUsd },
];

/**
 * |b − a| / max(|a|, 1 unit): relative for totals above one unit (kWh, kvarh, USD, pu), absolute
 * below — −1e-6 kWh against 0 is the same answer, not a 100 % difference. Every comparison table
 * (centralized vs distributed here, run vs run in the app) uses this one rule.
 */
export function relativeDifference(a: number, b: number): number {
  return Math.abs(b - a) / Math.max(Math.abs(a), 1);
}
const relDiff = relativeDifference;

/** Side-by-side totals (the issue's list) and the largest relative difference among the determined ones. */
export function compareWithCentralized(central: OpfResults, distributed: OpfResults): Comparison {
  const pvBuses = new Set(central.pvBuses);
  const shared = central.batteryBuses.some((b) => pvBuses.has(b));
  const rows: ComparisonRow[] = COMPARED.map(({ quantity, unit, value, splitQ }) => {
    const c = value(central.totals);
    const d = value(distributed.totals);
    return { quantity, unit, centralized: c, distributed: d, relDiff: relDiff(c, d), determined: !(splitQ && shared) };
  });
  const c = central.objective;
  const d = distributed.objective;
  rows.push({
    quantity: 'objective',
    unit: central.objectiveKind === 'cost' ? 'USD' : 'kW·periods',
    centralized: c,
    distributed: d,
    relDiff: relDiff(c, d),
    determined: true,
  });
  let worst = rows[0]!;
  for (const r of rows) if (r.determined && r.relDiff > worst.relDiff) worst = r;
  return { rows, maxRelDiff: worst.relDiff, maxRelDiffQuantity: worst.quantity };
}

/**
 * How the areas are coordinated.
 *   'exact' (default): values and prices exchanged (this file's comment), the exchanged vector
 *     Anderson-accelerated (anderson.ts; grouping in coordinator.ts exchangeLayout) with its
 *     safeguard, warm starts centred at the coordinator's μ hint (off by default); inexact area
 *     rounds (opf-area.ts inexactTolerance: each area's tolerance follows how far its inputs
 *     moved, the full tolerance once they settle); rounds run to tolerance / 10.
 *     Its fixed point is the centralized optimum.
 *   'published': the source papers' scheme — values only (v down, P and Q up), every child
 *     pricing its import at the energy price (reactive import free, no loss sensitivities), plain
 *     fixed-point rounds (ω = 1, the coordinator's automatic damping), stopping at the tolerance
 *     itself as the papers do. It converges in a few rounds to a point that is NOT the
 *     centralized optimum (each area optimal for its neighbours' values): its difference from the
 *     centralized answer is always measured and reported beside it.
 */
export type Coordination = 'exact' | 'published';

export interface DistributedSolveOptions extends EnappOptions, DistributedBuildOptions {
  /** Default 'exact'. */
  readonly coordination?: Coordination;
  /** Cross-check the merged dispatch by the AC power flow. Default true. */
  readonly validate?: boolean;
  /** A centralized result of the same study, for the side-by-side comparison. */
  readonly centralized?: OpfResults;
}

export interface DistributedOutcome {
  readonly plan: DistributedPlan;
  readonly enapp: EnappResult;
  /** Merged results in the centralized shape; null when the run ended without every area's solution. */
  readonly results: OpfResults | null;
  readonly comparison?: Comparison;
}

/**
 * Default relaxation factor for the loss objective. Its battery schedule is weakly determined
 * (losses change little when energy moves between hours), so a child's boundary P answers the
 * parent's price strongly and undamped rounds oscillate without growing two rounds running (the
 * coordinator's 'auto' trigger): IEEE 123, 4 areas, T = 5, to 1e-5 pu: 54 rounds with 'auto'
 * (damped from round 30), 27 with ω = 0.5 from the start. The cost objective converges fastest
 * undamped ('auto': 14 rounds against 16+ with ω = 0.5).
 */
export const LOSS_DAMPING = 0.5;

/**
 * Mixing β of the Anderson-accelerated exact mode (coordinator.ts, anderson.ts), both objectives.
 * Measured on IEEE 123, 4 areas, tolerance 1e-3 (rounds): cost T = 24: β = 1 18, 0.7 14, 0.5 15;
 * loss T = 24: β = 0.5 27 (two safeguard restarts), 0.7 19.
 */
export const ANDERSON_MIXING = 0.7;

/**
 * Exact mode: the exchanged prices must also settle, each to PRICE_TEST_FRACTION × tolerance
 * relative to the largest price of its kind. Without a price test the Anderson-accelerated rounds
 * stopped where values had settled but prices had not: IEEE 123, T = 5 from 0 h, loss, net battery
 * energy 3.6e-3 kWh off; 0.3 → 1.1e-3 (18 rounds); 0.1 → 1.1e-4 (21 rounds) but cost T = 12 13 and
 * loss T = 24 28 rounds where 0.3 gives 12 and 25 with every total within 7e-5.
 */
export const PRICE_TEST_FRACTION = 0.3;

/**
 * The user's boundary tolerance bounds the estimated distance of the boundary values to the
 * fixed point, ≈ ρ/(1−ρ) × the last round's change with the measured contraction ρ ≈ 0.8–0.9,
 * so the coordinator stops at a change below tolerance / 10 (see the file comment).
 */
export const BOUNDARY_ERROR_MARGIN = 10;

/** Default boundary tolerance, pu (the source papers' 1e-3). */
export const DEFAULT_BOUNDARY_TOLERANCE_PU = 1e-3;

/** Run the distributed solve end to end (see the file comment). */
export async function solveDistributed(
  feeder: Feeder,
  study: Study,
  cuts: readonly CutBranch[],
  spawn: SpawnArea,
  options: DistributedSolveOptions,
  hooks: EnappHooks,
): Promise<DistributedOutcome> {
  const coordination = options.coordination ?? 'exact';
  const exact = coordination === 'exact';
  // Exact mode: inexact area rounds by default (opf-area.ts inexactTolerance); the published mode
  // solves every round to the full tolerance, as the papers do.
  const plan = buildAreaProblems(feeder, study, cuts, { ...options, inexact: options.inexact ?? exact });
  const damping = options.damping ?? (exact ? ANDERSON_MIXING : 'auto');
  const tolerancePu = options.tolerancePu ?? DEFAULT_BOUNDARY_TOLERANCE_PU;
  const stepTolerancePu = exact ? tolerancePu / BOUNDARY_ERROR_MARGIN : tolerancePu;
  const modeOptions: EnappOptions = exact
    ? {
        acceleration: options.acceleration ?? 'anderson',
        muHint: options.muHint ?? false,
        priceTest: options.priceTest ?? PRICE_TEST_FRACTION * tolerancePu,
      }
    : { acceleration: 'none', exchangePrices: false, muHint: false };
  const enapp = await runEnapp(
    plan.areas,
    plan.boundaries,
    plan.initial,
    spawn,
    { ...options, ...modeOptions, tolerancePu: stepTolerancePu, damping },
    hooks,
  );
  const solutions = enapp.areaSolutions as (OpfAreaSolution | null)[];
  if (
    enapp.status === 'failed' ||
    enapp.status === 'cancelled' ||
    enapp.status === 'infeasible' ||
    solutions.some((s) => !s)
  )
    return { plan, enapp, results: null };
  const { x } = mergeAreaSolutions(plan, solutions);
  const model = buildModel(plan.net, x);
  const iterations = enapp.rounds.reduce((s, r) => s + Math.max(...r.areaIterations), 0);
  const status = enapp.status === 'converged' ? 'solved' : enapp.status;
  let results = extractResults(
    plan.net,
    model.ix,
    x,
    { status, message: enapp.message, iterations, seconds: enapp.wallSeconds, objectiveNlp: model.problem.evalF(x) },
    [
      ...describeDefaults(study),
      `distributed (${coordination} coordination): ${plan.areas.length} areas, ${enapp.rounds.length} rounds${enapp.dampingFromRound !== null ? `, damped (ω = 0.5) from round ${enapp.dampingFromRound}` : ''}`,
      exact
        ? `boundary tolerance ${tolerancePu} pu: rounds stop at a change below ${stepTolerancePu} pu (the estimated distance to the fixed point is about ${BOUNDARY_ERROR_MARGIN}× the last change)`
        : `boundary tolerance ${tolerancePu} pu (published scheme: values only, stops at a change below the tolerance); not the centralized optimum — compare with a centralized run`,
    ],
  );
  if (options.validate !== false)
    results = { ...results, validation: validateWithPowerFlow(feeder, plan.net, results) };
  return {
    plan,
    enapp,
    results,
    ...(options.centralized ? { comparison: compareWithCentralized(options.centralized, results) } : {}),
  };
}
