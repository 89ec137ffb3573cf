/**
 * The distributed (ENApp) three-phase OPF: a three-phase feeder cut into areas (partition3.ts),
 * each area's three-phase OPF in its own process (opf3-area.ts, kind 'opf3'), coordinated by the
 * same coordinator as the balanced areas (coordinator.ts: the same processes, crash, hang and
 * cancel handling) with per-phase boundary values (phase-exchange.ts) —
 * docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase boundary values". The areas'
 * solutions are merged into the whole feeder's per-phase results (opf3/solve.ts Opf3Period) and
 * validated by the three-phase power flow like a centralized solve.
 *
 * Coordinations as the balanced ones (distributed.ts): 'exact' (values and prices, Anderson, rounds
 * to tolerance/10 and the prices to PRICE_TEST_FRACTION·tolerance, or the values below tolerance/10
 * for SETTLE_ROUNDS rounds in a row; its fixed point is the centralized optimum; then the
 * consistency rounds — values only at the last prices, the children's draws linearised in their
 * parents (opf3-sensitivity.ts) — until both sides of every boundary agree to
 * POLISH_TOLERANCE_FACTOR·tolerance, so that the merged dispatch is one feeder's power flow) and
 * 'published' (values only, the child's draw priced at the energy price, plain rounds to the
 * tolerance; not the centralized optimum — always compared).
 *
 * Options of the exact rounds (spec "proximal terms", "per-period energy groups"; the first and the
 * last switch on by themselves where autoProximal says so — spec "the default: when the proximal
 * rounds switch on" — the others off by default):
 * the children's proximal term on their draw centred at the exchanged draw (`proxFactor`,
 * `proxFactorQ`; or the parents' KKT curvature as its weights, `curvatureFactor`), the parents' on
 * their boundary voltages (`voltageProxFactor`) — all zero at the fixed point — and Anderson groups
 * per period for P, π_P (`energyGroups`). proxFactor 0.1 with energyGroups 'period' converges
 * IEEE 123's 4 areas over 24 h from 10 h in 39 rounds (100 without); not yet every horizon.
 */
import { buildOpf3Model } from '../opf3/model';
import type { Opf3Network } from '../opf3/network';
import type { Opf3Period } from '../opf3/solve';
import type { Opf3UnitSpec } from '../opf3/fromNetwork';
import { validateOpf3, type Opf3Validation } from '../opf3/validate';
import type { UNetwork } from '../unbalanced/model';
import {
  runEnapp,
  type BoundaryState,
  type EnappArea,
  type EnappBoundary,
  type EnappHooks,
  type EnappOptions,
  type EnappResult,
} from './coordinator';
import {
  ANDERSON_MIXING,
  BOUNDARY_ERROR_MARGIN,
  DEFAULT_BOUNDARY_TOLERANCE_PU,
  PartitionError,
  PRICE_TEST_FRACTION,
  relativeDifference,
  type Coordination,
} from './distributed';
import { sourceCurrents, type Opf3AreaSolution, type Opf3AreaSpec } from './opf3-area';
import { splitOpf3Network, type Opf3AreaNetwork } from './opf3-split';
import { checkPartition3, type Partition3 } from './partition3';
import type { CutBranch } from './partition';
import type { SpawnArea } from './protocol';
import type { SolveOptions } from '../nlp/index';

export interface Distributed3Plan {
  readonly check: Partition3;
  /** The whole feeder's network (merging, validation). */
  readonly net: Opf3Network;
  readonly parts: readonly Opf3AreaNetwork[];
  readonly areas: EnappArea[];
  readonly boundaries: EnappBoundary[];
  /** Round 1's boundary values (the start power flow) and, exact coordination, starting prices. */
  readonly initial: BoundaryState[];
}

