import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importReferenceCsv } from '../io/csv/reference';
import { unwrapImport } from '../io/types';
import type { Feeder } from './feeder';
import { mulberry32 } from '../random';
import { applyBulkRule, checkBulkRule, loadBusPeaks, type BulkPlacementRule } from './placement';
import { validateFeeder } from './validate';
import { testDataUrl } from '../../test-data/index';

const ref = testDataUrl('ieee123-balanced/csv/');
const text = (p: string) => readFileSync(new URL(p, ref), 'utf8');
/** The IEEE 123 network and loads with no PV or batteries. */
const bare = (): Feeder => unwrapImport(importReferenceCsv(text('linedata.csv'), text('powerdata.csv'))).feeder;
/** powerdata.csv's P_der column: 0.35 × peak load, an independent statement of the papers' rating. */
function pDerByBus(): Map<string, number> {
  const rows = text('powerdata.csv').trim().split(/\r?\n/).slice(1);
  return new Map(rows.map((r) => r.split(',')).map((c) => [c[0]!, Number(c[4])]));
}

const PAPER: BulkPlacementRule = {
  kind: 'battery',
  fractionOfLoadBuses: 0.3,
  powerFractionOfPeakLoad: 0.35,
  energyHours: 4,
  inverterRatio: 1.2,
  seed: 7,
  replace: true,
};
const NONE = { pv: [], batteries: [] };

describe('applyBulkRule', () => {
  it("places the papers' batteries: 30 % of 85 load buses → 26, 0.35 × peak kW, 4 h, inverter 1.2 ×", () => {
    const f = bare();
    expect(loadBusPeaks(f).size).toBe(85);
    const out = applyBulkRule(f, NONE, PAPER);
    expect(out.batteries).toHaveLength(26);
    expect(new Set(out.batteries.map((b) => b.bus)).size).toBe(26);
    const pDer = pDerByBus();
    for (const b of out.batteries) {
      expect(b.pRatedKw).toBeCloseTo(pDer.get(b.bus)!, 4);
      expect(b.energyKwh).toBeCloseTo(4 * b.pRatedKw, 12);
      expect(b.sRatedKva).toBeCloseTo(1.2 * b.pRatedKw, 12);
      expect(b.name).toBe(`Battery${b.bus}`);
    }
    // The result is a valid feeder (ratings agree, buses exist, names unique).
    expect(validateFeeder({ ...f, batteries: out.batteries }).filter((i) => i.severity === 'error')).toEqual([]);
    const pv = applyBulkRule(f, out, { ...PAPER, kind: 'pv', fractionOfLoadBuses: 0.2 });
    expect(pv.pv).toHaveLength(17);
    expect(pv.batteries).toBe(out.batteries);
  });

  it('is repeatable from its seed, differs between seeds, and picks every bus about equally often', () => {
    const f = bare();
    const buses = (seed: number) => applyBulkRule(f, NONE, { ...PAPER, seed }).batteries.map((b) => b.bus);
    expect(buses(7)).toEqual(buses(7));
    expect(buses(7)).not.toEqual(buses(8));
    const hits = new Map<string, number>();
    const runs = 2000;
    for (let s = 0; s < runs; s++) for (const b of buses(s)) hits.set(b, (hits.get(b) ?? 0) + 1);
    const p = 26 / 85;
    const sd = Math.sqrt(runs * p * (1 - p));
    for (const bus of loadBusPeaks(f).keys()) expect(Math.abs((hits.get(bus) ?? 0) - runs * p)).toBeLessThan(5 * sd);
  });

  it('adds to existing devices without doubling a bus, or replaces them', () => {
    const f = bare();
    const first = applyBulkRule(f, NONE, PAPER);
    const more = applyBulkRule(f, first, { ...PAPER, seed: 99, replace: false });
    expect(more.batteries).toHaveLength(52);
    expect(new Set(more.batteries.map((b) => b.bus)).size).toBe(52);
    expect(more.batteries.slice(0, 26)).toEqual(first.batteries);
    const all = applyBulkRule(f, more, { ...PAPER, fractionOfLoadBuses: 1, replace: false });
    expect(all.batteries).toHaveLength(85); // only 33 buses were free
    expect(applyBulkRule(f, more, { ...PAPER, replace: true }).batteries).toHaveLength(26);
  });

  it('rejects bad rules with the reason', () => {
    expect(checkBulkRule({ ...PAPER, fractionOfLoadBuses: 1.5, inverterRatio: 0.9, seed: 1.5 })).toEqual([
      'fractionOfLoadBuses must be between 0 and 1',
      'inverterRatio must be at least 1 (inverter kVA ≥ rated kW)',
      'seed must be an integer',
    ]);
    expect(() => applyBulkRule(bare(), NONE, { ...PAPER, powerFractionOfPeakLoad: Number.NaN })).toThrow(
      /powerFractionOfPeakLoad must be a positive number/,
    );
  });

  it('mulberry32 gives known values for seed 0 and stays in [0, 1)', () => {
    const r = mulberry32(0);
    // Reference values of the public-domain mulberry32 for seed 0.
    expect(r()).toBeCloseTo(0.26642920868471265, 15);
    expect(r()).toBeCloseTo(0.0003297457005828619, 15);
  });
});
