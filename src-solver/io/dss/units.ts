/**
 * OpenDSS length units: metres per unit, the one table the balanced import (./build) and the
 * backend's three-phase base case (line lengths along the feeder) read.
 */
export const METRES_PER_UNIT: Readonly<Record<string, number>> = {
  mi: 1609.344,
  kft: 304.8,
  km: 1000,
  m: 1,
  meter: 1,
  metre: 1,
  me: 1,
  ft: 0.3048,
  in: 0.0254,
  cm: 0.01,
  mm: 0.001,
};