/** Areas (kind 'opf3'), boundaries and round 1's values for a cut set of a three-phase feeder. */
export function buildAreaProblems3(
  unet: UNetwork,
  net: Opf3Network,
  cuts: readonly CutBranch[],
  options: {
    readonly coordination?: Coordination;
    readonly nlp?: SolveOptions;
    /** The child areas' root slack weight (Opf3AreaSpec.pinSlackWeight); default theirs. */
    readonly pinSlackWeight?: number;
    /** Exact coordination: the children's draw sensitivities in their parents (Opf3AreaSpec.drawSensitivity). */
    readonly drawSensitivity?: boolean;
    /** Exact coordination: the children's proximal term on their draw (Opf3AreaSpec.proxFactor). */
    readonly proxFactor?: number;
    readonly proxFactorQ?: number;
    /** Exact coordination: the parents' proximal term on their boundary voltages (Opf3AreaSpec.voltageProxFactor). */
    readonly voltageProxFactor?: number;
    /** Exact coordination: the children's proximal weights = this × their parent's curvature in the draw (Opf3AreaSpec.priceCurvature). */
    readonly curvatureFactor?: number;
    /** Anderson groups of the active powers and their prices: one over all periods (default) or per period (PhaseState.energyPerPeriod). */
    readonly energyGroups?: 'horizon' | 'period';
  } = {},
): Distributed3Plan {
  const check = checkPartition3(unet, cuts);
  if (!check.ok) throw new PartitionError(`invalid areas: ${check.errors.join('; ')}`);
  const parts = splitOpf3Network(net, check.areas);
  const boundaries: EnappBoundary[] = check.areas
    .filter((a) => a.parentArea !== null)
    .sort((a, b) => a.id - b.id)
    .map((a, i) => ({ id: i + 1, parentArea: a.parentArea!, childArea: a.id, bus: a.rootBus }));
  const boundaryOf = new Map(boundaries.map((b) => [b.childArea, b.id]));
  const areas: EnappArea[] = parts.map((p) => {
    const a = check.areas.find((x) => x.id === p.id)!;
    const spec: Opf3AreaSpec = {
      net: p.net,
      childBoundaries: p.children.map((c) => ({ boundary: boundaryOf.get(c.area)!, nodes: c.nodes })),
      ...(options.nlp ? { nlp: options.nlp } : {}),
      ...(options.pinSlackWeight !== undefined ? { pinSlackWeight: options.pinSlackWeight } : {}),
      ...(options.drawSensitivity && (options.coordination ?? 'exact') === 'exact' ? { drawSensitivity: true } : {}),
      ...(options.proxFactor && (options.coordination ?? 'exact') === 'exact' && a.parentArea !== null
        ? {
            proxFactor: options.proxFactor,
            ...(options.proxFactorQ !== undefined ? { proxFactorQ: options.proxFactorQ } : {}),
          }
        : {}),
      ...(options.voltageProxFactor && (options.coordination ?? 'exact') === 'exact' && p.children.length > 0
        ? { voltageProxFactor: options.voltageProxFactor }
        : {}),
      ...(options.curvatureFactor !== undefined && (options.coordination ?? 'exact') === 'exact'
        ? {
            ...(p.children.length > 0 ? { priceCurvature: true } : {}),
            ...(a.parentArea !== null ? { curvatureFactor: options.curvatureFactor } : {}),
          }
        : {}),
    };
    return { id: p.id, name: `${p.id} (root ${a.rootBus})`, parent: a.parentArea, kind: 'opf3', spec };
  });
  const T = net.periods;
  const exact = (options.coordination ?? 'exact') === 'exact';
  // Round 1: the start power flow's boundary voltages, and the child's draw at them (its start point's currents).
  const initial: BoundaryState[] = boundaries.map((b) => {
    const child = parts.find((p) => p.id === b.childArea)!;
    const n = child.net.nSlack;
    const m = buildOpf3Model({ ...child.net, area: { pinSources: true } });
    const cur = sourceCurrents(m, m.problem.x0);
    const vRe = Array.from(child.net.slackRe);
    const vIm = Array.from(child.net.slackIm);
    // S = V conj(I): P = e Ir + f Ii, Q = f Ir − e Ii
    const p = vRe.map((e, j) => e * cur.re[j]! + vIm[j]! * cur.im[j]!);
    const q = vRe.map((e, j) => vIm[j]! * cur.re[j]! - e * cur.im[j]!);
    const w = (t: number) =>
      net.study.objective === 'cost' ? net.priceUsdPerKwh[t]! * net.study.dtH * net.baseKva : 0;
    return {
      vSqPu: [],
      pPu: [],
      qPu: [],
      phase: {
        nodes: n,
        vRe,
        vIm,
        p,
        q,
        // Starting prices (exact): the draw's active power at the energy price, reactive power
        // free (the papers' choice); no voltage price.
        ...(exact
          ? {
              priceP: vRe.map((_, j) => w(Math.floor(j / n))),
              priceQ: new Array<number>(T * n).fill(0),
              priceVRe: new Array<number>(T * n).fill(0),
              priceVIm: new Array<number>(T * n).fill(0),
            }
          : {}),
        ...(options.energyGroups === 'period' ? { energyPerPeriod: true } : {}),
      },
    };
  });
  return { check, net, parts, areas, boundaries, initial };
}

