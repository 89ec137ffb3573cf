/**
 * Number formatting shared by the renderer (dashboards, tables), the CSV/JSON export and the PDF
 * report, so a total reads the same everywhere ("1,234.5 kWh"). Pure ECMAScript: no Intl locale
 * dependence (Node and Chromium may ship different ICU data), no DOM, no Node.
 */
import type { RunDetail, RunTotals } from '../src-main/contract';

/** `v` with `digits` decimals and a comma every three integer digits; '–' for null/NaN. */
export function formatNumber(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  let s = Math.abs(v).toFixed(digits);
  // toFixed rounds -0.04 to "0.0": no minus sign on a value that prints as zero.
  const negative = v < 0 && Number(s) !== 0;
  const dot = s.indexOf('.');
  let int = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot);
  let grouped = '';
  while (int.length > 3) {
    grouped = ',' + int.slice(-3) + grouped;
    int = int.slice(0, -3);
  }
  s = int + grouped + frac;
  return negative ? '-' + s : s;
}

export const formatKwh = (v: number | null | undefined): string => `${formatNumber(v, 1)} kWh`;
export const formatKvarh = (v: number | null | undefined): string => `${formatNumber(v, 1)} kvarh`;
export const formatKw = (v: number | null | undefined): string => `${formatNumber(v, 1)} kW`;
export const formatKvar = (v: number | null | undefined): string => `${formatNumber(v, 1)} kvar`;
export const formatUsd = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `$${formatNumber(v, 2)}`.replace('$-', '-$');
export const formatPu = (v: number | null | undefined): string => `${formatNumber(v, 4)} pu`;
export const formatSeconds = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v < 10 ? `${v.toFixed(2)} s` : `${formatNumber(v, 1)} s`;
/** Relative difference as a percentage with enough digits to show solver-precision agreement. */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const p = v * 100;
  if (p === 0) return '0 %';
  if (Math.abs(p) < 0.001) return `${p.toExponential(1)} %`;
  return `${formatNumber(p, 3)} %`;
}
/** A small quantity in scientific notation (residuals, infeasibilities). */
export const formatSci = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toExponential(digits);

/** Format a number in the unit it is shown in (tables of comparison rows carry the unit). */
export function formatInUnit(v: number | null | undefined, unit: string): string {
  switch (unit) {
    case 'kWh':
      return formatKwh(v);
    case 'kvarh':
      return formatKvarh(v);
    case 'kW':
      return formatKw(v);
    case 'kvar':
      return formatKvar(v);
    case 'USD':
      return formatUsd(v);
    case 'pu':
      return formatPu(v);
    case 's':
      return formatSeconds(v);
    default:
      return unit ? `${formatNumber(v, 3)} ${unit}` : formatNumber(v, 3);
  }
}

export interface TotalsRow {
  readonly key: keyof RunTotals | 'maxSimultaneousChargeDischargeKw';
  /** The quantity as the source papers' tables name it. */
  readonly label: string;
  readonly unit: 'kWh' | 'kvarh' | 'USD' | 'kW';
  readonly value: number | null;
  /** `value` formatted with its unit: the exact text the UI, CSV and PDF show. */
  readonly text: string;
}

const TOTALS: readonly [TotalsRow['key'], string, TotalsRow['unit']][] = [
  ['lineLossKwh', 'Line loss', 'kWh'],
  ['substationKwh', 'Substation real energy', 'kWh'],
  ['substationKvarh', 'Substation reactive energy', 'kvarh'],
  ['pvKwh', 'PV real energy', 'kWh'],
  ['pvKvarh', 'PV reactive energy', 'kvarh'],
  ['batteryKwh', 'Battery real energy (discharge − charge)', 'kWh'],
  ['batteryKvarh', 'Battery reactive energy', 'kvarh'],
  ['costUsd', 'Substation energy cost', 'USD'],
  ['demandKwh', 'Demand', 'kWh'],
];

/** The totals table of a run in the source papers' order, each value with its shared text. */
export function totalsRows(run: Pick<RunDetail, 'totals' | 'maxSimultaneousChargeDischargeKw'>): TotalsRow[] {
  const rows: TotalsRow[] = TOTALS.map(([key, label, unit]) => {
    const value = run.totals ? (run.totals[key as keyof RunTotals] ?? null) : null;
    return { key, label, unit, value, text: formatInUnit(value, unit) };
  });
  rows.push({
    key: 'maxSimultaneousChargeDischargeKw',
    label: 'Largest simultaneous charge and discharge',
    unit: 'kW',
    value: run.maxSimultaneousChargeDischargeKw,
    text: formatKw(run.maxSimultaneousChargeDischargeKw),
  });
  return rows;
}

/** "1 area", "4 areas", "1 battery", "26 batteries". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n, 0)} ${n === 1 ? one : many}`;
}

/** A difference with its sign always shown ("+207.0 kW", "−$37.12"); true minus sign. */
export function formatSignedInUnit(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const text = formatInUnit(Math.abs(v), unit);
  if (text.replace(/[^1-9]/g, '') === '') return text; // prints as zero: no sign
  return `${v < 0 ? '−' : '+'}${text}`;
}

/** A relative change as a signed percentage with one decimal ("−5.2 %", "+16.0 %"). */
export function formatSignedPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const p = Math.abs(v * 100).toFixed(1);
  if (Number(p) === 0) return '0.0 %';
  return `${v < 0 ? '−' : '+'}${formatNumber(Number(p), 1)} %`;
}

/** A ratio or factor without floating-point noise: 1/3 → "0.3333", 0.5 → "0.5", 2 → "2". */
export function formatFactor(v: number, digits = 4): string {
  return String(Number(v.toFixed(digits)));
}
