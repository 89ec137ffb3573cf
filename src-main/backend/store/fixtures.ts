/**
 * Feeders built in code for store tests and benchmarks: a random radial tree of n buses with a
 * load on most buses and a few PV and batteries, repeatable from a seed. (Not a realistic
 * feeder — the solver's scaled examples are for that — just the right shape and size.)
 */
import type { Feeder } from '../../../src-solver/model/feeder';
import { mulberry32 } from '../../../src-solver/random';

export function randomTreeFeeder(buses: number, seed = 1, name = `random-${buses}`): Feeder {
  const rand = mulberry32(seed);
  const busList = Array.from({ length: buses }, (_, i) => ({
    name: `b${i + 1}`,
    vBaseKv: 2.4018,
    x: i % 100,
    y: Math.floor(i / 100),
  }));
  const branches = [];
  for (let i = 1; i < buses; i++) {
    // Attach to one of the last few buses: long laterals like a real feeder, depth ~ n / 4.
    const parent = Math.max(0, i - 1 - Math.floor(rand() * 4));
    branches.push({
      name: `l${i}`,
      from: `b${parent + 1}`,
      to: `b${i + 1}`,
      rOhm: 0.01 + 0.05 * rand(),
      xOhm: 0.01 + 0.05 * rand(),
      kind: 'line' as const,
    });
  }
  const loads = [];
  const pv = [];
  const batteries = [];
  for (let i = 1; i < buses; i++) {
    if (rand() < 0.7)
      loads.push({ name: `L${i + 1}`, bus: `b${i + 1}`, pKw: 5 + 20 * rand(), qKvar: 2 + 8 * rand(), shape: 'load' });
    if (i % 20 === 0) pv.push({ name: `PV${i + 1}`, bus: `b${i + 1}`, pRatedKw: 5, sRatedKva: 6, shape: 'pv' });
    if (i % 33 === 0) {
      batteries.push({
        name: `Battery${i + 1}`,
        bus: `b${i + 1}`,
        pRatedKw: 5,
        energyKwh: 20,
        sRatedKva: 6,
        etaCharge: 0.95,
        etaDischarge: 0.95,
        socMin: 0.3,
        socMax: 0.95,
        socInitial: 0.625,
      });
    }
  }
  return {
    name,
    baseKva: 1000,
    substation: { bus: 'b1', vSetPu: 1.03 },
    buses: busList,
    branches,
    loads,
    capacitors: [{ name: 'C2', bus: 'b2', qKvar: 50 }],
    pv,
    batteries,
    shapes: [
      {
        name: 'load',
        intervalH: 1,
        mult: Array.from({ length: 24 }, (_, h) => 0.6 + 0.4 * Math.sin((Math.PI * h) / 24)),
      },
      {
        name: 'pv',
        intervalH: 1,
        mult: Array.from({ length: 24 }, (_, h) => Math.max(0, Math.sin((Math.PI * (h - 6)) / 12))),
      },
    ],
  };
}
