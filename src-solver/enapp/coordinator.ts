/**
 * The ENApp coordinator (spec "Spatial decomposition"; Sadnan & Dubey, IEEE Trans. Power Systems
 * 36(4), 2021): areas form a tree; every round all areas solve at once (Jacobi), each with the
 * latest boundary values of its neighbours, and return their own side of each boundary:
 *
 *     round k:   x_k = { v_b^t, P_b^t, Q_b^t }  for every boundary b, period t
 *                area a solves with  v_{root(a)}^t  (from its parent)  and  P_c^t, Q_c^t (its children)
 *                x'  = { v from each parent's solution, P, Q from each child's solution }
 *                Δ_k = max |x' − x_k|   (v compared as magnitude √v, P and Q as they are; all pu)
 *                x_{k+1} = x_k + ω (x' − x_k)        ω = 1, or 0.5 once rounds oscillate (damping:
 *                                                     Δ grew two rounds running, or Δ_k ≥ Δ_{k−2})
 *     stop when Δ_k < tolerance (converged), at the round limit, on cancel, or on a failure.
 * Three-phase areas exchange per-phase complex node voltages and currents instead of v, P, Q
 * (BoundaryState.phase; phase-exchange.ts: Δ is then the largest |V' − V|, |I' − I|).
 *
 * Transport-agnostic: areas are reached through `SpawnArea` (processes in the app and CLI,
 * in-process in some tests). An area process that exits or stays silent past its hang limit is
 * restarted once (its model is rebuilt; the round is re-sent); a second failure ends the run
 * with a message naming the area.
 *
 * Processes: one supervisor (AreaSupervisor) owns every area process of a run for the run's
 * whole life. Ending the run — success, failure, infeasible, cancel — stops every process it ever
 * started and forbids any further start, so an area whose wait was cut short by the end (its
 * process stopped under it) cannot "restart" after the run is over; `runEnapp` resolves only when
 * all of them are gone.
 *
 * Hang limit: an area is hung when it sends nothing (no progress, no result) for
 * max(minHangMs, hangFactor × the longest it has been measured to take: its slowest round, or its
 * longest silence between progress messages); before anything is measured (the first round's
 * model build and first iteration) `areaTimeoutMs`. A stopped (SIGSTOP) area is thus noticed in
 * ~30 s instead of a fixed 300 s, and a slow but progressing area never is.
 *
 * Pure: time and timers come in through `clock`, cancellation through `signal`.
 */
import { GroupedAnderson } from './anderson';
import {
  copyPhase,
  mixPhase,
  phaseChange,
  phasePowerInput,
  phaseFromOutputs,
  phaseGroups,
  phaseLength,
  phasePriceChange,
  phaseVoltageInput,
  readPhase,
  writePhase,
  type PhaseState,
  withFreshSensitivity,
} from './phase-exchange';
import type {
  AreaAttempt,
  AreaInputs,
  AreaOutputs,
  AreaStats,
  AreaTransport,
  FromArea,
  ProgressExtra,
  SpawnArea,
} from './protocol';

export interface EnappArea {
  /** 1-based; the root area (holding the substation) has parent null. */
  readonly id: number;
  readonly name: string;
  readonly parent: number | null;
  /** Area solver factory name and its (structured-cloneable) spec. */
  readonly kind: string;
  readonly spec: unknown;
}

export interface EnappBoundary {
  readonly id: number;
  readonly parentArea: number;
  readonly childArea: number;
  /** The boundary bus (kept by the parent as a leaf, the child's root). */
  readonly bus: string;
}

export interface BoundaryState {
  readonly vSqPu: number[];
  readonly pPu: number[];
  readonly qPu: number[];
  /**
   * Optional price exchange (area solvers that use it, e.g. 'opf'): the parent's marginal
   * objective per pu of P and Q drawn at the boundary, and the child's per unit of v. Forwarded
   * and damped like the values, not part of the convergence test. Absent: not exchanged.
   */
  readonly pricePPerPu?: number[];
  readonly priceQPerPu?: number[];
  readonly priceVPerPu?: number[];
  /** Three-phase boundaries (phase-exchange.ts): per-phase complex V and I (and prices); vSqPu, pPu, qPu are then empty. */
  readonly phase?: PhaseState;
}

