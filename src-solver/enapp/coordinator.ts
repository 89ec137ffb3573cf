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
 *
 * Transport-agnostic: areas are reached through `SpawnArea` (processes in the app and CLI,
 * in-process in some tests). An area process that exits or stays silent past the timeout is
 * restarted once (its model is rebuilt; the round is re-sent); a second failure ends the run
 * with a message naming the area. Every process is terminated before `runEnapp` resolves —
 * after success, failure and cancel alike — so none is left behind.
 *
 * Pure: time and timers come in through `clock`, cancellation through `signal`.
 */
import type { AreaInputs, AreaOutputs, AreaStats, AreaTransport, FromArea, ProgressExtra, SpawnArea } from './protocol';

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
}

function copyState(b: BoundaryState): BoundaryState {
  return {
    vSqPu: [...b.vSqPu],
    pPu: [...b.pPu],
    qPu: [...b.qPu],
    ...(b.pricePPerPu ? { pricePPerPu: [...b.pricePPerPu] } : {}),
    ...(b.priceQPerPu ? { priceQPerPu: [...b.priceQPerPu] } : {}),
    ...(b.priceVPerPu ? { priceVPerPu: [...b.priceVPerPu] } : {}),
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
  /** An area that has not answered a round within this time is treated as hung. */
  readonly areaTimeoutMs?: number;
  /** An area process that has not built its model (answered `init`) within this time is treated as hung. */
  readonly startTimeoutMs?: number;
  /** Restart a crashed or hung area once before giving up. */
  readonly restartOnce?: boolean;
  /** 'auto': ω = 1, halved to 0.5 once the change grows two rounds running or is no smaller than two rounds before (a 2-cycle); a number fixes ω. */
  readonly damping?: 'auto' | number;
  /** How long a process gets to exit after a cancel before it is killed. */
  readonly graceMs?: number;
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
  /** The relaxation factor used to form the next round's values. */
  readonly omega: number;
  /** Per area (index = area id − 1). */
  readonly areaSeconds: number[];
  readonly areaIterations: number[];
  readonly areaStatus: string[];
  readonly wallSeconds: number;
  /** Boundary values the areas returned this round (index = boundary id − 1). */
  readonly boundaries: BoundaryState[];
}

export type EnappStatus = 'converged' | 'maxRounds' | 'cancelled' | 'failed';

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
}

export interface EnappHooks {
  readonly clock: Clock;
  readonly signal?: { readonly aborted: boolean; addEventListener?(type: 'abort', listener: () => void): void };
  onRound?(record: RoundRecord): void;
  onAreaProgress?(area: number, round: number, iter: number, objective: number, infPr: number, extra?: ProgressExtra): void;
  onAreaEvent?(area: number, event: 'started' | 'solved' | 'restarted', detail: string): void;
}

/** The area's process crashed, hung or misbehaved: worth one restart. */
class AreaFailure extends Error {}
/** The area's solver itself reported an error (e.g. infeasible): a restart would not help. */
class AreaSolveError extends Error {}
class Cancelled extends Error {}

interface Live {
  transport: AreaTransport;
  exited: string | null;
  waiters: ((m: FromArea | { type: 'exit'; reason: string }) => void)[];
}

function inputsFor(area: EnappArea, boundaries: readonly EnappBoundary[], x: readonly BoundaryState[]): AreaInputs {
  const up = boundaries.find((b) => b.childArea === area.id);
  const upX = up ? x[up.id - 1]! : null;
  return {
    ...(upX ? { rootVSqPu: upX.vSqPu } : {}),
    ...(upX?.pricePPerPu && upX.priceQPerPu ? { rootPrice: { pPerPu: upX.pricePPerPu, qPerPu: upX.priceQPerPu } } : {}),
    childLoads: boundaries
      .filter((b) => b.parentArea === area.id)
      .map((b) => {
        const s = x[b.id - 1]!;
        return { boundary: b.id, pPu: s.pPu, qPu: s.qPu, ...(s.priceVPerPu ? { vPricePerPu: s.priceVPerPu } : {}) };
      }),
  };
}

