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

export function placeUnits(net: UNetwork, seed: number, nPv: number, nBat: number, r: PlacementRatings = DEFAULT_RATINGS): Opf3UnitSpec[] {
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
        : { kind: 'battery', name: `bat${k - nPv + 1}`, bus, phases: ph, pRatedKw: m * r.batKw, sRatedKva: m * r.batKva, energyKwh: m * r.batKwh },
    );
  }
  return units;
}