function copyState(b: BoundaryState): BoundaryState {
  return {
    vSqPu: [...b.vSqPu],
    pPu: [...b.pPu],
    qPu: [...b.qPu],
    ...(b.pricePPerPu ? { pricePPerPu: [...b.pricePPerPu] } : {}),
    ...(b.priceQPerPu ? { priceQPerPu: [...b.priceQPerPu] } : {}),
    ...(b.priceVPerPu ? { priceVPerPu: [...b.priceVPerPu] } : {}),
    ...(b.phase ? { phase: copyPhase(b.phase) } : {}),
  };
}

/**
 * Round limit when the caller gives none. IEEE 123 with 4 areas needs 10–34 rounds; the
 * 10,240-bus feeder with 8 areas needed 105 (the boundary change falls ~5 % per round near the
 * end), so 50 would stop a run that is converging. A run shows every round and can be cancelled.
 */
export const DEFAULT_MAX_ROUNDS = 200;

export interface EnappOptions {
  /** Largest boundary change that counts as converged, pu (source papers: 1e-3). */
  readonly tolerancePu?: number;
  readonly maxRounds?: number;
  /** Hang limit before anything is measured for an area (see the file comment). Default 300 s. */
  readonly areaTimeoutMs?: number;
  /** Hang limit once measured: this many times the area's slowest round (or longest silence). Default 10. */
  readonly hangFactor?: number;
  /** Hang limit once measured is never below this. Default 30 s. */
  readonly minHangMs?: number;
  /** An area process that has not built its model (answered `init`) within this time is treated as hung. */
  readonly startTimeoutMs?: number;
  /** Restart a crashed or hung area once before giving up. */
  readonly restartOnce?: boolean;
  /** 'auto': ω = 1, halved to 0.5 once the change grows two rounds running or is no smaller than two rounds before (a 2-cycle); a number fixes ω. */
  readonly damping?: 'auto' | number;
  /** How long a process gets to exit after a cancel before it is killed. */
  readonly graceMs?: number;
  /**
   * 'anderson': Anderson acceleration of the exchanged vector (see `exchangeLayout` and
   * anderson.ts), from round `andersonFromRound` on, mixing β = ω; the 'auto' damping trigger is
   * then off (the safeguard damps instead). 'none' (default): x ← x + ω (x' − x).
   */
  readonly acceleration?: 'none' | 'anderson';
  /** Anderson history columns per group. Default 5. */
  readonly andersonMemory?: number;
  /** First round whose next values are accelerated. Default 2. */
  readonly andersonFromRound?: number;
  /**
   * Send each area a warm-start μ hint: muHintScale × (the largest change of its inputs since its
   * last round, pu)², clamped to [muHintMin, muHintMax] = [1e-9, 1e-4] (see protocol.ts ToArea
   * 'solve'; the 'opf' area restarts centred at it, opf-area.ts `centred`). Default false: on IEEE
   * 123, 4 areas, Anderson, Σ over rounds of the largest area iteration count, cost T = 24: area's
   * own rule 171, hint (scale 100, centred) 165, scale 1 centred 192, scale 1 not centred 258;
   * loss T = 24: 304 vs 327 with the hint — no clear gain, so the areas' own rule stays the default.
   */
  readonly muHint?: boolean;
  /**
   * false: exchange values only (the source papers' scheme): the prices stay at their starting
   * values whatever the areas report. Default true.
   */
  readonly exchangePrices?: boolean;
  /**
   * Converged also needs the exchanged prices to settle: each price's change below this, relative
   * to the largest price of its kind. Default: not tested.
   */
  readonly priceTest?: number;
  readonly muHintMin?: number;
  readonly muHintScale?: number;
  readonly muHintMax?: number;
}

/** Components of one boundary-period in the flat exchanged vector (prices only where exchanged). */
const KINDS = ['vSqPu', 'pPu', 'qPu', 'pricePPerPu', 'priceQPerPu', 'priceVPerPu'] as const;
type Kind = (typeof KINDS)[number];

/**
 * The exchanged vector as one flat array, and its Anderson groups: per period t the values that
 * move together within an hour — v, Q, π_Q, π_v of every boundary at t — and one group of P and
 * π_P of every boundary and period (the energy exchange: batteries move energy between hours, so
 * the hours' P are coupled).
 */
