/**
 * The feeder model: a balanced, single-phase-equivalent radial distribution feeder in
 * engineering units. Every other part of Tessera (import/export, power flow, OPF, store, UI)
 * speaks this type. Values are immutable once built (`readonly` everywhere); edits make a new
 * Feeder.
 *
 * Conventions
 * - Powers are per-phase-equivalent kW/kvar/kVA as in the reference data (the IEEE 123 case's
 *   loads are the single-phase equivalent's loads); `baseKva` is the per-unit power base.
 * - `vBaseKv` is the line-to-neutral base voltage of the bus (2.4018 kV in the IEEE 123 case).
 * - Load `pKw` > 0 consumes, `qKvar` > 0 consumes. Capacitor `qKvar` > 0 injects (rated at 1 pu).
 * - Battery `pcKw` ≥ 0 charging, `pdKw` ≥ 0 discharging (in dispatch/results, not here).
 * - Branch direction `from` → `to` is only a label; the tree is oriented from the substation.
 */

export type BranchKind = 'line' | 'switch' | 'transformer' | 'regulator';

export interface Bus {
  readonly name: string;
  /** Line-to-neutral base voltage, kV. */
  readonly vBaseKv: number;
  /** Optional one-line coordinates (from BusCoords / LatLongCoords). */
  readonly x?: number;
  readonly y?: number;
}

export interface Branch {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Series resistance, ohm (referred to the `to` bus's base for transformers). */
  readonly rOhm: number;
  /** Series reactance, ohm. */
  readonly xOhm: number;
  readonly kind: BranchKind;
  /** Thermal rating, A; absent = unrated. */
  readonly ampacityA?: number;
}

export interface Load {
  readonly name: string;
  readonly bus: string;
  /** Peak real power, kW (> 0 consumes). */
  readonly pKw: number;
  /** Peak reactive power, kvar (> 0 consumes). */
  readonly qKvar: number;
  /** Name of the daily shape in `Feeder.shapes` scaling both P and Q; absent = constant. */
  readonly shape?: string;
  /** The OpenDSS load model it came from (1 = constant PQ); the OPF treats all as constant power. */
  readonly dssModel?: number;
}

export interface Capacitor {
  readonly name: string;
  readonly bus: string;
  /** Rated reactive power at 1 pu voltage, kvar (> 0 injects); a constant susceptance. */
  readonly qKvar: number;
}

export interface Pv {
  readonly name: string;
  readonly bus: string;
  /** Rated real power (Pmpp at irradiance 1), kW. */
  readonly pRatedKw: number;
  /** Inverter apparent-power rating, kVA (≥ pRatedKw). */
  readonly sRatedKva: number;
  /** Irradiance / output multiplier shape name; absent = constant 1. */
  readonly shape?: string;
  /** What its import assumed or left out for this unit (e.g. OpenDSS's default inverter rating). */
  readonly notes?: readonly string[];
}

export interface Battery {
  readonly name: string;
  readonly bus: string;
  /** Charge/discharge power rating P_BR, kW. */
  readonly pRatedKw: number;
  /** Energy rating E_R, kWh. */
  readonly energyKwh: number;
  /** Inverter apparent-power rating S_BR, kVA (≥ pRatedKw). */
  readonly sRatedKva: number;
  /** Charging efficiency ηc, 0 < ηc ≤ 1. */
  readonly etaCharge: number;
  /** Discharging efficiency ηd, 0 < ηd ≤ 1. */
  readonly etaDischarge: number;
  /** SOC limits as fractions of energyKwh, 0 ≤ socMin < socMax ≤ 1. */
  readonly socMin: number;
  readonly socMax: number;
  /** Initial stored energy as a fraction of energyKwh, within [socMin, socMax]. */
  readonly socInitial: number;
  /** What its import assumed or left out for this unit. */
  readonly notes?: readonly string[];
}

/** A daily (or any-length) multiplier shape. */
export interface Shape {
  readonly name: string;
  /** Length of one point, hours. */
  readonly intervalH: number;
  /** Real-power multipliers, one per point. */
  readonly mult: readonly number[];
  /** Reactive-power multipliers; absent = same as `mult`. */
  readonly qmult?: readonly number[];
}

/**
 * values[k] for k = ⌊hour / intervalH⌋, wrapping around the series (OpenDSS daily mode): the one
 * rule by which the power flow, the OPF and the exports sample shapes and study profiles.
 */
export function sampleSeries(values: readonly number[], intervalH: number, hour: number): number {
  const n = values.length;
  const k = Math.floor(hour / intervalH + 1e-9);
  return values[((k % n) + n) % n]!;
}

/** Multiplier of `shape` at `hour`: qmult when `reactive` (falling back to mult), else mult. */
export function shapeMultiplier(shape: Shape, hour: number, reactive = false): number {
  return sampleSeries(reactive && shape.qmult ? shape.qmult : shape.mult, shape.intervalH, hour);
}

export interface Substation {
  readonly bus: string;
  /** Voltage set point magnitude, pu. */
  readonly vSetPu: number;
}

export interface Feeder {
  readonly name: string;
  /** Per-unit power base, kVA (per-phase equivalent). */
  readonly baseKva: number;
  readonly substation: Substation;
  readonly buses: readonly Bus[];
  readonly branches: readonly Branch[];
  readonly loads: readonly Load[];
  readonly capacitors: readonly Capacitor[];
  readonly pv: readonly Pv[];
  readonly batteries: readonly Battery[];
  readonly shapes: readonly Shape[];
}
