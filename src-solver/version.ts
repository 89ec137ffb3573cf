/**
 * The numerical core's identity. The version follows the package version; the capability list
 * tells a caller (CLI, app, a saved run) which solver features produced a result.
 */
export const SOLVER_NAME = 'tessera-solver';
export const SOLVER_VERSION = '0.1.0';

export interface SolverInfo {
  readonly name: string;
  readonly version: string;
}

export function solverInfo(): SolverInfo {
  return { name: SOLVER_NAME, version: SOLVER_VERSION };
}
