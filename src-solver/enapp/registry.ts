/**
 * Area solver factories by name: what an area process can build from an `init` message.
 * The multi-period OPF area registers itself here as 'opf'.
 */
import { createCentralArea } from './central-area';
import { createOpfArea } from './opf-area';
import type { AreaSolverFactory } from './protocol';

export const areaSolverFactories: Record<string, AreaSolverFactory> = {
  /** One area of the distributed multi-period OPF (opf-area.ts). */
  opf: createOpfArea,
  /** The whole feeder's OPF as one area (centralized runs through the same process machinery). */
  central: createCentralArea,
};
