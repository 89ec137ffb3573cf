/**
 * How a solve ended. Each status is something a caller can act on; `statusMessage` gives the
 * one-sentence human-readable reason (the solver appends specifics such as the iteration count).
 *
 * Mapping to Ipopt's ApplicationReturnStatus (Wächter & Biegler 2006; IpReturnCodes.h):
 *   solved ↔ Solve_Succeeded, acceptable ↔ Solved_To_Acceptable_Level,
 *   infeasible ↔ Infeasible_Problem_Detected, maxIterations ↔ Maximum_Iterations_Exceeded,
 *   maxTime ↔ Maximum_CpuTime_Exceeded, cancelled ↔ User_Requested_Stop,
 *   numericalError ↔ Error_In_Step_Computation / Search_Direction_Becomes_Too_Small,
 *   restorationFailed ↔ Restoration_Failed, unbounded ↔ Diverging_Iterates,
 *   invalidProblem ↔ Invalid_Problem_Definition / Invalid_Number_Detected at the start.
 */
export type SolveStatus =
  | 'solved'
  | 'acceptable'
  | 'infeasible'
  | 'maxIterations'
  | 'maxTime'
  | 'cancelled'
  | 'numericalError'
  | 'restorationFailed'
  | 'unbounded'
  | 'invalidProblem';

/** One sentence per status (what it means for the caller). */
export const STATUS_DESCRIPTIONS: Readonly<Record<SolveStatus, string>> = {
  solved:
    'Optimal solution found: the scaled KKT error is below tol and the unscaled constraint violation, dual infeasibility and complementarity are below their tolerances.',
  acceptable:
    'Solved to an acceptable level: the looser acceptable tolerances held for acceptableIter consecutive iterations (or progress stalled at an acceptable point), but tol was not reached.',
  infeasible:
    'The problem is locally infeasible: the restoration phase converged to a minimizer of the constraint violation that is not feasible.',
  maxIterations: 'The iteration limit was reached before convergence; the last iterate is returned.',
  maxTime: 'The time limit was reached before convergence; the last iterate is returned.',
  cancelled:
    'The caller stopped the solve (abort signal or onIteration returning false); the last iterate is returned.',
  numericalError:
    'The step computation failed (the KKT matrix could not be regularized, or the search direction became too small away from a solution).',
  restorationFailed:
    'The line search failed and the feasibility restoration phase could not find a point acceptable to the filter.',
  unbounded:
    'The iterates diverge (|x| or -f exceeds the divergence threshold): the problem is probably unbounded below.',
  invalidProblem:
    'The problem definition is invalid (inconsistent bounds, bad structure, or NaN/Inf at the starting point).',
};

/** The message for a status with a specific detail appended. */
export function statusMessage(status: SolveStatus, detail?: string): string {
  return detail ? `${STATUS_DESCRIPTIONS[status]} ${detail}` : STATUS_DESCRIPTIONS[status];
}
