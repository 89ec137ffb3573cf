/**
 * Area solver factories by name: what an area process can build from an `init` message.
 * The multi-period OPF area registers itself here as 'opf'.
 */
import { createCentralArea } from './central-area';
import { createOpfArea } from './opf-area';
import { createOpf3Area } from './opf3-area';
import type { AreaSolverFactory } from './protocol';

export const areaSolverFactories: Record<string, AreaSolverFactory> = {
  /** One area of the distributed multi-period OPF (opf-area.ts). */
  opf: createOpfArea,
  /** One area of the distributed three-phase OPF, per-phase boundary values (opf3-area.ts). */
  opf3: createOpf3Area,
  /** The whole feeder's OPF as one area (centralized runs through the same process machinery). */
  central: createCentralArea,
};
