import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../model/feeder';
import { FeederValidationError } from '../model/validate';
import { importReferenceCsv, IEEE123_BATTERY_BUSES, IEEE123_PV_BUSES } from '../io/csv/reference';
import { unwrapImport } from '../io/types';
import { shapeSeries, toPerUnit, zBaseOhm } from './perunit';

const ref = (p: string) => readFileSync(new URL(`../../../shared/reference-data/ieee123-balanced/${p}`, import.meta.url), 'utf8');

/**
 * Hand case: substation s (12.47 kV L-L → 7.1996 kV L-N), transformer t1 to bus m at 0.2771 kV
 * L-N (4.8/… → 0.48 kV L-L), branch labels deliberately reversed for `l2`.
 *   s —t1— m —l1— a
 *          m —l2(listed a2→m)— a2
 */
const hand: Feeder = {
  name: 'hand',
  baseKva: 100,
  substation: { bus: 's', vSetPu: 1.0 },
  buses: [
    { name: 'a2', vBaseKv: 0.2771 },
    { name: 's', vBaseKv: 7.1996 },
    { name: 'm', vBaseKv: 0.2771 },
    { name: 'a', vBaseKv: 0.2771 },
  ],
  branches: [
    { name: 'l2', from: 'a2', to: 'm', rOhm: 0.01, xOhm: 0.02, kind: 'line', ampacityA: 200 },
    { name: 't1', from: 's', to: 'm', rOhm: 0.003, xOhm: 0.012, kind: 'transformer' },
    { name: 'l1', from: 'm', to: 'a', rOhm: 0.02, xOhm: 0.01, kind: 'line' },
  ],
  loads: [
    { name: 'x', bus: 'a', pKw: 20, qKvar: 5 },
    { name: 'y', bus: 'a', pKw: 10, qKvar: 1 },
  ],
  capacitors: [{ name: 'c', bus: 'm', qKvar: 15 }],
  pv: [{ name: 'p', bus: 'a2', pRatedKw: 8, sRatedKva: 10 }],
  batteries: [{ name: 'b', bus: 'a', pRatedKw: 5, energyKwh: 20, sRatedKva: 6, etaCharge: 0.9, etaDischarge: 0.9, socMin: 0.1, socMax: 0.9, socInitial: 0.5 }],
  shapes: [{ name: 'd', intervalH: 1, mult: [0.5, 1, 2], qmult: [1, 1, 0] }],
};

