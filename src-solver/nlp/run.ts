/**
 * The internal interface of one interior-point run (ipm.ts): how a run is controlled and what it
 * returns. The restoration phase (restoration.ts) runs the same algorithm on its own problem and
 * is handed the runner (`IpmRunner`) by the loop that calls it, as Ipopt's restoration phase is
 * handed its algorithm object: restoration.ts does not import ipm.ts.
 */
import type { Iterate } from './iterate';
import type { ResolvedOptions } from './options';
import type { NlpProblem } from './problem';
import type { SolveHooks, SolveResult } from './types';
import type { SolverWorkspace } from './workspace';

/** Internal control of a (possibly nested) run. */
export interface RunControl {
  /** 0 for the user's problem, 1 inside the restoration phase. */
  depth: number;
  /** Added to the iteration numbers reported. */
  iterOffset: number;
  /** Clock value (ms) at which the whole solve started. */
  startMs: number;
  /** Restoration phase: called after each accepted iteration; true ends the run as 'solved' with `stoppedByCaller`. */
  acceptIterate?: (it: Iterate) => boolean;
  /** Restoration phase: the warm-start multipliers of slacks (length nS each) in internal units. */
  slackMultipliers?: { vL: Float64Array; vU: Float64Array };
  /** The user's problem only: a workspace whose KKT system (pattern + symbolic LDLᵀ) is reused when the structure matches (workspace.ts). */
  workspace?: SolverWorkspace;
}

export interface RunOutcome {
  result: SolveResult;
  /** The final internal iterate (for the restoration phase's caller). */
  final: Iterate;
  /** True when RunControl.acceptIterate ended the run. */
  stoppedByAccept: boolean;
}

/** Runs the algorithm on a validated problem with resolved options (ipm.ts `runIpm`). */
export type IpmRunner = (p: NlpProblem, opts: ResolvedOptions, hooks: SolveHooks, ctl: RunControl) => RunOutcome;