export function exchangeLayout(x: readonly BoundaryState[]): {
  kinds: Kind[];
  T: number;
  groups: number[][];
  /** Entries of each per-phase price kind (scaled by its largest magnitude). */
  phasePrices: number[][];
} {
  const T = x[0]?.vSqPu.length ?? 0;
  const kinds = KINDS.filter((k) => x.every((b) => b[k] !== undefined));
  const K = kinds.length;
  const at = (b: number, t: number, k: number) => (b * T + t) * K + k;
  const perPeriod = Array.from({ length: T }, (_, t) => {
    const g: number[] = [];
    x.forEach((_, b) => kinds.forEach((k, ki) => k !== 'pPu' && k !== 'pricePPerPu' && g.push(at(b, t, ki))));
    return g;
  });
  const energy: number[] = [];
  x.forEach((_, b) => {
    for (let t = 0; t < T; t++)
      kinds.forEach((k, ki) => (k === 'pPu' || k === 'pricePPerPu') && energy.push(at(b, t, ki)));
  });
  // Three-phase boundaries' per-phase values after the balanced ones (phase-exchange.ts).
  const phase = phaseGroups(x, x.length * T * K);
  return {
    kinds,
    T,
    groups: [...perPeriod, energy, ...phase.groups].filter((g) => g.length > 0),
    phasePrices: phase.priceEntries,
  };
}

function flatten(x: readonly BoundaryState[], kinds: readonly Kind[], T: number): Float64Array {
  const out = new Float64Array(x.length * T * kinds.length + phaseLength(x));
  let i = 0;
  for (const b of x) for (let t = 0; t < T; t++) for (const k of kinds) out[i++] = b[k]![t]!;
  writePhase(x, out, i);
  return out;
}

