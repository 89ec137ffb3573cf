/**
 * The messages between the ENApp coordinator and one area's solver process (spec "Spatial
 * decomposition"). Transport-agnostic: Node child processes, worker threads and Electron utility
 * processes all carry these objects (structured clone), and tests can call an area in-process.
 *
 * Boundary values (3 numbers per boundary per period, in per unit):
 *   parent → child: v^t, the squared voltage magnitude of the boundary bus in the parent's solution;
 *   child → parent: P^t, Q^t, the power entering the child area at its root (the boundary bus).
 */

/**
 * Three-phase boundaries (area kind 'opf3', docs/spec/mpopf-formulation.md "Three-phase feeders:
 * per-phase boundary values"): per period t and exchanged node k of the boundary bus (its phase
 * nodes the child area reaches), index t·nodes + k, in pu of the node's base. Parent → child: the
 * node voltage V = vRe + j vIm and (exact coordination) the parent's marginal objective per pu of
 * current drawn there (the multipliers of its current balance (U1) at the node).
 */
export interface PhaseVoltage {
  readonly nodes: number;
  readonly vRe: readonly number[];
  readonly vIm: readonly number[];
  readonly priceP?: readonly number[];
  readonly priceQ?: readonly number[];
}

/** Child → parent: the current I = p + j q the child draws at each node, and (exact) its marginal objective per pu of the node's voltage (e, f). */
export interface PhasePower {
  readonly nodes: number;
  readonly p: readonly number[];
  readonly q: readonly number[];
  readonly priceVRe?: readonly number[];
  readonly priceVIm?: readonly number[];
}

/** More of an interior-point iteration (Ipopt's columns) when the area solver has them. */
export interface ProgressExtra {
  readonly infDu: number;
  readonly lgMu: number;
}

/** What one area is given each round. */
export interface AreaInputs {
  /** Child areas: squared root (boundary-bus) voltage per period, from the parent. */
  readonly rootVSqPu?: readonly number[];
  /** Parent areas: each child boundary's equivalent load per period, from the child. */
  readonly childLoads: readonly {
    readonly boundary: number;
    readonly pPu: readonly number[];
    readonly qPu: readonly number[];
    /** Optional price exchange: the child's marginal objective per unit of boundary v^t (see BoundaryState). */
    readonly vPricePerPu?: readonly number[];
    /** Three-phase boundaries: the child's per-phase draw (pPu, qPu are then empty). */
    readonly phase?: PhasePower;
  }[];
  /** Child areas, optional price exchange: the parent's marginal objective per pu of P^t and Q^t drawn at the boundary. */
  readonly rootPrice?: { readonly pPerPu: readonly number[]; readonly qPerPu: readonly number[] };
  /** Three-phase child areas: the root (boundary) bus's node voltages from the parent (rootVSqPu absent). */
  readonly rootPhase?: PhaseVoltage;
}

/** What one area returns each round. */
export interface AreaOutputs {
  /** Child areas: the power entering the area at its root, per period (and, optionally, the area's marginal objective per unit of root v^t). */
  readonly rootPQ?: {
    readonly pPu: readonly number[];
    readonly qPu: readonly number[];
    readonly vPricePerPu?: readonly number[];
  };
  /** Three-phase child areas: the current drawn at each root node (instead of rootPQ). */
  readonly rootPhase?: PhasePower;
  /** Parent areas: squared voltage of each child boundary bus, per period (and, optionally, its marginal objective per pu of P, Q drawn there). */
  readonly childVSq: readonly {
    readonly boundary: number;
    readonly vSqPu: readonly number[];
    readonly pPricePerPu?: readonly number[];
    readonly qPricePerPu?: readonly number[];
    /** Three-phase boundaries: the boundary bus's node voltages (vSqPu is then empty). */
    readonly phase?: PhaseVoltage;
  }[];
}

export interface AreaStats {
  readonly status: string;
  readonly iterations: number;
  /** Wall time of the round inside the area process. */
  readonly seconds: number;
  /** CPU time of the round inside the area process (user + system; process.cpuUsage), when the process measures it. */
  readonly cpuSeconds?: number;
  readonly objective: number;
  /** The interior-point tolerance of an inexact round (absent: the full tolerance). */
  readonly tolerance?: number;
  /**
   * How the round was solved, when the area solver tells: each interior-point start in order
   * (`start`: 'cold', 'tiny' μ warm start, 'central'-path warm start, the coordinator's μ 'hint',
   * or 'skipped' — inputs unchanged, the last answer returned without a solve), its iterations,
   * whether it ended optimal, and whether it was abandoned early (a warm start that did not contract).
   */
  readonly attempts?: readonly AreaAttempt[];
  /** Largest change of the area's boundary inputs since its last round, pu (Infinity in its first). */
  readonly inputChangePu?: number;
}

