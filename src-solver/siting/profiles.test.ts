import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDataPath } from '../../test-data/index';
import {
  dayDate,
  dayStudy,
  HOURS_PER_YEAR,
  loadYearProfiles,
  parseHourlyYear,
  representativeDayLabel,
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
    // a leap year: 29 February (the 60th day) is left out
    const rowIndex = ['hour,value', ...Array.from({ length: 8784 }, (_, k) => `${k},${k}`)].join('\n');
    const leap = parseHourlyYear(rowIndex, 'leap.csv');
    expect(leap).toHaveLength(8760);
    expect(leap[59 * 24 - 1]).toBe(59 * 24 - 1);
    expect(leap[59 * 24]).toBe(60 * 24);
    expect(leap[8759]).toBe(8783);
    expect(() => parseHourlyYear(csv('timestamp,value', 8783), 'leap.csv')).toThrow(
      /leap\.csv: 8783 hourly values, a year needs exactly 8760 .* or 8784 for a leap year/,
    );
    expect(() => parseHourlyYear(csv('timestamp,value', 24), 'day.csv')).toThrow(/24 hourly values/);
    expect(() => parseHourlyYear('time,kw\n1,2', 'h.csv')).toThrow(/header must be "timestamp,value" or "hour,value"/);
    const bad = csv('hour,value', 8760).replace('\n5,', '\n7,');
    expect(() => parseHourlyYear(bad, 'seq.csv')).toThrow(/seq\.csv line 7: hour 7 out of sequence \(expected 5\)/);
    const nan = csv('timestamp,value', 8760).replace('t3,0.125', 't3,abc');
    expect(() => parseHourlyYear(nan, 'n.csv')).toThrow(/n\.csv line 5: value "abc" is not a number/);
    expect(() => loadYearProfiles(['load.csv', 'pv.csv'], () => '')).toThrow(/no price\*\.csv/);
  });

  it('ISO timestamps step by one hour (a gap or a repeated hour is refused with its line); a leap year loses 29 February; kW instead of pu is refused', () => {
    const iso = (y: number, n: number, skip = -1): string =>
      [
        'timestamp,value',
        ...Array.from({ length: n }, (_, k) => {
          const h = k >= skip && skip >= 0 ? k + 1 : k;
          return `${new Date(Date.UTC(y, 0, 1, h)).toISOString().slice(0, 16)},${h}`;
        }),
      ].join('\n');
    expect(parseHourlyYear(iso(2023, 8760), 'ok.csv')[8759]).toBe(8759);
    expect(() => parseHourlyYear(iso(2023, 8760, 100), 'gap.csv')).toThrow(
      /gap\.csv line 102: timestamp 2023-01-05T05:00 is 2 h after the previous row's \(a gap or a repeated hour/,
    );
    const leap = parseHourlyYear(iso(2024, 8784), 'leap.csv');
    expect(leap[59 * 24]).toBe(60 * 24);
    // 2023 has no 29 February: 8784 rows of it cannot be a leap year
    expect(() => parseHourlyYear(iso(2023, 8784), 'long.csv')).toThrow(
      /long\.csv: 8784 rows, but row 1418 is 2023-03-01T00:00/,
    );
    const text = (v: (h: number) => number): string =>
      ['hour,value', ...Array.from({ length: 8760 }, (_, h) => `${h},${v(h)}`)].join('\n');
    const files: Record<string, string> = {
      'load.csv': text((h) => 1000 + (h % 24)),
      'pv.csv': text(() => 0.5),
      'price.csv': text(() => 30),
    };
    expect(() => loadYearProfiles(Object.keys(files), (n) => files[n]!)).toThrow(
      /load\.csv: the largest load value is 1023, but the load profile is a multiplier of every load's peak/,
    );
  });

  it("the planner's own year: taken from the files' timestamps, else the year given, else 2023; it dates the representative days", () => {
    // The calendar of a 365-day profile year: 29 February is left out of a leap year.
    expect(dayDate(2023, 0)).toBe('2023-01-01');
    expect(dayDate(2023, 58)).toBe('2023-02-28');
    expect(dayDate(2023, 59)).toBe('2023-03-01');
    expect(dayDate(2023, 364)).toBe('2023-12-31');
    expect(dayDate(2024, 58)).toBe('2024-02-28');
    expect(dayDate(2024, 59)).toBe('2024-03-01');
    expect(dayDate(2024, 364)).toBe('2024-12-31');
    expect(dayDate(2100, 59)).toBe('2100-03-01'); // not a leap year
    expect(year.year).toBe(2023);

    // The vendored year re-stamped as 2024 (8784 rows: 29 February a copy of the 28th).
    const names = readdirSync(dir).filter((n) => n.endsWith('.csv'));
    const restamp = (text: string, y: number): string => {
      const rows = text.trim().split('\n');
      const values = rows.slice(1).map((l) => l.split(',')[1]!);
      const leap = y % 4 === 0;
      const all = leap
        ? [...values.slice(0, 59 * 24), ...values.slice(58 * 24, 59 * 24), ...values.slice(59 * 24)]
        : values;
      const stamp = (h: number): string => new Date(Date.UTC(y, 0, 1, h)).toISOString().slice(0, 16);
      return [rows[0], ...all.map((v, h) => `${stamp(h)},${v}`)].join('\n');
    };
    const files = (y: (n: string) => number): Record<string, string> =>
      Object.fromEntries(names.map((n) => [n, restamp(readFileSync(join(dir, n), 'utf8'), y(n))]));
    const of = (f: Record<string, string>, opts?: { year?: number }): YearProfiles =>
      loadYearProfiles(Object.keys(f), (n) => f[n]!, opts);
    const y2024 = of(files(() => 2024));
    expect(y2024.year).toBe(2024);
    // Same values as 2023 (29 February left out), so the same days, each on the same calendar date.
    expect(y2024.priceUsdPerMwh).toEqual(year.priceUsdPerMwh);
    const days23 = representativeDays(year, 6, 1);
    const days24 = representativeDays(y2024, 6, 1);
    expect(days24).toEqual(days23);
    const labels24 = days24.map((d) => representativeDayLabel(y2024, d));
    expect(labels24.map((l) => l.replace('2024-', ''))).toEqual(
      days23.map((d) => representativeDayLabel(year, d).replace('2023-', '')),
    );
    for (const [k, l] of labels24.entries())
      expect(l).toMatch(new RegExp(`^day 2024-\\d\\d-\\d\\d \\(×${days24[k]!.weight}\\)$`));
    // A PV file of a typical year (its own dates) does not decide the year.
    expect(of(files((n) => (n.startsWith('pv') ? 2001 : 2024))).year).toBe(2024);
    expect(
      of(
        files(() => 2024),
        { year: 2024 },
      ).year,
    ).toBe(2024);
    expect(() =>
      of(
        files(() => 2024),
        { year: 2023 },
      ),
    ).toThrow(/price_ercot-north_2023\.csv: its timestamps are of 2024, but the year given is 2023/);
    // The prices' year decides (a load shape of a reference year may go with them); else the load's.
    expect(of(files((n) => (n.startsWith('load') ? 2022 : 2024))).year).toBe(2024);
    expect(of(files((n) => (n.startsWith('price') ? 2023 : 2024))).year).toBe(2023);

    // hour,value rows name no year: the one given, else 2023.
    const hourly = Object.fromEntries(
      names.map((n) => [
        n,
        [
          'hour,value',
          ...readFileSync(join(dir, n), 'utf8')
            .trim()
            .split('\n')
            .slice(1)
            .map((l, h) => `${h},${l.split(',')[1]}`),
        ].join('\n'),
      ]),
    );
    expect(of(hourly).year).toBe(2023);
    const y2021 = of(hourly, { year: 2021 });
    expect(y2021.year).toBe(2021);
    expect(representativeDayLabel(y2021, { day: 232, weight: 31, members: [] })).toBe('day 2021-08-21 (×31)');
    expect(() => of(hourly, { year: 21.5 })).toThrow(
      /the profiles' year must be a year from 1900 to 2200 \(got 21\.5\)/,
    );

    // A timestamped year begins on 1 January; a leap year's timestamps have 8784 rows.
    const july = [
      'timestamp,value',
      ...Array.from({ length: 8760 }, (_, h) => `${new Date(Date.UTC(2023, 6, 1, h)).toISOString().slice(0, 16)},1`),
    ].join('\n');
    expect(() => parseHourlyYear(july, 'july.csv')).toThrow(
      /july\.csv line 2: the first row is 2023-07-01T00:00, but a year's rows begin on 1 January/,
    );
    const short2024 = [
      'timestamp,value',
      ...Array.from({ length: 8760 }, (_, h) => `${new Date(Date.UTC(2024, 0, 1, h)).toISOString().slice(0, 16)},1`),
    ].join('\n');
    expect(() => parseHourlyYear(short2024, 'y.csv')).toThrow(
      /y\.csv: 2024 is a leap year, so its timestamps need 8784 rows/,
    );
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