describe('toPerUnit', () => {
  it('computes the IEEE 123 bases of the spec: Z_base = 2.4018² · 1000 / 1000 = 5.76864324 ohm', () => {
    expect(zBaseOhm(2.4018, 1000)).toBeCloseTo(5.76864324, 10);
    const feeder = unwrapImport(importReferenceCsv(ref('csv/linedata.csv'), ref('csv/powerdata.csv'), { pvBuses: IEEE123_PV_BUSES, batteryBuses: IEEE123_BATTERY_BUSES })).feeder;
    const pu = toPerUnit(feeder);
    expect(pu.nBus).toBe(128);
    expect(pu.busNames[pu.root]).toBe('1');
    // l2: 0.0232 + j0.0475 ohm.
    expect(pu.rPu[1]).toBeCloseTo(0.0232 / 5.76864324, 14);
    expect(pu.xPu[1]).toBeCloseTo(0.0475 / 5.76864324, 14);
    expect(pu.iBaseA[0]).toBeCloseTo(1000 / 2.4018, 10);
    // Bus 50 load: 70 kW, 50 kvar → 0.07, 0.05 pu.
    const b50 = pu.busIndex.get('50')!;
    expect([pu.loadPPu[b50], pu.loadQPu[b50]]).toEqual([0.07, 0.05]);
    expect(pu.capQPu[pu.busIndex.get('85')!]).toBeCloseTo(0.2, 15);
    expect(pu.batteryEnergyPuH[0]).toBeCloseTo(0.018662, 15);
  });

  it('orients every branch parent → child in BFS order whatever the labels say', () => {
    const pu = toPerUnit(hand);
    const name = (i: number) => pu.busNames[i];
    expect(Array.from(pu.order, name)).toEqual(['s', 'm', 'a2', 'a']);
    expect(Array.from(pu.parentBus, (p) => (p < 0 ? null : name(p)))).toEqual(['m', null, 's', 'm']);
    expect(Array.from(pu.parentBranch)).toEqual([0, -1, 1, 2]);
    expect([name(pu.fromBus[0]), name(pu.toBus[0]), pu.reversed[0]]).toEqual(['m', 'a2', 1]);
    expect([name(pu.fromBus[1]), name(pu.toBus[1]), pu.reversed[1]]).toEqual(['s', 'm', 0]);
    // Children of m: a2 (via l2) and a (via l1); s has one child; leaves none.
    const m = pu.busIndex.get('m')!;
    expect(Array.from(pu.childBus.subarray(pu.childStart[m], pu.childStart[m + 1]), name)).toEqual(['a2', 'a']);
    expect(Array.from(pu.childBranch.subarray(pu.childStart[m], pu.childStart[m + 1]))).toEqual([0, 2]);
    expect(pu.childStart[pu.busIndex.get('a')! + 1] - pu.childStart[pu.busIndex.get('a')!]).toBe(0);
    // Every bus's parent comes before it in `order`.
    const pos = new Map(Array.from(pu.order, (b, k) => [b, k]));
    for (let i = 0; i < pu.nBus; i++) if (pu.parentBus[i] >= 0) expect(pos.get(pu.parentBus[i])!).toBeLessThan(pos.get(i)!);
  });

  it('puts each branch on its to-bus base: the transformer on the low side', () => {
    const pu = toPerUnit(hand);
    const zLow = (0.2771 * 0.2771 * 1000) / 100; // 0.76784 ohm
    expect(pu.zBaseOhm[1]).toBeCloseTo(zLow, 12);
    expect(pu.rPu[1]).toBeCloseTo(0.003 / zLow, 12);
    expect(pu.xPu[1]).toBeCloseTo(0.012 / zLow, 12);
    // l2 is labelled a2 → m: its to-bus m is on the low side too.
    expect(pu.rPu[0]).toBeCloseTo(0.01 / zLow, 12);
    // Ampacity 200 A over I_base = 100 kVA / 0.2771 kV = 360.88 A; unrated = Infinity.
    expect(pu.iMaxPu[0]).toBeCloseTo(200 / (100 / 0.2771), 12);
    expect(pu.iMaxPu[2]).toBe(Infinity);
  });

  it('sums loads per bus and scales devices by S_base', () => {
    const pu = toPerUnit(hand);
    const a = pu.busIndex.get('a')!;
    expect(pu.loadPPu[a]).toBeCloseTo(0.3, 15);
    expect(pu.loadQPu[a]).toBeCloseTo(0.06, 15);
    expect(pu.capQPu[pu.busIndex.get('m')!]).toBeCloseTo(0.15, 15);
    expect(Array.from(pu.pvBus)).toEqual([0]);
    expect([pu.pvPRatedPu[0], pu.pvSRatedPu[0]]).toEqual([0.08, 0.1]);
    expect([pu.batteryPRatedPu[0], pu.batterySRatedPu[0], pu.batteryEnergyPuH[0]]).toEqual([0.05, 0.06, 0.2]);
  });

  it('validates first and throws every error', () => {
    const bad: Feeder = { ...hand, branches: [...hand.branches, { name: 'tie', from: 'a', to: 'a2', rOhm: 1, xOhm: 1, kind: 'switch' }] };
    expect(() => toPerUnit(bad)).toThrow(FeederValidationError);
    expect(() => toPerUnit(bad)).toThrow(/branches l2, l1, tie form a loop|branches l1, l2, tie form a loop/);
  });
});

describe('shapeSeries', () => {
  it('repeats the shape, picks qmult for reactive, and is 1 without a shape', () => {
    expect(Array.from(shapeSeries(hand, 'd', 5))).toEqual([0.5, 1, 2, 0.5, 1]);
    expect(Array.from(shapeSeries(hand, 'D', 3, true))).toEqual([1, 1, 0]);
    expect(Array.from(shapeSeries(hand, undefined, 2))).toEqual([1, 1]);
    expect(() => shapeSeries(hand, 'nope', 2)).toThrow(/not defined/);
  });
});
