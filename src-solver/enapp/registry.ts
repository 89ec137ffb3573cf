/**
 * Area solver factories by name: what an area process can build from an `init` message.
 * The multi-period OPF area registers itself here as 'opf'.
 */
import { createLinDistFlowArea } from './lindistflow-area';
import type { AreaSolverFactory } from './protocol';

export const areaSolverFactories: Record<string, AreaSolverFactory> = {
  lindistflow: createLinDistFlowArea,
};
