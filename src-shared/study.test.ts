import { describe, expect, it } from 'vitest';
import type { RunComparison, RunDetail } from '../src-main/contract';
import {
  baselineFirst,
  batteryFigures,
  comparisonHeadline,
  formatChange,
  relaxedVoltageLimits,
  signedRelative,
  voltageViolations,
} from './study';
import { emptyRunDetail } from './testing/run-detail';

/** A 4-hour run with one 100 kW / 400 kWh battery and three buses, numbers chosen by hand. */
function run(over: Partial<RunDetail> = {}): RunDetail {
  return emptyRunDetail({
    periods: 4,
    busNames: ['1', '2', '3'],
    batteryNames: ['bat_3'],
    batteryBuses: ['3'],
    batteryLimits: [{ pRatedKw: 100, energyKwh: 400, socMin: 0.1, socMax: 0.9 }],
    series: {
      // Charge 100 kW at 0.05 $/kWh in hours 0–1, discharge 80 kW at 0.20 $/kWh in hours 2–3.
      priceUsdPerKwh: [0.05, 0.05, 0.2, 0.2],
      batteryChargeKw: [100, 100, 0, 0],
      batteryDischargeKw: [0, 0, 80, 80],
      // Bus 1 nominal; bus 2 dips to 0.94 (Range A, not B) for two hours; bus 3 to 0.91 (outside B) once.
      voltagePu: [1, 1, 1, 1, 0.97, 0.94, 0.94, 0.96, 0.96, 0.95, 0.91, 0.96],
    },
    ...over,
  });
}

describe('battery figures', () => {
  it('cycles, throughput and arbitrage value from the hourly powers and prices', () => {
    const [b] = batteryFigures(run());
    expect(b!.chargedKwh).toBeCloseTo(200, 12);
    expect(b!.dischargedKwh).toBeCloseTo(160, 12);
    // 160 kWh out of a usable 0.8 × 400 = 320 kWh.
    expect(b!.cycles).toBeCloseTo(0.5, 12);
    // Sold 160 kWh at 0.20, bought 200 kWh at 0.05: 32 − 10 = 22 USD.
    expect(b!.arbitrageUsd).toBeCloseTo(22, 12);
  });
});

describe('ANSI C84.1 voltage ranges', () => {
  it('lists buses outside Range A with hours and worst value, marking those outside Range B too', () => {
    const v = voltageViolations(run());
    expect(v.map((x) => [x.bus, x.range, x.hours, x.worstPu, x.worstAt])).toEqual([
      ['3', 'B', 1, 0.91, '02:00'],
      ['2', 'A', 2, 0.94, '01:00'],
    ]);
  });

  it('says when the study relaxes the limits beyond Range A', () => {
    expect(relaxedVoltageLimits({ vMinPu: 0.95, vMaxPu: 1.05 } as RunDetail['settings'])).toBeNull();
    expect(relaxedVoltageLimits({ vMinPu: 0.9, vMaxPu: 1.05 } as RunDetail['settings'])).toMatch(
      /0\.9–1\.05 pu, wider than ANSI C84\.1 Range A \(0\.95–1\.05 pu\): voltages down to 0\.9 pu/,
    );
  });
});

describe('comparison against a baseline', () => {
  const cmp = (rows: [string, string, number, number][]): RunComparison => ({
    a: run() as RunComparison['a'],
    b: run({ id: 2, scenarioId: 2 }) as RunComparison['b'],
    mode: 'scenario',
    rows: rows.map(([quantity, unit, a, b]) => ({
      quantity,
      unit,
      a,
      b,
      diff: b - a,
      relDiff: Math.abs(b - a) / Math.abs(a),
    })),
    maxRelDiff: 0,
  });

  it('the baseline is A: the compared-against scenario, or the centralized run of the same scenario', () => {
    type R = { id: number; scenarioId: number; kind: 'centralized' | 'distributed' };
    const opened: R = { id: 5, scenarioId: 2, kind: 'centralized' };
    const base: R = { id: 3, scenarioId: 1, kind: 'centralized' };
    expect(baselineFirst(opened, base).map((r) => r.id)).toEqual([3, 5]);
    const dist: R = { id: 6, scenarioId: 2, kind: 'distributed' };
    expect(baselineFirst(dist, opened).map((r) => r.id)).toEqual([5, 6]);
    expect(baselineFirst(opened, dist).map((r) => r.id)).toEqual([5, 6]);
  });

  it('signed differences and percentages with one decimal', () => {
    expect(signedRelative({ a: 200, b: 150 })).toBeCloseTo(-0.25, 12);
    expect(signedRelative({ a: 0, b: 1 })).toBeNull();
    expect(formatChange({ a: 712, b: 674.88, unit: 'USD' })).toBe('−$37.12 (−5.2 %)');
    expect(formatChange({ a: 1294, b: 1501, unit: 'kW' })).toBe('+207.0 kW (+16.0 %)');
  });

  it('a headline sentence names both scenarios and the signed effects, good news first', () => {
    const c = cmp([
      ['Energy cost', 'USD', 712, 674.88],
      ['Line losses', 'kWh', 100, 100],
      ['Peak substation demand', 'kW', 1294, 1501],
      ['Minimum voltage', 'pu', 0.96, 0.96],
    ]);
    expect(comparisonHeadline(c, 'No storage', '250 kW battery at 114', 24)).toBe(
      '“250 kW battery at 114” saves $37.12 (−5.2 %) over the 24 h against “No storage”, but raises the substation peak by 207.0 kW (+16.0 %).',
    );
    const same = cmp([['Energy cost', 'USD', 10, 10]]);
    expect(comparisonHeadline(same, 'A', 'B', 24)).toMatch(/less than the report's rounding/);
  });
});

describe('report tables as CSV', () => {
  it('one titled block per table, numbers unrounded, text quoted when needed, BOM for Excel', async () => {
    const { reportTablesCsv } = await import('./tables');
    const r = run({
      totals: {
        lineLossKwh: 1.5,
        substationKwh: 10,
        substationKvarh: 2,
        pvKwh: 0,
        pvKvarh: 0,
        batteryKwh: -40,
        batteryKvarh: 0,
        costUsd: 3.25,
        demandKwh: 8,
      },
      batteryNames: ['bat, "north"'],
    });
    const csv = reportTablesCsv(r);
    expect(csv.startsWith('\uFEFFTotals, run 1')).toBe(false); // the title has a comma: quoted
    expect(csv.startsWith('\uFEFF"Totals, run 1 (centralized), 4 periods of 1 h"')).toBe(true);
    const blocks = csv.slice(1).trim().split('\r\n\r\n');
    expect(blocks.map((b) => b.split('\r\n')[0])).toEqual([
      '"Totals, run 1 (centralized), 4 periods of 1 h"',
      'Batteries',
      'Buses outside ANSI C84.1 Range A (0.95-1.05 pu)',
    ]);
    expect(blocks[0]).toContain('Substation energy cost,USD,3.25');
    // The battery row: name quoted (comma and quotes), figures as computed by hand above.
    expect(blocks[1]!.split('\r\n')[2]).toBe('"bat, ""north""",3,100,400,0.5,160,200,22');
    expect(blocks[2]!.split('\r\n').slice(2)).toEqual(['3,B,1,1,0.91,02:00', '2,A,2,0,0.94,01:00']);
  });
});
