/**
 * Default study settings of a new scenario. The solver options are the solver's own defaults
 * (src-solver/opf/study.ts STUDY_DEFAULTS, opf/solve.ts OPF_NLP_DEFAULTS, enapp/distributed.ts
 * DEFAULT_BOUNDARY_TOLERANCE_PU), which are the source papers' IEEE 123 study (spec "Parameters of
 * the IEEE 123 case"): 24 hourly periods from midnight, substation energy cost objective, hard
 * terminal SOC, the papers' battery box, the exact (non-relaxed) branch equation, 0.95–1.05 pu,
 * no current limits, α = 0.001, Ipopt's tolerance 1e-8 and the ENApp boundary tolerance 1e-3 pu.
 * A scenario stores whole shapes, which the solver has no default for: the bundled example's
 * profiles (reference-data/ieee123-balanced/profiles): load and PV multipliers and the ComEd
 * real-time prices of 10 Nov 2023 in cents/kWh, hour 0 to 23.
 */
import type { BulkPlacementRule, Partition, Placements, StudySettings } from '../../contract';
import { DEFAULT_BOUNDARY_TOLERANCE_PU } from '../../../src-solver/enapp/distributed';
import { OPF_NLP_DEFAULTS } from '../../../src-solver/opf/solve';
import { STUDY_DEFAULTS } from '../../../src-solver/opf/study';

/** load_shape_24h.csv, multiplier of peak load. */
export const LOAD_SHAPE_24H: readonly number[] = [
  0.71, 0.657, 0.618, 0.592, 0.598, 0.613, 0.644, 0.668, 0.705, 0.75, 0.777, 0.787, 0.796, 0.782, 0.783, 0.789, 0.826,
  0.855, 0.95, 1, 0.97, 0.921, 0.85, 0.72,
];
/** pv_shape_24h.csv, multiplier of PV rating. */
export const PV_SHAPE_24H: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.5, 0.8, 0.9, 1.0, 1.0, 0.99, 0.9, 0.7, 0.4, 0.1, 0, 0, 0, 0, 0,
];
/** comed_hourly_prices_2023-11-10.csv, cents/kWh. */
export const COMED_PRICES_2023_11_10_CENTS_PER_KWH: readonly number[] = [
  1.6, 3.8, 1.7, 1.8, 2.1, 2.2, 2.4, 2.9, 4.4, 5.1, 4.3, 3.5, 2.8, 2.8, 2.3, 2, 2.3, 4.1, 3.4, 6.6, 4.7, 4.7, 5, 2.6,
];

const d = STUDY_DEFAULTS;
export const DEFAULT_STUDY: StudySettings = Object.freeze({
  periods: d.periods,
  startHour: d.startHour,
  dtH: d.dtH,
  objective: d.objective,
  terminalSoc: d.terminalSoc,
  batteryLimit: d.batteryLimit,
  relax: d.relax,
  vMinPu: d.vMinPu,
  vMaxPu: d.vMaxPu,
  currentLimits: d.currentLimits,
  alpha: d.alpha,
  tolerance: OPF_NLP_DEFAULTS.tol!,
  boundaryTolerancePu: DEFAULT_BOUNDARY_TOLERANCE_PU,
  loadShape: LOAD_SHAPE_24H,
  pvShape: PV_SHAPE_24H,
  priceCentsPerKwh: COMED_PRICES_2023_11_10_CENTS_PER_KWH,
});

export const EMPTY_PLACEMENTS: Placements = Object.freeze({ pv: [], batteries: [] });
export const NO_PARTITION: Partition = Object.freeze({ cuts: [] });

/** The source papers' battery what-if: 30 % of load buses, 0.35 × peak load, 4 h, inverter 1.2×. */
export const PAPER_BATTERY_RULE: BulkPlacementRule = Object.freeze({
  kind: 'battery',
  fractionOfLoadBuses: 0.3,
  powerFractionOfPeakLoad: 0.35,
  energyHours: 4,
  inverterRatio: 1.2,
  seed: 1,
  replace: true,
});
