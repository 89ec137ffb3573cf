/**
 * The shared chart builders and number formats (src-shared/), checked against hand-worked values:
 * the same module draws the dashboards and the PDF report, so a slip here shows up in both.
 */
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../src-main/contract';
import {
  batteryMultiplesOption,
  batteryOrder,
  periodLabels,
  unitSeries,
  unitTotal,
  VOLTAGE_STOPS,
  voltageColor,
  voltageRange,
  voltageRows,
} from '../../../src-shared/charts';
import { formatKwh, formatNumber, formatPercent, formatUsd, totalsRows } from '../../../src-shared/format';
import { emptyRunDetail } from '../../../src-shared/testing/run-detail';

describe('formatNumber', () => {
  it('groups thousands after rounding and keeps the decimals asked for', () => {
    expect(formatNumber(1234567.891, 1)).toBe('1,234,567.9');
    expect(formatNumber(999.95, 1)).toBe('1,000.0'); // rounding carries into a new group
    expect(formatNumber(-1234.5, 2)).toBe('-1,234.50');
    expect(formatNumber(12, 0)).toBe('12');
    expect(formatNumber(0.5, 0)).toBe('1'); // toFixed rounds half away from zero for exact halves
  });
  it('never prints a minus sign on a value that rounds to zero', () => {
    expect(formatNumber(-0.04, 1)).toBe('0.0');
    expect(formatNumber(-0, 2)).toBe('0.00');
  });
  it('prints a dash for missing numbers', () => {
    expect(formatNumber(NaN)).toBe('–');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(Infinity)).toBe('–');
  });
  it('puts units and currency where a reader expects them', () => {
    expect(formatKwh(4321.06)).toBe('4,321.1 kWh');
    expect(formatUsd(-12.5)).toBe('-$12.50');
    expect(formatUsd(1503.456)).toBe('$1,503.46');
    expect(formatPercent(0.0123456)).toBe('1.235 %');
    expect(formatPercent(2e-9)).toBe('2.0e-7 %');
  });
});

function run(partial: Partial<RunDetail>): RunDetail {
  return emptyRunDetail({ periods: 3, ...partial });
}

describe('series helpers', () => {
  const r = run({ periods: 3, series: { pvUnitKw: [1, 2, 3, 10, 20, 30] } });
  it('slices unit-major series by unit', () => {
    expect(unitSeries(r, 'pvUnitKw', 0)).toEqual([1, 2, 3]);
    expect(unitSeries(r, 'pvUnitKw', 1)).toEqual([10, 20, 30]);
    expect(unitSeries(r, 'missing', 0)).toEqual([0, 0, 0]);
  });
  it('sums units per period', () => {
    expect(unitTotal(r, 'pvUnitKw')).toEqual([11, 22, 33]);
  });
  it('labels periods by hour of day, wrapping midnight, for sub-hour periods', () => {
    const labels = periodLabels(run({ periods: 6, dtH: 0.5, settings: { startHour: 22 } as RunDetail['settings'] }));
    expect(labels).toEqual(['22:00', '22:30', '23:00', '23:30', '00:00', '00:30']);
  });
});