/** The areas' solutions as the whole feeder's periods (each free node is free in exactly one area), and the total objective. */
export function mergeAreaSolutions3(
  plan: Distributed3Plan,
  solutions: readonly (Opf3AreaSolution | null)[],
): { periods: Opf3Period[]; objective: number } {
  const { net, parts } = plan;
  const pvIx = new Map(net.pv.map((u, k) => [u.name, k]));
  const batIx = new Map(net.batteries.map((u, k) => [u.name, k]));
  let objective = 0;
  const periods: Opf3Period[] = [];
  for (let t = 0; t < net.periods; t++) {
    const vPu = new Float64Array(net.nFree);
    const angleDeg = new Float64Array(net.nFree);
    const pvKvar = new Array<number>(net.pv.length).fill(0);
    const ch = new Array<number>(net.batteries.length).fill(0);
    const dis = ch.slice();
    const bq = ch.slice();
    const soc = ch.slice();
    let substationKw = 0;
    let substationKvar = 0;
    parts.forEach((p, i) => {
      const sol = solutions[i];
      if (!sol) throw new Error(`area ${p.id} has no solution to merge`);
      const ap = sol.periods[t]!;
      p.freeOf.forEach((g, k) => {
        vPu[g] = ap.vPu[k]!;
        angleDeg[g] = ap.angleDeg[k]!;
      });
      if (p.id === 1) {
        substationKw = ap.substationKw;
        substationKvar = ap.substationKvar;
      }
      p.net.pv.forEach((u, k) => (pvKvar[pvIx.get(u.name)!] = ap.pvKvar[k]!));
      p.net.batteries.forEach((u, k) => {
        const g = batIx.get(u.name)!;
        ch[g] = ap.batteryChargeKw[k]!;
        dis[g] = ap.batteryDischargeKw[k]!;
        bq[g] = ap.batteryKvar[k]!;
        soc[g] = ap.batterySocKwh[k]!;
      });
    });
    periods.push({
      hour: net.hourOfPeriod[t]!,
      vPu,
      angleDeg,
      substationKw,
      substationKvar,
      pvKvar,
      batteryChargeKw: ch,
      batteryDischargeKw: dis,
      batteryKvar: bq,
      batterySocKwh: soc,
    });
  }
  solutions.forEach((s) => (objective += s!.ownObjective));
  return { periods, objective };
}

/** One compared quantity of the distributed and the centralized three-phase solve. */
export interface Comparison3Row {
  readonly quantity: string;
  readonly unit: string;
  readonly centralized: number;
  readonly distributed: number;
  /** relativeDifference (distributed.ts): relative above one unit, absolute below. */
  readonly relDiff: number;
}

