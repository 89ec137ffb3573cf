/**
 * SHARED by the backend (PDF report, exports) and the renderer (dashboards): the key figures and
 * totals of a run and how numbers are printed, so a dashboard, a table, the CSV and the PDF show
 * the same numbers. Pure: no DOM, no Node, no Electron — both sides import it
 * (renderer: `import { totalsRows, formatValue } from '../../../src-main/shared/figures'`).
 */
import type { RunDetail, RunTotals } from '../contract';

/** One line of a totals table: label, unit, value and its printed decimals. */
export interface FigureRow {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly value: number;
  readonly decimals: number;
}

const TOTALS: readonly { key: keyof RunTotals; label: string; unit: string; decimals: number }[] = [
  { key: 'costUsd', label: 'Energy cost', unit: 'USD', decimals: 2 },
  { key: 'lineLossKwh', label: 'Line losses', unit: 'kWh', decimals: 2 },
  { key: 'substationKwh', label: 'Substation energy', unit: 'kWh', decimals: 1 },
  { key: 'substationKvarh', label: 'Substation reactive energy', unit: 'kvarh', decimals: 1 },
  { key: 'demandKwh', label: 'Demand', unit: 'kWh', decimals: 1 },
  { key: 'pvKwh', label: 'PV energy', unit: 'kWh', decimals: 1 },
  { key: 'pvKvarh', label: 'PV reactive energy', unit: 'kvarh', decimals: 1 },
  { key: 'batteryKwh', label: 'Battery net discharge', unit: 'kWh', decimals: 2 },
  { key: 'batteryKvarh', label: 'Battery reactive energy', unit: 'kvarh', decimals: 1 },
];

/** The source papers' totals over the horizon, in table order. */
export function totalsRows(t: RunTotals): FigureRow[] {
  return TOTALS.map((d) => ({ key: d.key, label: d.label, unit: d.unit, value: t[d.key], decimals: d.decimals }));
}

const max = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const min = (xs: readonly number[]): number => xs.reduce((m, x) => Math.min(m, x), Infinity);

/** Key figures beyond the totals: peak substation demand, voltage range, battery cycling. */
export function keyFigureRows(r: RunDetail): FigureRow[] {
  const usable = r.batteryLimits.reduce((s, b) => s + b.energyKwh * (b.socMax - b.socMin), 0);
  const discharged = (r.series.batteryDischargeKw ?? []).reduce((s, x) => s + x, 0) * r.dtH;
  return [
    { key: 'peakSubstationKw', label: 'Peak substation demand', unit: 'kW', value: max(r.series.substationKw ?? []), decimals: 1 },
    { key: 'minVoltagePu', label: 'Minimum voltage', unit: 'pu', value: min(r.series.voltagePu ?? []), decimals: 4 },
    { key: 'maxVoltagePu', label: 'Maximum voltage', unit: 'pu', value: max(r.series.voltagePu ?? []), decimals: 4 },
    { key: 'batteryCycles', label: 'Battery cycling', unit: 'full cycles', value: usable > 0 ? discharged / usable : 0, decimals: 3 },
  ];
}

/** Fixed decimals with thousands separators (en-US), '—' for non-finite values. */
export function formatValue(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Small or wide-ranging quantities (differences, residuals): 3 significant digits, exponent form. */
export function formatSci(value: number): string {
  return Number.isFinite(value) ? value.toExponential(2) : '—';
}

/** Hour of day of each period (labels of the time axis). */
export function periodHours(r: Pick<RunDetail, 'periods' | 'dtH' | 'settings'>): number[] {
  return Array.from({ length: r.periods }, (_, t) => (r.settings.startHour + t * r.dtH) % 24);
}