/** One interior-point start within an area's round (AreaStats.attempts). */
export interface AreaAttempt {
  readonly start: 'cold' | 'tiny' | 'central' | 'hint' | 'skipped';
  readonly iterations: number;
  readonly ok: boolean;
  readonly abandoned?: boolean;
}

export type ToArea =
  /**
   * Build the area's model once; `spec` is whatever the area solver factory of `kind` takes. A
   * process may be given several areas (each its own init); every message it sends names its area.
   */
  | {
      readonly type: 'init';
      readonly area: number;
      readonly name: string;
      readonly kind: string;
      readonly spec: unknown;
    }
  /** Solve round `round` with these boundary inputs (warm-started from the previous round). */
  | {
      readonly type: 'solve';
      readonly round: number;
      /**
       * The area to solve, in a process that hosts several (a pool of processes, e.g.
       * nodeAreaPool); absent: the one area the process was given.
       */
      readonly area?: number;
      readonly inputs: AreaInputs;
      /**
       * The coordinator's hint for the warm start (exact mode): the barrier parameter to restart
       * the area's interior point at, centred on its last iterate (large while the boundary values
       * still move, tiny once they settle). Absent: the area solver's own rule.
       */
      readonly muHint?: number;
    }
  /** Stop the current solve as soon as possible and exit. */
  | { readonly type: 'cancel' };

export type FromArea =
  | { readonly type: 'ready'; readonly area: number }
  | {
      readonly type: 'progress';
      readonly area: number;
      readonly round: number;
      readonly iter: number;
      readonly objective: number;
      readonly infPr: number;
      readonly extra?: ProgressExtra;
    }
  | {
      readonly type: 'result';
      readonly area: number;
      readonly round: number;
      readonly outputs: AreaOutputs;
      readonly stats: AreaStats;
      readonly solution?: unknown;
    }
  | {
      readonly type: 'error';
      readonly area: number;
      readonly round: number | null;
      readonly message: string;
      /** 'infeasible': the area's own problem has no solution for these inputs (`binding` names the limit); otherwise a plain error. */
      readonly status?: 'infeasible';
      /** The limit that binds hardest (bus, hour), when the area solver can tell. */
      readonly binding?: string;
    };

/** Thrown by an area solver whose problem is infeasible; the worker reports it as an 'error' with status 'infeasible'. */
export class AreaInfeasibleError extends Error {
  constructor(
    message: string,
    readonly binding: string,
  ) {
    super(message);
    this.name = 'AreaInfeasibleError';
  }
}

/** The solver side of one area: built once from its spec, then solved once per round. */
export interface AreaSolver {
  solve(
    inputs: AreaInputs,
    round: number,
    hooks: {
      onProgress?: (iter: number, objective: number, infPr: number, extra?: ProgressExtra) => void;
      signal?: { readonly aborted: boolean };
      muHint?: number;
    },
  ): { outputs: AreaOutputs; stats: AreaStats; solution?: unknown };
}

export type AreaSolverFactory = (spec: unknown) => AreaSolver;

/** One end of a connection to an area process, as the coordinator sees it. */
export interface AreaTransport {
  send(message: ToArea): void;
  onMessage(listener: (message: FromArea) => void): void;
  /** Called once when the process ends for any reason; `reason` is human-readable ("exit code 1", "killed by SIGKILL"). */
  onExit(listener: (reason: string) => void): void;
  /**
   * Ask to stop (cancel message), then force-kill after `graceMs`; resolves when the process is
   * gone. An exit after `terminate` is reported as stopped on request, not as a crash.
   */
  terminate(graceMs: number): Promise<void>;
  /** The operating-system process id, where there is one (diagnostics, tests). */
  readonly pid?: number;
}

/** Starts a fresh process for an area (Electron: utilityProcess.fork; Node: child_process.fork). */
export type SpawnArea = (area: number, name: string) => AreaTransport;