export interface Comparison3 {
  readonly rows: Comparison3Row[];
  readonly maxRelDiff: number;
  readonly maxRelDiffQuantity: string;
  /** Largest per-phase node voltage difference, pu, and where. */
  readonly maxVoltageDiffPu: number;
  readonly maxVoltageDiffAt: string;
}

/** Side by side: the objective, substation energy, unit totals and every per-phase node voltage. */
export function compareWithCentralized3(
  net: Opf3Network,
  central: { readonly objective: number; readonly periods: readonly Opf3Period[] },
  dist: { readonly objective: number; readonly periods: readonly Opf3Period[] },
): Comparison3 {
  const dt = net.study.dtH;
  const sum = (ps: readonly Opf3Period[], f: (p: Opf3Period) => number) => ps.reduce((s, p) => s + f(p) * dt, 0);
  const tot = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const quantities: [string, string, (p: Opf3Period) => number][] = [
    ['substation P', 'kWh', (p) => p.substationKw],
    ['substation Q', 'kvarh', (p) => p.substationKvar],
    ['PV Q', 'kvarh', (p) => tot(p.pvKvar)],
    ['battery P (net)', 'kWh', (p) => tot(p.batteryDischargeKw) - tot(p.batteryChargeKw)],
    ['battery Q', 'kvarh', (p) => tot(p.batteryKvar)],
  ];
  const rows: Comparison3Row[] = quantities.map(([quantity, unit, f]) => {
    const c = sum(central.periods, f);
    const d = sum(dist.periods, f);
    return { quantity, unit, centralized: c, distributed: d, relDiff: relativeDifference(c, d) };
  });
  rows.push({
    quantity: 'objective',
    unit: net.study.objective === 'cost' ? 'USD' : 'kW·periods',
    centralized: central.objective,
    distributed: dist.objective,
    relDiff: relativeDifference(central.objective, dist.objective),
  });
  let worst = rows[0]!;
  for (const r of rows) if (r.relDiff > worst.relDiff) worst = r;
  let dv = 0;
  let at = '';
  central.periods.forEach((cp, t) => {
    const dp = dist.periods[t]!;
    for (let i = 0; i < net.nFree; i++) {
      // the complex difference: magnitude and angle
      const a = (cp.angleDeg[i]! * Math.PI) / 180;
      const b = (dp.angleDeg[i]! * Math.PI) / 180;
      const d = Math.hypot(
        cp.vPu[i]! * Math.cos(a) - dp.vPu[i]! * Math.cos(b),
        cp.vPu[i]! * Math.sin(a) - dp.vPu[i]! * Math.sin(b),
      );
      if (d > dv) {
        dv = d;
        at = `${net.nodeBus[i]}.${net.nodePhase[i]} (hour ${net.hourOfPeriod[t]})`;
      }
    }
  });
  return {
    rows,
    maxRelDiff: worst.relDiff,
    maxRelDiffQuantity: worst.quantity,
    maxVoltageDiffPu: dv,
    maxVoltageDiffAt: at,
  };
}