/** Validate the areas/boundaries: ids 1..n, one root, every boundary joins a parent to its child. */
export function checkAreaTree(areas: readonly EnappArea[], boundaries: readonly EnappBoundary[]): string[] {
  const errors: string[] = [];
  areas.forEach((a, i) => a.id !== i + 1 && errors.push(`area ids must be 1..n in order (found ${a.id} at position ${i + 1})`));
  const roots = areas.filter((a) => a.parent === null);
  if (roots.length !== 1) errors.push(`exactly one root area expected, found ${roots.length}`);
  for (const a of areas) {
    if (a.parent === null) continue;
    const b = boundaries.filter((x) => x.childArea === a.id);
    if (b.length !== 1) errors.push(`area ${a.name} must have exactly one boundary to its parent, has ${b.length}`);
    else if (b[0]!.parentArea !== a.parent) errors.push(`boundary ${b[0]!.bus} joins area ${a.name} to area ${b[0]!.parentArea}, not its parent ${a.parent}`);
  }
  boundaries.forEach((b, i) => b.id !== i + 1 && errors.push(`boundary ids must be 1..n in order (found ${b.id} at position ${i + 1})`));
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
  const timeoutMs = options.areaTimeoutMs ?? 300_000;
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const graceMs = options.graceMs ?? 2_000;
  const { clock, signal } = hooks;
  const t0 = clock.now();
  const treeErrors = checkAreaTree(areas, boundaries);
  if (treeErrors.length > 0) throw new Error(`Invalid area tree: ${treeErrors.join('; ')}`);

  const live: (Live | null)[] = areas.map(() => null);
  const restarted = new Set<number>();
  /** Set once the run ends: an area whose process is stopped by the end is not restarted. */
  let ended = false;
  const restarts: { area: number; reason: string }[] = [];
  const rounds: RoundRecord[] = [];
  const solutions: unknown[] = areas.map(() => null);
  const stats: (AreaStats | null)[] = areas.map(() => null);
  let x: BoundaryState[] = initial.map(copyState);
  let returned: BoundaryState[] = x;
  let omega = typeof options.damping === 'number' ? options.damping : 1;
  let dampingFromRound: number | null = typeof options.damping === 'number' && options.damping !== 1 ? 1 : null;

  const cancelers = new Set<() => void>();
  signal?.addEventListener?.('abort', () => [...cancelers].forEach((c) => c()));

  const start = (a: EnappArea): Live => {
    const transport = spawn(a.id, a.name);
    const l: Live = { transport, exited: null, waiters: [] };
    transport.onMessage((m) => {
      if (m.type === 'progress') hooks.onAreaProgress?.(a.id, m.round, m.iter, m.objective, m.infPr, m.extra);
      else l.waiters.shift()?.(m);
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

  /** Wait for the next message of an area, its exit, the timeout or a cancel. */
  const next = (a: EnappArea, l: Live, waitMs: number): Promise<FromArea> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Cancelled());
      if (l.exited) return reject(new AreaFailure(`area ${a.name} solver stopped: ${l.exited}`));
      const settle = () => {
        clock.clearTimeout(timer);
        cancelers.delete(cancel);
        const i = l.waiters.indexOf(waiter);
        if (i >= 0) l.waiters.splice(i, 1);
      };
      const timer = clock.setTimeout(() => {
        settle();
        reject(new AreaFailure(`area ${a.name} did not answer within ${(waitMs / 1000).toFixed(0)} s (hung)`));
      }, waitMs);
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
  const solveArea = async (a: EnappArea, round: number, inputs: AreaInputs) => {
    for (;;) {
      let l = live[a.id - 1];
      try {
        if (!l || l.exited) {
          l = start(a);
          const ready = await next(a, l, startTimeoutMs);
          if (ready.type === 'error') throw new AreaSolveError(`area ${a.name}: ${ready.message}`);
        }
        l.transport.send({ type: 'solve', round, inputs });
        const m = await next(a, l, timeoutMs);
        if (m.type === 'error') throw new AreaSolveError(`area ${a.name}, round ${round}: ${m.message}`);
        if (m.type !== 'result') throw new AreaFailure(`area ${a.name}: unexpected message "${m.type}"`);
        hooks.onAreaEvent?.(a.id, 'solved', `${m.stats.status}, ${m.stats.iterations} it, ${m.stats.seconds.toFixed(2)} s`);
        return m;
      } catch (err) {
        if (!(err instanceof AreaFailure)) throw err;
        if (ended || options.restartOnce === false || restarted.has(a.id)) throw err;
        restarted.add(a.id);
        restarts.push({ area: a.id, reason: err.message });
        hooks.onAreaEvent?.(a.id, 'restarted', err.message);
        if (l) await l.transport.terminate(0);
        live[a.id - 1] = null;
      }
    }
  };

  const finish = async (status: EnappStatus, message: string): Promise<EnappResult> => {
    ended = true;
    await Promise.all(live.map((l) => l?.transport.terminate(graceMs)));
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
    };
  };

  try {
    let prevChange = Infinity;
    let prevPrevChange = Infinity;
    let growing = 0;
    for (let round = 1; round <= maxRounds; round++) {
      if (signal?.aborted) throw new Cancelled();
      const tr = clock.now();
      const results = await Promise.all(areas.map((a) => solveArea(a, round, inputsFor(a, boundaries, x))));
      // x' from the areas' own sides of each boundary.
      const out: BoundaryState[] = boundaries.map((b) => {
        const parentOut = results[b.parentArea - 1]!.outputs as AreaOutputs;
        const childOut = results[b.childArea - 1]!.outputs as AreaOutputs;
        const v = parentOut.childVSq.find((c) => c.boundary === b.id);
        if (!v || !childOut.rootPQ) throw new AreaFailure(`boundary ${b.bus}: an area did not report its side`);
        const old = x[b.id - 1]!;
        const pP = v.pPricePerPu ?? old.pricePPerPu;
        const pQ = v.qPricePerPu ?? old.priceQPerPu;
        const pV = childOut.rootPQ.vPricePerPu ?? old.priceVPerPu;
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
      const change = Math.max(dv, dp, dq);
      results.forEach((r, i) => {
        solutions[i] = r.solution ?? null;
        stats[i] = r.stats;
      });
      if (options.damping === 'auto' || options.damping === undefined) {
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
        omega,
        areaSeconds: results.map((r) => r.stats.seconds),
        areaIterations: results.map((r) => r.stats.iterations),
        areaStatus: results.map((r) => r.stats.status),
        wallSeconds: (clock.now() - tr) / 1000,
        boundaries: out,
      };
      rounds.push(record);
      returned = out;
      hooks.onRound?.(record);
      if (change < tol) return await finish('converged', `converged in ${round} rounds: largest boundary change ${change.toExponential(2)} pu < ${tol} pu`);
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
        };
      });
      prevPrevChange = prevChange;
      prevChange = change;
    }
    return await finish('maxRounds', `not converged after ${maxRounds} rounds: largest boundary change ${rounds.at(-1)!.maxChangePu.toExponential(2)} pu ≥ ${tol} pu`);
  } catch (err) {
    if (err instanceof Cancelled) return finish('cancelled', 'cancelled by the user');
    return finish('failed', err instanceof Error ? err.message : String(err));
  }
}