describe('voltage views', () => {
  // 5 buses × 2 periods; bus-major.
  const v = [1.0, 0.99, 0.97, 0.98, 1.01, 1.02, 0.96, 1.03, 1.0, 1.0];
  const r = run({ periods: 2, busNames: ['a', 'b', 'c', 'd', 'e'], series: { voltagePu: v } });
  it('keeps one row per bus when they fit', () => {
    const rows = voltageRows(r, 10);
    expect(rows.rows).toBe(5);
    expect(rows.groupSize).toBe(1);
    expect(Array.from(rows.values)).toEqual(v);
    expect(rows.min).toBe(0.96);
    expect(rows.max).toBe(1.03);
  });
  it('groups consecutive buses and keeps each group’s lowest voltage', () => {
    const rows = voltageRows(r, 2); // ceil(5 / 2) = 3 buses per group → 2 rows
    expect(rows.groupSize).toBe(3);
    expect(rows.rows).toBe(2);
    // group 1 = a, b, c: min(1.00, 0.97, 1.01) = 0.97 and min(0.99, 0.98, 1.02) = 0.98
    // group 2 = d, e: min(0.96, 1.00) = 0.96 and min(1.03, 1.00) = 1.00
    expect(Array.from(rows.values)).toEqual([0.97, 0.98, 0.96, 1.0]);
    expect(rows.labels[1]).toBe('d … e (2 buses, min)');
  });
  it('colours the ends and the middle of the range with the scale’s stops', () => {
    const range = voltageRange(r, voltageRows(r)); // limits 0.95–1.05 contain 0.96–1.03
    expect(range).toEqual([0.95, 1.05]);
    expect(voltageColor(0.95, range)).toBe(VOLTAGE_STOPS[0]);
    expect(voltageColor(1.05, range)).toBe(VOLTAGE_STOPS[6]);
    expect(voltageColor(1.0, range)).toBe(VOLTAGE_STOPS[3]);
    expect(voltageColor(0.5, range)).toBe(VOLTAGE_STOPS[0]); // clipped
  });
});

describe('battery small multiples', () => {
  const r = run({
    periods: 2,
    batteryNames: ['small', 'big'],
    batteryBuses: ['10', '20'],
    batteryLimits: [
      { pRatedKw: 50, energyKwh: 200, socMin: 0.1, socMax: 0.9 },
      { pRatedKw: 100, energyKwh: 400, socMin: 0.2, socMax: 1 },
    ],
    series: {
      batterySocKwh: [100, 110, 300, 250],
      batteryChargeKw: [10, 0, 0, 0],
      batteryDischargeKw: [0, 0, 50, 50],
      batteryKvar: [1, 2, 3, 4],
    },
  });
  it('orders batteries by energy throughput', () => {
    expect(batteryOrder(r)).toEqual([1, 0]); // 100 kWh through 'big' vs 10 through 'small'
  });
  it('draws SOC limits in kWh, ±rated power, and charge as negative bars', () => {
    const o = batteryMultiplesOption(r, [0]) as {
      series: { name: string; data: number[]; markLine?: { data: { yAxis: number }[] } }[];
    };
    const soc = o.series.find((s) => s.name === 'SOC kWh')!;
    expect(soc.markLine!.data.map((d) => d.yAxis)).toEqual([20, 180]); // 0.1·200, 0.9·200
    const charge = o.series.find((s) => s.name === 'Charge kW')!;
    expect(charge.data).toEqual([-10, -0]);
    expect(charge.markLine!.data.map((d) => d.yAxis)).toEqual([-50, 50]);
  });
});

describe('totals table', () => {
  it('lists the source papers’ totals in order with the shared text', () => {
    const rows = totalsRows({
      totals: {
        lineLossKwh: 1234.56,
        substationKwh: 50000,
        substationKvarh: 20000,
        pvKwh: 3000,
        pvKvarh: -100,
        batteryKwh: -12.34,
        batteryKvarh: 0,
        costUsd: 4567.891,
        demandKwh: 54000,
      },
      maxSimultaneousChargeDischargeKw: 0.0012,
    });
    expect(rows.map((r) => r.key)).toEqual([
      'lineLossKwh',
      'substationKwh',
      'substationKvarh',
      'pvKwh',
      'pvKvarh',
      'batteryKwh',
      'batteryKvarh',
      'costUsd',
      'demandKwh',
      'maxSimultaneousChargeDischargeKw',
    ]);
    expect(rows[0].text).toBe('1,234.6 kWh');
    expect(rows[5].text).toBe('-12.3 kWh');
    expect(rows[7].text).toBe('$4,567.89');
    expect(rows[9].text).toBe('0.0 kW');
  });
  it('shows dashes when the run has no totals (failed or cancelled)', () => {
    const rows = totalsRows({ totals: null, maxSimultaneousChargeDischargeKw: null });
    expect(rows.every((r) => r.value === null && r.text.startsWith('–'))).toBe(true);
  });
});