export interface Distributed3Options extends EnappOptions {
  readonly coordination?: Coordination;
  readonly nlp?: SolveOptions;
  /** The child areas' root slack weight (opf3-area.ts Opf3AreaSpec.pinSlackWeight); default theirs, 0 pins exactly. */
  readonly pinSlackWeight?: number;
  /**
   * Exact coordination: each child reports its draw's sensitivity to its root voltage and its parent
   * models the draw as a linearised load (opf3-area.ts Opf3AreaSpec.drawSensitivity).
   */
  readonly drawSensitivity?: boolean;
  /** Exact coordination: the children's proximal term on their draw (Opf3AreaSpec.proxFactor). */
  readonly proxFactor?: number;
  /** The children's proximal weight on their draw's reactive power (default proxFactor). */
  readonly proxFactorQ?: number;
  /** Exact coordination: the parents' proximal term on their boundary voltages (Opf3AreaSpec.voltageProxFactor). */
  readonly voltageProxFactor?: number;
  /** Exact coordination: the children's proximal weights = this × their parent's curvature in the draw (Opf3AreaSpec.priceCurvature). */
  readonly curvatureFactor?: number;
  /** Anderson groups of the active powers and their prices (buildAreaProblems3): 'horizon' (default) or 'period'. */
  readonly energyGroups?: 'horizon' | 'period';
  /**
   * Exact coordination: stop once every boundary value has changed by less than the rounds'
   * tolerance/10 for this many consecutive rounds, whatever the prices do (they may keep moving
   * where the optimum's multipliers are not unique, without moving any value); 0: only the price
   * test. Default SETTLE_ROUNDS.
   */
  readonly settleRounds?: number;
  /**
   * Exact coordination: after the rounds, the values-only consistency rounds at the last prices
   * (see POLISH_TOLERANCE_FACTOR), so that the areas' two sides of every boundary agree to far
   * below the rounds' tolerance and the merged dispatch is one feeder's power flow. Default true.
   */
  readonly polish?: boolean;
  /** The consistency rounds with the children's draw sensitivities in their parents (Opf3AreaSpec.drawSensitivity). Default true. */
  readonly polishSensitivity?: boolean;
  /** The consistency rounds' acceleration (default 'anderson': measured, 'none' stalled on IEEE 123 T = 2 at 1.6e-6 pu). */
  readonly polishAcceleration?: 'none' | 'anderson';
  /** The consistency rounds' relaxation (default 1). */
  readonly polishDamping?: number;
  /** Validate the merged dispatch by the three-phase power flow (needs the units). Default true. */
  readonly validate?: boolean;
  /** A centralized solve of the same network, for the side-by-side comparison. */
  readonly centralized?: { readonly objective: number; readonly periods: readonly Opf3Period[] };
}

/** The proximal weight κ the exact rounds switch on by themselves (autoProximal), measured on IEEE 123 T = 24. */
export const AUTO_PROX_FACTOR = 0.1;

/**
 * Whether the exact rounds switch on the children's proximal term (κ = AUTO_PROX_FACTOR) and the
 * per-period Anderson groups by themselves, and why (spec "the default: when the proximal rounds
 * switch on"). The rule: exact coordination, the cost objective, at least one battery, and two
 * periods of the horizon with the same energy price (to 1e-9 relative) — the horizons where a
 * battery's split of energy between those hours is decided by the losses alone, the price rounds'
 * slow mode. Only when the caller set none of proxFactor, proxFactorQ, energyGroups and
 * curvatureFactor (any of them set: the caller's choice is used as given; proxFactor 0 turns the
 * rule off).
 */
export function autoProximal(
  net: Pick<Opf3Network, 'periods' | 'priceUsdPerKwh' | 'batteries' | 'hourOfPeriod' | 'study'>,
  options: Pick<
    Distributed3Options,
    'coordination' | 'proxFactor' | 'proxFactorQ' | 'energyGroups' | 'curvatureFactor'
  >,
): { readonly on: boolean; readonly reason: string } {
  if ((options.coordination ?? 'exact') !== 'exact') return { on: false, reason: 'published coordination' };
  if (
    options.proxFactor !== undefined ||
    options.proxFactorQ !== undefined ||
    options.energyGroups !== undefined ||
    options.curvatureFactor !== undefined
  )
    return { on: false, reason: 'set by the caller' };
  if (net.study.objective !== 'cost') return { on: false, reason: 'not the cost objective' };
  if (net.batteries.length === 0) return { on: false, reason: 'no battery' };
  for (let a = 0; a < net.periods; a++)
    for (let b = a + 1; b < net.periods; b++) {
      const pa = net.priceUsdPerKwh[a]!;
      const pb = net.priceUsdPerKwh[b]!;
      if (Math.abs(pa - pb) <= 1e-9 * Math.max(Math.abs(pa), Math.abs(pb)))
        return {
          on: true,
          reason: `hours ${net.hourOfPeriod[a]} and ${net.hourOfPeriod[b]} have the same energy price and the feeder has batteries: the children's proximal term (κ = ${AUTO_PROX_FACTOR}) and per-period energy groups`,
        };
    }
  return { on: false, reason: 'no two periods with the same energy price' };
}

