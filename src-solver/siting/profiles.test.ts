import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDataPath } from '../../test-data/index';
import {
  dayStudy,
  HOURS_PER_YEAR,
  loadYearProfiles,
  parseHourlyYear,
  representativeDays,
  type YearProfiles,
} from './profiles';

const dir = testDataPath('year-profiles');
const year = loadYearProfiles(readdirSync(dir), (n) => readFileSync(join(dir, n), 'utf8'));
const bundled = fileURLToPath(new URL('../../resources/year-profiles/', import.meta.url));

function csv(header: string, n: number, first = 0): string {
  return [
    header,
    ...Array.from(
      { length: n },
      (_, k) => `${header.toLowerCase().startsWith('hour') ? k + first : `t${k}`},${(k % 24) / 24}`,
    ),
  ].join('\n');
}

describe('year profiles', () => {
  it('reads the vendored 2023 year (the README statistics: load mean 0.5150, PV mean 0.2111, price mean 48.30 USD/MWh)', () => {
    const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(year.loadPu).toHaveLength(HOURS_PER_YEAR);
    expect(mean(year.loadPu)).toBeCloseTo(0.515, 3);
    expect(mean(year.pvPu)).toBeCloseTo(0.2111, 4);
    expect(mean(year.priceUsdPerMwh)).toBeCloseTo(48.3, 2);
  });

  it('ships the same files as the bundled example year', () => {
    for (const n of readdirSync(dir).filter((f) => f.endsWith('.csv')))
      expect(readFileSync(join(bundled, n), 'utf8')).toBe(readFileSync(join(dir, n), 'utf8'));
    expect(readFileSync(join(bundled, 'README.md'), 'utf8')).toMatch(
      /Source: U\.S\. Energy Information Administration/,
    );
  });

  it('accepts hour,value from 0 or 1 and refuses a wrong length, header or value with the file and line named', () => {
    expect(parseHourlyYear(csv('hour,value', 8760), 'a.csv')[25]).toBeCloseTo(1 / 24, 12);
    expect(parseHourlyYear(csv('Hour,Value', 8760, 1), 'a.csv')).toHaveLength(8760);
    expect(() => parseHourlyYear(csv('timestamp,value', 8784), 'leap.csv')).toThrow(
      /leap\.csv: 8784 hourly values, a year needs exactly 8760/,
    );
    expect(() => parseHourlyYear(csv('timestamp,value', 24), 'day.csv')).toThrow(/24 hourly values/);
    expect(() => parseHourlyYear('time,kw\n1,2', 'h.csv')).toThrow(/header must be "timestamp,value" or "hour,value"/);
    const bad = csv('hour,value', 8760).replace('\n5,', '\n7,');
    expect(() => parseHourlyYear(bad, 'seq.csv')).toThrow(/seq\.csv line 7: hour 7 out of sequence \(expected 5\)/);
    const nan = csv('timestamp,value', 8760).replace('t3,0.125', 't3,abc');
    expect(() => parseHourlyYear(nan, 'n.csv')).toThrow(/n\.csv line 5: value "abc" is not a number/);
    expect(() => loadYearProfiles(['load.csv', 'pv.csv'], () => '')).toThrow(/no price\*\.csv/);
  });

  it('representative days: weights are cluster sizes summing to 365, deterministic, each day nearest its own medoid', () => {
    const days = representativeDays(year, 12, 7);
    expect(days).toHaveLength(12);
    expect(days.reduce((s, d) => s + d.weight, 0)).toBe(365);
    expect(new Set(days.flatMap((d) => d.members)).size).toBe(365);
    for (const d of days) expect(d.members).toContain(d.day);
    expect(representativeDays(year, 12, 7)).toEqual(days);
    // The weighted days estimate the year's energy-weighted quantities (an independent check on
    // the weights): annual load energy and the load-weighted price within a few percent.
    let load = 0;
    let cost = 0;
    for (const d of days)
      for (let h = 0; h < 24; h++) {
        load += d.weight * year.loadPu[d.day * 24 + h]!;
        cost += d.weight * year.loadPu[d.day * 24 + h]! * year.priceUsdPerMwh[d.day * 24 + h]!;
      }
    const trueLoad = year.loadPu.reduce((s, v) => s + v, 0);
    const trueCost = year.loadPu.reduce((s, v, h) => s + v * year.priceUsdPerMwh[h]!, 0);
    expect(Math.abs(load / trueLoad - 1)).toBeLessThan(0.03);
    expect(Math.abs(cost / trueCost - 1)).toBeLessThan(0.15);
    expect(representativeDays(year, 365).every((d) => d.weight === 1)).toBe(true);
    expect(() => representativeDays(year, 0)).toThrow(/from 1 to 365/);
  });

  it('recovers three planted groups of days exactly', () => {
    const mk = (f: (d: number, h: number) => number): Float64Array =>
      Float64Array.from({ length: HOURS_PER_YEAR }, (_, i) => f(Math.floor(i / 24), i % 24));
    const group = (d: number): number => (d < 100 ? 0 : d < 300 ? 1 : 2);
    const noise = (d: number, h: number): number => ((d * 7919 + h * 104729) % 1000) / 1e5;
    const y: YearProfiles = {
      loadPu: mk((d, h) => 0.3 + 0.2 * group(d) + noise(d, h)),
      pvPu: mk((d, h) => noise(h, d)),
      priceUsdPerMwh: mk((d) => 20 + 30 * group(d)),
    };
    const days = representativeDays(y, 3, 3);
    expect(days.map((d) => d.weight)).toEqual([100, 200, 65]);
    expect(days.map((d) => group(d.day))).toEqual([0, 1, 2]);
    expect(dayStudy(y, 150).priceCentsPerKwh!.values[0]).toBeCloseTo(5, 12);
  });
});
