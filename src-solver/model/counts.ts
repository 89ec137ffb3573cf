/**
 * What a feeder holds, counted: the one definition behind the import preview, `tessera import`'s
 * summary and the project's feeder list.
 */
import type { Feeder } from './feeder';

export interface FeederCounts {
  readonly buses: number;
  readonly branches: number;
  readonly loads: number;
  readonly pv: number;
  readonly batteries: number;
  readonly capacitors: number;
}

export function feederCounts(f: Feeder): FeederCounts {
  return {
    buses: f.buses.length,
    branches: f.branches.length,
    loads: f.loads.length,
    pv: f.pv.length,
    batteries: f.batteries.length,
    capacitors: f.capacitors.length,
  };
}

/** The counts of nothing read (a failed import). */
export const NO_COUNTS: FeederCounts = { buses: 0, branches: 0, loads: 0, pv: 0, batteries: 0, capacitors: 0 };
