/**
 * Bulk placement of PV and batteries for what-if studies, repeatable from a seed: "batteries on
 * 30 % of load buses, power 35 % of the bus's peak load, 4 h of energy, inverter 1.2 × power"
 * (the source papers' rule; spec "Parameters of the IEEE 123 case").
 *
 * - Load buses are buses whose loads sum to a positive peak kW; a bus's peak load is that sum
 *   (load `pKw` is the peak: shapes are multipliers ≤ 1 of it).
 * - The number placed is round(fraction × number of load buses) (30 % of 85 → 26), at most the
 *   load buses that do not already have a device of that kind when adding (`replace: false`).
 * - Buses are chosen by a seeded Fisher–Yates shuffle (mulberry32 PRNG): the same feeder, rule and
 *   seed always give the same buses. Devices are listed in feeder bus order and named
 *   `PV<bus>` / `Battery<bus>` (suffixed `_2`, `_3`, … if the name is taken).
 * - Batteries get the source papers' remaining parameters: η 0.95 / 0.95, SOC 0.30–0.95,
 *   starting at 62.5 % (`BATTERY_DEFAULTS`).
 */
import type { Battery, Feeder, Pv } from './feeder';
import { mulberry32 } from '../random';

export interface Placements {
  readonly pv: readonly Pv[];
  readonly batteries: readonly Battery[];
}

export interface BulkPlacementRule {
  readonly kind: 'battery' | 'pv';
  /** Fraction of load buses that get a device, 0–1. */
  readonly fractionOfLoadBuses: number;
  /** Device power rating as a fraction of the bus's peak load kW. */
  readonly powerFractionOfPeakLoad: number;
  /** Battery energy as hours at rated power (battery only; default 4). */
  readonly energyHours?: number;
  /** Inverter kVA as a multiple of the power rating (≥ 1). */
  readonly inverterRatio: number;
  readonly seed: number;
  /** Replace existing devices of this kind (true) or add to them (false). */
  readonly replace: boolean;
}

export const BATTERY_DEFAULTS = {
  energyHours: 4,
  etaCharge: 0.95,
  etaDischarge: 0.95,
  socMin: 0.3,
  socMax: 0.95,
  socInitial: 0.625,
} as const;

/** Peak load kW per load bus (buses whose loads sum to > 0 kW), in feeder bus order. */
export function loadBusPeaks(feeder: Feeder): Map<string, number> {
  const sum = new Map<string, number>();
  for (const l of feeder.loads) sum.set(l.bus, (sum.get(l.bus) ?? 0) + l.pKw);
  const out = new Map<string, number>();
  for (const b of feeder.buses) {
    const p = sum.get(b.name);
    if (p !== undefined && p > 0) out.set(b.name, p);
  }
  return out;
}

/** Check a rule's numbers; returns the problems (empty = fine). */
export function checkBulkRule(rule: BulkPlacementRule): string[] {
  const errors: string[] = [];
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!finite(rule.fractionOfLoadBuses) || rule.fractionOfLoadBuses < 0 || rule.fractionOfLoadBuses > 1)
    errors.push('fractionOfLoadBuses must be between 0 and 1');
  if (!finite(rule.powerFractionOfPeakLoad) || rule.powerFractionOfPeakLoad <= 0)
    errors.push('powerFractionOfPeakLoad must be a positive number');
  if (!finite(rule.inverterRatio) || rule.inverterRatio < 1)
    errors.push('inverterRatio must be at least 1 (inverter kVA ≥ rated kW)');
  if (rule.energyHours !== undefined && (!finite(rule.energyHours) || rule.energyHours <= 0))
    errors.push('energyHours must be a positive number');
  if (!Number.isInteger(rule.seed)) errors.push('seed must be an integer');
  return errors;
}

/** Apply a bulk rule to a set of placements; returns the new placements (inputs untouched). */
export function applyBulkRule(feeder: Feeder, placements: Placements, rule: BulkPlacementRule): Placements {
  const problems = checkBulkRule(rule);
  if (problems.length > 0) throw new Error(`invalid placement rule: ${problems.join('; ')}`);
  const peaks = loadBusPeaks(feeder);
  const existing: readonly (Pv | Battery)[] = rule.kind === 'pv' ? placements.pv : placements.batteries;
  const kept = rule.replace ? [] : existing;
  const occupied = new Set(kept.map((d) => d.bus));
  const candidates = [...peaks.keys()].filter((b) => !occupied.has(b));
  const count = Math.min(candidates.length, Math.round(rule.fractionOfLoadBuses * peaks.size));

  // Seeded partial Fisher–Yates: the first `count` entries are a uniform random subset.
  const rand = mulberry32(rule.seed);
  const pool = candidates.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const chosen = new Set(pool.slice(0, count));
  const busOrder = feeder.buses.map((b) => b.name).filter((b) => chosen.has(b));

  const names = new Set(kept.map((d) => d.name.toLowerCase()));
  const uniqueName = (base: string) => {
    let name = base;
    for (let i = 2; names.has(name.toLowerCase()); i++) name = `${base}_${i}`;
    names.add(name.toLowerCase());
    return name;
  };

  if (rule.kind === 'pv') {
    const added: Pv[] = busOrder.map((bus) => {
      const pRatedKw = rule.powerFractionOfPeakLoad * peaks.get(bus)!;
      return { name: uniqueName(`PV${bus}`), bus, pRatedKw, sRatedKva: rule.inverterRatio * pRatedKw };
    });
    return { pv: [...kept, ...added] as Pv[], batteries: placements.batteries };
  }
  const hours = rule.energyHours ?? BATTERY_DEFAULTS.energyHours;
  const added: Battery[] = busOrder.map((bus) => {
    const pRatedKw = rule.powerFractionOfPeakLoad * peaks.get(bus)!;
    return {
      name: uniqueName(`Battery${bus}`),
      bus,
      pRatedKw,
      energyKwh: hours * pRatedKw,
      sRatedKva: rule.inverterRatio * pRatedKw,
      etaCharge: BATTERY_DEFAULTS.etaCharge,
      etaDischarge: BATTERY_DEFAULTS.etaDischarge,
      socMin: BATTERY_DEFAULTS.socMin,
      socMax: BATTERY_DEFAULTS.socMax,
      socInitial: BATTERY_DEFAULTS.socInitial,
    };
  });
  return { pv: placements.pv, batteries: [...kept, ...added] as Battery[] };
}

/** The feeder with a scenario's placements in place of its own PV and batteries. */
export function withPlacements(feeder: Feeder, placements: Placements): Feeder {
  return { ...feeder, pv: placements.pv, batteries: placements.batteries };
}