function unflatten(
  f: Float64Array,
  like: readonly BoundaryState[],
  kinds: readonly Kind[],
  T: number,
): BoundaryState[] {
  let i = 0;
  const out = like.map((b) => {
    const s = copyState(b) as { -readonly [K in Kind]?: number[] };
    for (let t = 0; t < T; t++) for (const k of kinds) s[k]![t] = f[i++]!;
    return s as BoundaryState;
  });
  return readPhase(f, out, i);
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RoundRecord {
  readonly round: number;
  /** Largest boundary change of this round, pu, and its parts. */
  readonly maxChangePu: number;
  readonly maxChangeVPu: number;
  readonly maxChangePPu: number;
  readonly maxChangeQPu: number;
  /** Three-phase boundaries: largest |I' − I| of a per-phase current, pu (maxChangeVPu is then |V' − V|). */
  readonly maxChangeSPu?: number;
  /** Largest price change relative to the largest price of its kind (0 when prices are not tested). */
  readonly maxChangePriceRel: number;
  /** The relaxation factor used to form the next round's values. */
  readonly omega: number;
  /** Per area (index = area id − 1): wall seconds inside the area process. */
  readonly areaSeconds: number[];
  /** Per area: CPU seconds inside the area process (NaN where the process does not measure it). */
  readonly areaCpuSeconds: number[];
  readonly areaIterations: number[];
  /** Per area: how its round was solved (AreaStats.attempts; null where the area solver does not say). */
  readonly areaAttempts: (readonly AreaAttempt[] | null)[];
  readonly areaStatus: string[];
  readonly wallSeconds: number;
  /** Boundary values the areas returned this round (index = boundary id − 1). */
  readonly boundaries: BoundaryState[];
}

export type EnappStatus = 'converged' | 'maxRounds' | 'cancelled' | 'failed' | 'infeasible';

export interface EnappResult {
  readonly status: EnappStatus;
  readonly message: string;
  readonly rounds: RoundRecord[];
  /** Boundary values of the last completed round (what the areas returned). */
  readonly boundaries: BoundaryState[];
  /** Each area's last solution (index = area id − 1), as its solver returned it. */
  readonly areaSolutions: unknown[];
  readonly areaStats: (AreaStats | null)[];
  readonly restarts: { area: number; reason: string }[];
  /** The first round whose values were damped (null: never). */
  readonly dampingFromRound: number | null;
  readonly wallSeconds: number;
  /**
   * Σ over rounds of the slowest area's CPU seconds: the run's time with one core per area and
   * free communication (null when an area does not measure CPU time).
   */
  readonly criticalPathCpuSeconds: number | null;
  /** Rounds whose Anderson step was a safeguard restart (residual grew > 2×). */
  readonly andersonRestarts: number[];
  /** Status 'infeasible': the area whose problem has no solution, the round, and the limit that binds. */
  readonly infeasible?: {
    readonly area: number;
    readonly areaName: string;
    readonly round: number;
    readonly binding: string;
  };
}

export interface EnappHooks {
  readonly clock: Clock;
  readonly signal?: { readonly aborted: boolean; addEventListener?(type: 'abort', listener: () => void): void };
  onRound?(record: RoundRecord): void;
  onAreaProgress?(
    area: number,
    round: number,
    iter: number,
    objective: number,
    infPr: number,
    extra?: ProgressExtra,
  ): void;
  onAreaEvent?(area: number, event: 'started' | 'solved' | 'restarted', detail: string): void;
}

/** The area's process crashed, hung or misbehaved: worth one restart. */
class AreaFailure extends Error {}
/** The area's solver itself reported an error: a restart would not help. */
class AreaSolveError extends Error {}
/** The area's problem is infeasible for its inputs. */
class AreaInfeasible extends Error {
  constructor(
    message: string,
    readonly area: number,
    readonly areaName: string,
    readonly round: number,
    readonly binding: string,
  ) {
    super(message);
  }
}
class Cancelled extends Error {}
/** A start asked for after the run ended (refused: no process outlives its run). */
class RunEnded extends Error {}

interface Live {
  transport: AreaTransport;
  exited: string | null;
  waiters: ((m: FromArea | { type: 'exit'; reason: string }) => void)[];
  /** Re-arms the current wait's hang timer (a progress message arrived). */
  kick: (() => void) | null;
  lastHeard: number;
}

/**
 * Owns every area process of one run (see the file comment): each start goes through it, and
 * `endAll` stops all of them — also ones the coordinator no longer references — and refuses any
 * later start.
 */
export class AreaSupervisor {
  private readonly owned = new Set<AreaTransport>();
  private ended = false;

  constructor(private readonly spawnArea: SpawnArea) {}

  get hasEnded(): boolean {
    return this.ended;
  }

  /** Processes started and not yet known to have exited. */
  get running(): number {
    return this.owned.size;
  }

  start(area: number, name: string): AreaTransport {
    if (this.ended) throw new RunEnded(`area ${name}: not started, the run has ended`);
    const t = this.spawnArea(area, name);
    this.owned.add(t);
    t.onExit(() => this.owned.delete(t));
    return t;
  }

  /** End the run: no more starts; stop every process (cancel, then kill after `graceMs`); resolves when all are gone. */
  async endAll(graceMs: number): Promise<void> {
    this.ended = true;
    await Promise.all([...this.owned].map((t) => t.terminate(graceMs)));
    this.owned.clear();
  }
}

function inputsFor(area: EnappArea, boundaries: readonly EnappBoundary[], x: readonly BoundaryState[]): AreaInputs {
  const up = boundaries.find((b) => b.childArea === area.id);
  const upX = up ? x[up.id - 1]! : null;
  return {
    ...(upX && !upX.phase ? { rootVSqPu: upX.vSqPu } : {}),
    ...(upX?.pricePPerPu && upX.priceQPerPu ? { rootPrice: { pPerPu: upX.pricePPerPu, qPerPu: upX.priceQPerPu } } : {}),
    ...(upX?.phase ? { rootPhase: phaseVoltageInput(upX.phase) } : {}),
    childLoads: boundaries
      .filter((b) => b.parentArea === area.id)
      .map((b) => {
        const s = x[b.id - 1]!;
        return {
          boundary: b.id,
          pPu: s.pPu,
          qPu: s.qPu,
          ...(s.priceVPerPu ? { vPricePerPu: s.priceVPerPu } : {}),
          ...(s.phase ? { phase: phasePowerInput(s.phase) } : {}),
        };
      }),
  };
}

/** Validate the areas/boundaries: ids 1..n, one root, every boundary joins a parent to its child. */
export function checkAreaTree(areas: readonly EnappArea[], boundaries: readonly EnappBoundary[]): string[] {
  const errors: string[] = [];
  areas.forEach(
    (a, i) => a.id !== i + 1 && errors.push(`area ids must be 1..n in order (found ${a.id} at position ${i + 1})`),
  );
  const roots = areas.filter((a) => a.parent === null);
  if (roots.length !== 1) errors.push(`exactly one root area expected, found ${roots.length}`);
  for (const a of areas) {
    if (a.parent === null) continue;
    const b = boundaries.filter((x) => x.childArea === a.id);
    if (b.length !== 1) errors.push(`area ${a.name} must have exactly one boundary to its parent, has ${b.length}`);
    else if (b[0]!.parentArea !== a.parent)
      errors.push(`boundary ${b[0]!.bus} joins area ${a.name} to area ${b[0]!.parentArea}, not its parent ${a.parent}`);
  }
  boundaries.forEach(
    (b, i) => b.id !== i + 1 && errors.push(`boundary ids must be 1..n in order (found ${b.id} at position ${i + 1})`),
  );
  return errors;
}

export async function runEnapp(
  areas: readonly EnappArea[],
  boundaries: readonly EnappBoundary[],
  initial: readonly BoundaryState[],
  spawn: SpawnArea,
  options: EnappOptions,
  hooks: EnappHooks,
): Promise<EnappResult> {
  const tol = options.tolerancePu ?? 1e-3;
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const firstTimeoutMs = options.areaTimeoutMs ?? 300_000;
  const hangFactor = options.hangFactor ?? 10;
  const minHangMs = options.minHangMs ?? 30_000;
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const graceMs = options.graceMs ?? 2_000;
  const { clock, signal } = hooks;
  const t0 = clock.now();
  const treeErrors = checkAreaTree(areas, boundaries);
  if (treeErrors.length > 0) throw new Error(`Invalid area tree: ${treeErrors.join('; ')}`);

  const live: (Live | null)[] = areas.map(() => null);
  const supervisor = new AreaSupervisor(spawn);
  /** Per area: the longest it has been measured to take, ms (slowest round, longest silence); 0 = nothing measured yet. */
  const measuredMs: number[] = areas.map(() => 0);
  const hangLimitMs = (a: EnappArea): number =>
    measuredMs[a.id - 1]! > 0 ? Math.max(minHangMs, hangFactor * measuredMs[a.id - 1]!) : firstTimeoutMs;
  const restarted = new Set<number>();
  const restarts: { area: number; reason: string }[] = [];
  const andersonRestarts: number[] = [];
  const rounds: RoundRecord[] = [];
  const solutions: unknown[] = areas.map(() => null);
  const stats: (AreaStats | null)[] = areas.map(() => null);
  let x: BoundaryState[] = initial.map(copyState);
  let returned: BoundaryState[] = x;
  let omega = typeof options.damping === 'number' ? options.damping : 1;
  const anderson = options.acceleration === 'anderson';
  const andersonFrom = options.andersonFromRound ?? 2;
  const layout = exchangeLayout(initial);
  let accel: GroupedAnderson | null = null;
  /** Per area: the inputs it solved last (for the μ hint: how far its inputs moved since). */
  const lastInputs: (AreaInputs | null)[] = areas.map(() => null);
  const muHintFor = (a: EnappArea, inputs: AreaInputs): number | undefined => {
    if (!options.muHint) return undefined;
    const prev = lastInputs[a.id - 1];
    lastInputs[a.id - 1] = inputs;
    if (!prev) return undefined;
    let d = 0;
    const diff = (
      u: readonly number[] | undefined,
      w: readonly number[] | undefined,
      f: (v: number) => number = (v) => v,
    ) => {
      if (u && w) for (let t = 0; t < u.length; t++) d = Math.max(d, Math.abs(f(u[t]!) - f(w[t]!)));
    };
    diff(inputs.rootVSqPu, prev.rootVSqPu, (v) => Math.sqrt(Math.max(v, 0)));
    inputs.childLoads.forEach((c, i) => {
      diff(c.pPu, prev.childLoads[i]?.pPu);
      diff(c.qPu, prev.childLoads[i]?.qPu);
    });
    return Math.min(
      options.muHintMax ?? 1e-4,
      Math.max(options.muHintMin ?? 1e-9, (options.muHintScale ?? 100) * d * d),
    );
  };
  let dampingFromRound: number | null = typeof options.damping === 'number' && options.damping !== 1 ? 1 : null;

  const cancelers = new Set<() => void>();
  signal?.addEventListener?.('abort', () => [...cancelers].forEach((c) => c()));

  const start = (a: EnappArea): Live => {
    const transport = supervisor.start(a.id, a.name);
    const l: Live = { transport, exited: null, waiters: [], kick: null, lastHeard: clock.now() };
    transport.onMessage((m) => {
      if (m.type === 'progress') {
        const now = clock.now();
        // A silence between progress messages of a solve counts as a measurement (not the wait for 'ready').
        if (m.iter > 0) measuredMs[a.id - 1] = Math.max(measuredMs[a.id - 1]!, now - l.lastHeard);
        l.lastHeard = now;
        l.kick?.();
        hooks.onAreaProgress?.(a.id, m.round, m.iter, m.objective, m.infPr, m.extra);
      } else l.waiters.shift()?.(m);
    });
    transport.onExit((reason) => {
      l.exited = reason;
      for (const w of l.waiters.splice(0)) w({ type: 'exit', reason });
    });
    live[a.id - 1] = l;
    transport.send({ type: 'init', area: a.id, name: a.name, kind: a.kind, spec: a.spec });
    hooks.onAreaEvent?.(a.id, 'started', a.name);
    return l;
  };

  /**
   * Wait for the next message of an area, its exit, the hang limit or a cancel. `limitMs` null:
   * the area's hang limit, re-armed by every progress message; a number: a fixed limit.
   */
  const next = (a: EnappArea, l: Live, limitMs: number | null): Promise<FromArea> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Cancelled());
      if (l.exited) return reject(new AreaFailure(`area ${a.name} solver stopped: ${l.exited}`));
      const settle = () => {
        clock.clearTimeout(timer);
        l.kick = null;
        cancelers.delete(cancel);
        const i = l.waiters.indexOf(waiter);
        if (i >= 0) l.waiters.splice(i, 1);
      };
      const arm = (): unknown => {
        const measured = limitMs === null && measuredMs[a.id - 1]! > 0;
        const waitMs = limitMs ?? hangLimitMs(a);
        return clock.setTimeout(() => {
          settle();
          const why = measured
            ? `; the limit is ${hangFactor}× its slowest round, at least ${(minHangMs / 1000).toFixed(0)} s`
            : '';
          reject(new AreaFailure(`area ${a.name} did not answer within ${(waitMs / 1000).toFixed(0)} s (hung${why})`));
        }, waitMs);
      };
      let timer = arm();
      if (limitMs === null)
        l.kick = () => {
          clock.clearTimeout(timer);
          timer = arm();
        };
      const waiter = (m: FromArea | { type: 'exit'; reason: string }) => {
        settle();
        if (m.type === 'exit') reject(new AreaFailure(`area ${a.name} solver stopped: ${m.reason}`));
        else resolve(m);
      };
      const cancel = () => {
        settle();
        reject(new Cancelled());
      };
      cancelers.add(cancel);
      l.waiters.push(waiter);
    });

  /** One area's round: (re)start if needed, send the inputs, wait for its result; restart once on failure. */
  const solveArea = async (a: EnappArea, round: number, inputs: AreaInputs, muHint?: number) => {
    for (;;) {
      let l = live[a.id - 1];
      try {
        if (!l || l.exited) {
          l = start(a);
          const ready = await next(a, l, startTimeoutMs);
          if (ready.type === 'error') throw new AreaSolveError(`area ${a.name}: ${ready.message}`);
        }
        const sent = clock.now();
        l.lastHeard = sent;
        l.transport.send({ type: 'solve', round, inputs, ...(muHint !== undefined ? { muHint } : {}) });
        const m = await next(a, l, null);
        if (m.type === 'error') {
          if (m.status === 'infeasible')
            throw new AreaInfeasible(
              `area ${a.name} is infeasible in round ${round}: ${m.message}`,
              a.id,
              a.name,
              round,
              m.binding ?? 'no single limit identified',
            );
          throw new AreaSolveError(`area ${a.name}, round ${round}: ${m.message}`);
        }
        if (m.type !== 'result') throw new AreaFailure(`area ${a.name}: unexpected message "${m.type}"`);
        measuredMs[a.id - 1] = Math.max(measuredMs[a.id - 1]!, clock.now() - sent);
        hooks.onAreaEvent?.(
          a.id,
          'solved',
          `${m.stats.status}, ${m.stats.iterations} it, ${m.stats.seconds.toFixed(2)} s`,
        );
        return m;
      } catch (err) {
        if (!(err instanceof AreaFailure)) throw err;
        // The run has ended (another area failed, a cancel): the process was stopped under this wait. No restart.
        if (supervisor.hasEnded) throw err;
        if (options.restartOnce === false || restarted.has(a.id)) throw err;
        restarted.add(a.id);
        restarts.push({ area: a.id, reason: err.message });
        hooks.onAreaEvent?.(a.id, 'restarted', err.message);
        if (l) await l.transport.terminate(0);
        live[a.id - 1] = null;
      }
    }
  };

  const finish = async (
    status: EnappStatus,
    message: string,
    infeasible?: EnappResult['infeasible'],
  ): Promise<EnappResult> => {
    await supervisor.endAll(graceMs);
    const cpu = rounds.map((r) => Math.max(...r.areaCpuSeconds));
    return {
      status,
      message,
      rounds,
      boundaries: returned,
      areaSolutions: solutions,
      areaStats: stats,
      restarts,
      dampingFromRound,
      wallSeconds: (clock.now() - t0) / 1000,
      criticalPathCpuSeconds: cpu.some((c) => !Number.isFinite(c)) ? null : cpu.reduce((s, c) => s + c, 0),
      andersonRestarts,
      ...(infeasible ? { infeasible } : {}),
    };
  };

  try {
    let prevChange = Infinity;
    let prevPrevChange = Infinity;
    let growing = 0;
    for (let round = 1; round <= maxRounds; round++) {
      if (signal?.aborted) throw new Cancelled();
      const tr = clock.now();
      const results = await Promise.all(
        areas.map((a) => {
          const inputs = inputsFor(a, boundaries, x);
          return solveArea(a, round, inputs, muHintFor(a, inputs));
        }),
      );
      // x' from the areas' own sides of each boundary.
      const out: BoundaryState[] = boundaries.map((b) => {
        const parentOut = results[b.parentArea - 1]!.outputs as AreaOutputs;
        const childOut = results[b.childArea - 1]!.outputs as AreaOutputs;
        const v = parentOut.childVSq.find((c) => c.boundary === b.id);
        const old = x[b.id - 1]!;
        const prices = options.exchangePrices !== false;
        if (old.phase) {
          if (!v?.phase || !childOut.rootPhase)
            throw new AreaFailure(`boundary ${b.bus}: an area did not report its per-phase side`);
          return {
            vSqPu: [],
            pPu: [],
            qPu: [],
            phase: phaseFromOutputs(v.phase, childOut.rootPhase, old.phase, prices),
          };
        }
        if (!v || !childOut.rootPQ) throw new AreaFailure(`boundary ${b.bus}: an area did not report its side`);
        const pP = (prices ? v.pPricePerPu : undefined) ?? old.pricePPerPu;
        const pQ = (prices ? v.qPricePerPu : undefined) ?? old.priceQPerPu;
        const pV = (prices ? childOut.rootPQ.vPricePerPu : undefined) ?? old.priceVPerPu;
        return {
          vSqPu: [...v.vSqPu],
          pPu: [...childOut.rootPQ.pPu],
          qPu: [...childOut.rootPQ.qPu],
          ...(pP ? { pricePPerPu: [...pP] } : {}),
          ...(pQ ? { priceQPerPu: [...pQ] } : {}),
          ...(pV ? { priceVPerPu: [...pV] } : {}),
        };
      });
      let dv = 0;
      let dp = 0;
      let dq = 0;
      out.forEach((o, i) => {
        const old = x[i]!;
        for (let t = 0; t < o.vSqPu.length; t++) {
          dv = Math.max(dv, Math.abs(Math.sqrt(Math.max(o.vSqPu[t]!, 0)) - Math.sqrt(Math.max(old.vSqPu[t]!, 0))));
          dp = Math.max(dp, Math.abs(o.pPu[t]! - old.pPu[t]!));
          dq = Math.max(dq, Math.abs(o.qPu[t]! - old.qPu[t]!));
        }
      });
      const ph = phaseChange(out, x);
      dv = Math.max(dv, ph.dv);
      const change = Math.max(dv, dp, dq, ph.di);
      // Prices (when exchanged and part of the test): largest change relative to the largest price of its kind.
      let dPrice = 0;
      if (options.priceTest !== undefined && options.exchangePrices !== false) {
        for (const k of ['pricePPerPu', 'priceQPerPu', 'priceVPerPu'] as const) {
          let scale = 0;
          out.forEach((o) => o[k]?.forEach((v) => (scale = Math.max(scale, Math.abs(v)))));
          if (!(scale > 0)) continue;
          out.forEach((o, i) => {
            const a = o[k];
            const b = x[i]![k];
            if (a && b) for (let t = 0; t < a.length; t++) dPrice = Math.max(dPrice, Math.abs(a[t]! - b[t]!) / scale);
          });
        }
        dPrice = Math.max(dPrice, phasePriceChange(out, x));
      }
      results.forEach((r, i) => {
        solutions[i] = r.solution ?? null;
        stats[i] = r.stats;
      });
      if (!anderson && (options.damping === 'auto' || options.damping === undefined)) {
        growing = change > prevChange ? growing + 1 : 0;
        // Also a 2-cycle (values flipping between two states: the change alternates and never
        // grows twice running, seen with OPF areas whose reactive power answers prices bang-bang):
        // no decrease over two rounds.
        const cycling = change >= tol && change >= prevPrevChange;
        if ((growing >= 2 || cycling) && omega === 1) {
          omega = 0.5;
          dampingFromRound = round + 1;
        }
      }
      const record: RoundRecord = {
        round,
        maxChangePu: change,
        maxChangeVPu: dv,
        maxChangePPu: dp,
        maxChangeQPu: dq,
        ...(out.some((o) => o.phase) ? { maxChangeSPu: ph.di } : {}),
        maxChangePriceRel: dPrice,
        omega,
        areaSeconds: results.map((r) => r.stats.seconds),
        areaCpuSeconds: results.map((r) => r.stats.cpuSeconds ?? NaN),
        areaIterations: results.map((r) => r.stats.iterations),
        areaAttempts: results.map((r) => r.stats.attempts ?? null),
        areaStatus: results.map((r) => r.stats.status),
        wallSeconds: (clock.now() - tr) / 1000,
        boundaries: out,
      };
      rounds.push(record);
      returned = out;
      hooks.onRound?.(record);
      if (change < tol && dPrice < (options.priceTest ?? Infinity))
        return await finish(
          'converged',
          `converged in ${round} rounds: largest boundary change ${change.toExponential(2)} pu < ${tol} pu${options.priceTest !== undefined ? `, largest price change ${dPrice.toExponential(2)} < ${options.priceTest} relative` : ''}`,
        );
      if (anderson) {
        const xf = flatten(x, layout.kinds, layout.T);
        const gf = flatten(out, layout.kinds, layout.T);
        if (!accel) {
          // Scale: values as they are (pu, the convergence test's units); each price kind by its largest magnitude.
          const scale = new Float64Array(xf.length).fill(1);
          const nBalanced = x.length * layout.T * layout.kinds.length;
          layout.kinds.forEach((k, ki) => {
            if (!k.startsWith('price')) return;
            let m = 0;
            for (let i = ki; i < nBalanced; i += layout.kinds.length)
              m = Math.max(m, Math.abs(xf[i]!), Math.abs(gf[i]!));
            for (let i = ki; i < nBalanced; i += layout.kinds.length) scale[i] = m > 0 ? m : 1;
          });
          for (const entries of layout.phasePrices) {
            let m = 0;
            for (const i of entries) m = Math.max(m, Math.abs(xf[i]!), Math.abs(gf[i]!));
            for (const i of entries) scale[i] = m > 0 ? m : 1;
          }
          accel = new GroupedAnderson(layout.groups, scale, {
            ...(options.andersonMemory ? { memory: options.andersonMemory } : {}),
          });
        }
        const st = accel.step(xf, gf, omega, round >= andersonFrom);
        if (st.restarted) andersonRestarts.push(round);
        x = withFreshSensitivity(unflatten(st.x, x, layout.kinds, layout.T), out);
        prevPrevChange = prevChange;
        prevChange = change;
        continue;
      }
      x = x.map((old, i) => {
        const o = out[i]!;
        const mix = (a: number[], b: number[]) => a.map((v, t) => v + omega * (b[t]! - v));
        const mixOpt = (a: number[] | undefined, b: number[] | undefined) => (a && b ? mix(a, b) : (b ?? a));
        const pP = mixOpt(old.pricePPerPu, o.pricePPerPu);
        const pQ = mixOpt(old.priceQPerPu, o.priceQPerPu);
        const pV = mixOpt(old.priceVPerPu, o.priceVPerPu);
        return {
          vSqPu: mix(old.vSqPu, o.vSqPu),
          pPu: mix(old.pPu, o.pPu),
          qPu: mix(old.qPu, o.qPu),
          ...(pP ? { pricePPerPu: pP } : {}),
          ...(pQ ? { priceQPerPu: pQ } : {}),
          ...(pV ? { priceVPerPu: pV } : {}),
          ...(old.phase && o.phase ? { phase: mixPhase(old.phase, o.phase, omega) } : {}),
        };
      });
      prevPrevChange = prevChange;
      prevChange = change;
    }
    return await finish(
      'maxRounds',
      `not converged after ${maxRounds} rounds: largest boundary change ${rounds.at(-1)!.maxChangePu.toExponential(2)} pu ≥ ${tol} pu`,
    );
  } catch (err) {
    if (err instanceof Cancelled) return finish('cancelled', 'cancelled by the user');
    if (err instanceof AreaInfeasible)
      return finish('infeasible', err.message, {
        area: err.area,
        areaName: err.areaName,
        round: err.round,
        binding: err.binding,
      });
    return finish('failed', err instanceof Error ? err.message : String(err));
  }
}
