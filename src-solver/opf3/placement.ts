/**
 * A seeded placement rule for PV and batteries on a three-phase feeder (benchmarks and tests;
 * a planner's seed gives the same siting again): candidate buses are the buses with loads, in
 * name order, shuffled by mulberry32(seed); units take them in turn (starting over when there
 * are more units than buses). On a bus with phases 1, 2
 * and 3, every other unit is three-phase; otherwise (and for the others) a single-phase unit goes
 * to one of the bus's phases, drawn by the same generator. Ratings scale with the phases.
 */
import { mulberry32 } from '../random';
import type { UNetwork } from '../unbalanced/model';
import type { Opf3UnitSpec } from './fromNetwork';
import { Opf3Error } from './network';

export interface PlacementRatings {
  /** Per phase: PV kW and kVA; battery kW, kVA, kWh. */
  readonly pvKw: number;
  readonly pvKva: number;
  readonly batKw: number;
  readonly batKva: number;
  readonly batKwh: number;
}

export const DEFAULT_RATINGS: PlacementRatings = { pvKw: 50, pvKva: 55, batKw: 40, batKva: 44, batKwh: 120 };

export function placeUnits(
  net: UNetwork,
  seed: number,
  nPv: number,
  nBat: number,
  r: PlacementRatings = DEFAULT_RATINGS,
): Opf3UnitSpec[] {
  const rnd = mulberry32(seed);
  const buses = [...new Set(net.loads.map((l) => l.bus.bus))].sort();
  for (let i = buses.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [buses[i], buses[j]] = [buses[j]!, buses[i]!];
  }
  if (buses.length === 0) throw new Opf3Error('the feeder has no loads to place units at');
  const units: Opf3UnitSpec[] = [];
  for (let k = 0; k < nPv + nBat; k++) {
    const bus = buses[k % buses.length]!;
    const phases = net.buses.get(bus)!.nodes.filter((n) => n >= 1 && n <= 3);
    const three = phases.length === 3 && k % 2 === 0;
    const ph = three ? [1, 2, 3] : [phases[Math.floor(rnd() * phases.length)]!];
    const m = ph.length;
    units.push(
      k < nPv
        ? { kind: 'pv', name: `pv${k + 1}`, bus, phases: ph, pRatedKw: m * r.pvKw, sRatedKva: m * r.pvKva }
        : {
            kind: 'battery',
            name: `bat${k - nPv + 1}`,
            bus,
            phases: ph,
            pRatedKw: m * r.batKw,
            sRatedKva: m * r.batKva,
            energyKwh: m * r.batKwh,
          },
    );
  }
  return units;
}

/** Ratings of one service-transformer battery (a 240 V split-phase unit): kW, kVA, kWh. */
export interface ServiceBatteryRatings {
  readonly kw: number;
  readonly kva: number;
  readonly kwh: number;
}

/** A residential-size battery behind a service transformer. */
export const SERVICE_BATTERY: ServiceBatteryRatings = { kw: 5, kva: 6, kwh: 13.5 };

/**
 * Batteries at `count` service transformers chosen by a seeded rule: the center-tapped
 * transformers (three windings, windings 2 and 3 on one bus — the 120/240 V split-phase
 * services of e.g. the IEEE 8500-node feeder), in name order, shuffled by mulberry32(seed), the
 * first `count` taken. Each battery sits on its transformer's secondary bus, on the two 120 V
 * legs (nodes 1 and 2, each to the grounded center tap), its power split equally over them: a
 * 240 V inverter as the OPF's balanced two-phase unit (docs/spec/unbalanced-opf.md (U10)).
 */
export function placeServiceBatteries(
  net: UNetwork,
  seed: number,
  count: number,
  r: ServiceBatteryRatings = SERVICE_BATTERY,
): Opf3UnitSpec[] {
  const services = net.transformers
    .filter((x) => x.windings.length === 3 && x.windings[1]!.bus.bus === x.windings[2]!.bus.bus)
    .map((x) => x.name)
    .sort();
  if (services.length < count)
    throw new Opf3Error(
      `the feeder has ${services.length} center-tapped service transformers, fewer than the ${count} batteries asked`,
    );
  const rnd = mulberry32(seed);
  for (let i = services.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [services[i], services[j]] = [services[j]!, services[i]!];
  }
  const byName = new Map(net.transformers.map((x) => [x.name, x]));
  return services.slice(0, count).map((name, k) => {
    const bus = byName.get(name)!.windings[1]!.bus.bus;
    const legs = net.buses.get(bus)?.nodes.filter((n) => n === 1 || n === 2) ?? [];
    if (legs.length !== 2)
      throw new Opf3Error(`service transformer ${name}: its secondary bus ${bus} has no nodes 1 and 2`);
    return {
      kind: 'battery',
      name: `bat${k + 1}`,
      bus,
      phases: [1, 2],
      pRatedKw: r.kw,
      sRatedKva: r.kva,
      energyKwh: r.kwh,
    };
  });
}
