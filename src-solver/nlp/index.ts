/** Public API of the interior-point NLP solver (Wächter & Biegler 2006, Ipopt's algorithm). */
export { solveNlp } from './ipm';
export {
  checkDerivatives,
  type DerivativeCheckOptions,
  type DerivativeCheckResult,
  type DerivativeError,
} from './derivativeCheck';
export type { SolveStatus } from './status';
export { STATUS_DESCRIPTIONS } from './status';
export type { SolveOptions } from './options';
export type { IterationRecord, SolveHooks, SolveResult, SolveTiming, StepBlocking, StepRecord } from './types';
export type { NlpProblem, SparseStructure } from './problem';
export { createSolverWorkspace, type SolverWorkspace } from './workspace';