/** Consecutive rounds with every value change below tolerance/10 after which exact rounds stop (Distributed3Options.settleRounds). */
export const SETTLE_ROUNDS = 3;
/**
 * The consistency rounds' tolerance over the rounds' tolerance: at 1e-3 pu, 1e-6 pu of V and S on
 * both sides of every boundary (the validation's target; measured, the power flow then lands two
 * orders below it). At 1e-7 pu IEEE 123 T = 24 ended its 15 rounds at 2.6e-7 pu (the children's
 * draws move by a few 1e-7 pu from round to round at their interior-point tolerance).
 */
export const POLISH_TOLERANCE_FACTOR = 1e-3;
/** At most this many consistency rounds (measured at 1e-7 pu: 10 on IEEE 13 T = 6, 14 on IEEE 123 T = 2). */
export const POLISH_MAX_ROUNDS = 15;

export interface Distributed3Outcome {
  readonly plan: Distributed3Plan;
  /** The rounds (and, exact coordination, the consistency rounds after them: `polish`). */
  readonly enapp: EnappResult;
  /**
   * Exact coordination: the consistency rounds after the price exchange stopped — values only, at
   * its last prices, Jacobi without relaxation, to POLISH_TOLERANCE_FACTOR × the tolerance; the
   * merged solution is theirs.
   */
  readonly polish?: EnappResult;
  /** Merged per-phase results; null when the run ended without every area's solution. */
  readonly periods: Opf3Period[] | null;
  readonly objective: number | null;
  /**
   * The child areas' largest root-voltage slack at the end, pu (their elastic pins, opf3-area.ts):
   * how far the last round's children are from the voltages their parents gave them. A converged
   * run whose slack exceeds the rounds' tolerance is reported 'failed'.
   */
  readonly rootSlackPu?: number;
  readonly validation?: Opf3Validation;
  readonly comparison?: Comparison3;
  /** Whether the exact rounds switched their proximal term and per-period groups on by themselves (autoProximal), and why. */
  readonly autoProximal?: { readonly on: boolean; readonly reason: string };
}

/**
 * The run's rounds as one record for reporting (CLI JSON, the app's run): the price rounds, then
 * the consistency rounds numbered on from them (as `onRound` reported them); the critical path and
 * wall time summed over both; the last exchanged boundary values the consistency rounds' when they
 * ran. Status and message stay the price rounds' (the outcome's `enapp`).
 */
export function withConsistencyRounds(out: Pick<Distributed3Outcome, 'enapp' | 'polish'>): EnappResult & {
  readonly consistencyRounds: number;
} {
  const { enapp, polish } = out;
  if (!polish) return { ...enapp, consistencyRounds: 0 };
  const offset = enapp.rounds.length;
  const crit =
    enapp.criticalPathCpuSeconds === null || polish.criticalPathCpuSeconds === null
      ? null
      : enapp.criticalPathCpuSeconds + polish.criticalPathCpuSeconds;
  return {
    ...enapp,
    rounds: [...enapp.rounds, ...polish.rounds.map((r) => ({ ...r, round: r.round + offset }))],
    boundaries: polish.rounds.length ? polish.boundaries : enapp.boundaries,
    restarts: [...enapp.restarts, ...polish.restarts],
    wallSeconds: enapp.wallSeconds + polish.wallSeconds,
    criticalPathCpuSeconds: crit,
    consistencyRounds: polish.rounds.length,
  };
}

/**
 * Run the distributed three-phase solve end to end (see the file comment). Exact coordination
 * switches the children's proximal term and per-period energy groups on by itself where
 * autoProximal says so (the outcome's `autoProximal`).
 */
export async function solveDistributed3(
  unet: UNetwork,
  net: Opf3Network,
  units: readonly Opf3UnitSpec[],
  cuts: readonly CutBranch[],
  spawn: SpawnArea,
  options: Distributed3Options,
  hooks: EnappHooks,
): Promise<Distributed3Outcome> {
  const auto = autoProximal(net, options);
  if (auto.on) options = { ...options, proxFactor: AUTO_PROX_FACTOR, energyGroups: 'period' };
  const outcome = (o: Omit<Distributed3Outcome, 'autoProximal'>): Distributed3Outcome => ({ ...o, autoProximal: auto });
  const coordination = options.coordination ?? 'exact';
  const exact = coordination === 'exact';
  const plan = buildAreaProblems3(unet, net, cuts, {
    coordination,
    ...(options.nlp ? { nlp: options.nlp } : {}),
    ...(options.pinSlackWeight !== undefined ? { pinSlackWeight: options.pinSlackWeight } : {}),
    ...(options.drawSensitivity !== undefined ? { drawSensitivity: options.drawSensitivity } : {}),
    ...(options.proxFactor !== undefined ? { proxFactor: options.proxFactor } : {}),
    ...(options.proxFactorQ !== undefined ? { proxFactorQ: options.proxFactorQ } : {}),
    ...(options.voltageProxFactor !== undefined ? { voltageProxFactor: options.voltageProxFactor } : {}),
    ...(options.curvatureFactor !== undefined ? { curvatureFactor: options.curvatureFactor } : {}),
    ...(options.energyGroups !== undefined ? { energyGroups: options.energyGroups } : {}),
  });
  const tolerancePu = options.tolerancePu ?? DEFAULT_BOUNDARY_TOLERANCE_PU;
  const modeOptions: EnappOptions = exact
    ? {
        acceleration: options.acceleration ?? 'anderson',
        priceTest: options.priceTest ?? PRICE_TEST_FRACTION * tolerancePu,
        damping: options.damping ?? ANDERSON_MIXING,
        tolerancePu: tolerancePu / BOUNDARY_ERROR_MARGIN,
      }
    : { acceleration: 'none', exchangePrices: false, damping: options.damping ?? 'auto', tolerancePu };
  // Settle rule (exact): the values below tolerance/10 for settleRounds rounds in a row end the
  // rounds through the coordinator's cancel check at the next round's start (then read as converged).
  const settleRounds = exact ? (options.settleRounds ?? SETTLE_ROUNDS) : 0;
  let settled = 0;
  let settledAt = 0;
  const userSignal = hooks.signal;
  const mainHooks: EnappHooks = {
    ...hooks,
    signal: {
      get aborted() {
        return settledAt > 0 || userSignal?.aborted === true;
      },
      ...(userSignal?.addEventListener ? { addEventListener: userSignal.addEventListener.bind(userSignal) } : {}),
    },
    onRound: (r) => {
      settled = r.maxChangePu < modeOptions.tolerancePu! ? settled + 1 : 0;
      if (settleRounds > 0 && settled >= settleRounds) settledAt = r.round;
      hooks.onRound?.(r);
    },
  };
  let enapp = await runEnapp(
    plan.areas,
    plan.boundaries,
    plan.initial,
    spawn,
    { ...options, ...modeOptions },
    mainHooks,
  );
  if (enapp.status === 'cancelled' && settledAt > 0 && userSignal?.aborted !== true) {
    const last = enapp.rounds.at(-1)!;
    enapp = {
      ...enapp,
      status: 'converged',
      message: `converged in ${settledAt} rounds: every boundary value changed by less than ${modeOptions.tolerancePu} pu in ${settleRounds} rounds in a row (last: ${last.maxChangePu.toExponential(2)} pu); the prices still moved by ${last.maxChangePriceRel.toExponential(2)} relative without moving the values`,
    };
  }
  let solutions = enapp.areaSolutions as (Opf3AreaSolution | null)[];
  // Consistency rounds (exact): values only at the last prices, until both sides of every boundary
  // agree to POLISH_TOLERANCE_FACTOR × the tolerance.
  let polish: EnappResult | undefined;
  // After rounds that ran out (maxRounds) too: their merged dispatch is then at least one feeder's.
  if (exact && (enapp.status === 'converged' || enapp.status === 'maxRounds') && options.polish !== false) {
    const offset = enapp.rounds.length;
    // The children's draws as linearised loads in their parents (drawSensitivity): at fixed prices
    // the values' loop is the areas' physics alone, and the parents then solve it Newton-like.
    const polishAreas = plan.areas.map((a) => ({
      ...a,
      spec: { ...(a.spec as Opf3AreaSpec), drawSensitivity: options.polishSensitivity !== false },
    }));
    polish = await runEnapp(
      polishAreas,
      plan.boundaries,
      enapp.boundaries,
      spawn,
      {
        ...options,
        acceleration: options.polishAcceleration ?? 'anderson',
        exchangePrices: false,
        damping: options.polishDamping ?? 1,
        tolerancePu: tolerancePu * POLISH_TOLERANCE_FACTOR,
        maxRounds: POLISH_MAX_ROUNDS,
      },
      { ...hooks, onRound: (r) => hooks.onRound?.({ ...r, round: r.round + offset }) },
    );
    if (polish.status === 'cancelled')
      return outcome({
        plan,
        enapp: { ...enapp, status: 'cancelled', message: polish.message },
        polish,
        periods: null,
        objective: null,
      });
    // Their solutions when they reached their tolerance, or at least a smaller change than the
    // rounds' last (the run's status stays the rounds'; the message says how far they got).
    const lastPolish = polish.rounds.at(-1)?.maxChangePu ?? Infinity;
    const lastMain = enapp.rounds.at(-1)?.maxChangePu ?? Infinity;
    const usable = polish.areaSolutions.every((x) => x) && polish.status !== 'failed' && polish.status !== 'infeasible';
    if (polish.status === 'converged' || (usable && lastPolish < lastMain))
      solutions = polish.areaSolutions as (Opf3AreaSolution | null)[];
    if (polish.status !== 'converged')
      enapp = {
        ...enapp,
        message: `${enapp.message}; the consistency rounds after them: ${polish.message}${solutions === polish.areaSolutions ? ' (their last solutions merged)' : ''}`,
      };
  }
  if (
    enapp.status === 'failed' ||
    enapp.status === 'cancelled' ||
    enapp.status === 'infeasible' ||
    solutions.some((s) => !s)
  )
    return outcome({ plan, enapp, ...(polish ? { polish } : {}), periods: null, objective: null });
  // The child areas' root voltages are elastic (opf3-area.ts): at the end each must hold the
  // voltage it was given, or the merged solution is not one feeder's.
  const slacks = solutions.map((s) => s!.rootSlackPu);
  const rootSlackPu = Math.max(0, ...slacks);
  const slackLimit = tolerancePu / BOUNDARY_ERROR_MARGIN;
  if (enapp.status === 'converged' && rootSlackPu > slackLimit) {
    const worst = plan.areas[slacks.indexOf(rootSlackPu)]!;
    return outcome({
      plan,
      ...(polish ? { polish } : {}),
      enapp: {
        ...enapp,
        status: 'failed',
        message: `the rounds settled, but area ${worst.name} cannot hold the root voltage it is given: its elastic root departs from it by ${rootSlackPu.toExponential(2)} pu (limit ${slackLimit.toExponential(1)} pu), so the areas' solutions are not one feeder's`,
      },
      periods: null,
      objective: null,
      rootSlackPu,
    });
  }
  const { periods, objective } = mergeAreaSolutions3(plan, solutions);
  const validation = options.validate === false ? undefined : validateOpf3(unet, net, periods, units);
  return outcome({
    plan,
    enapp,
    ...(polish ? { polish } : {}),
    periods,
    objective,
    rootSlackPu,
    ...(validation ? { validation } : {}),
    ...(options.centralized
      ? { comparison: compareWithCentralized3(net, options.centralized, { objective, periods }) }
      : {}),
  });
}
