/**
 * The report's tables for a planner's own Word or Excel template: the totals, every battery
 * (size, cycles, energy, arbitrage value), the buses outside ANSI C84.1 Range A (and B), the
 * branches against their ratings and, when comparing, the comparison against the baseline.
 * One list of tables (`reportTables`), written as CSV (one file, one titled block per table,
 * blank line between blocks; numbers unrounded, text quoted when it needs to be (RFC 4180),
 * UTF-8 with a byte-order mark so Excel reads "Δ", "−" and "¢" correctly) or as XLSX sheets
 * (`reportSheets`, one sheet per table, numbers as numeric cells).
 */
import type { RunComparison, RunDetail } from '../src-main/contract';
import { totalsRows } from './format';
import { branchLoadingRows } from './loading';
import { batteryFigures, signedRelative, voltageViolations } from './study';
import type { Cell, Sheet } from './xlsx';

export interface ReportTable {
  /** Short name (the XLSX sheet's tab). */
  readonly name: string;
  /** The block's title line. */
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export type ComparisonTables = { cmp: RunComparison; nameA: string; nameB: string } | null;

export function reportTables(run: RunDetail, comparison?: ComparisonTables): ReportTable[] {
  const tables: ReportTable[] = [];
  tables.push({
    name: 'Totals',
    title: `Totals, run ${run.id} (${run.kind}), ${run.periods} periods of ${run.dtH} h`,
    header: ['quantity', 'unit', 'value'],
    rows: totalsRows(run).map((r) => [r.label, r.unit, r.value]),
  });
  if (run.batteryNames.length)
    tables.push({
      name: 'Batteries',
      title: 'Batteries',
      header: [
        'battery',
        'bus',
        'power_kw',
        'energy_kwh',
        'equivalent_cycles',
        'discharged_kwh',
        'charged_kwh',
        'arbitrage_value_usd',
      ],
      rows: batteryFigures(run).map((b) => [
        b.name,
        b.bus,
        b.pRatedKw,
        b.energyKwh,
        b.cycles,
        b.dischargedKwh,
        b.chargedKwh,
        b.arbitrageUsd,
      ]),
    });
  tables.push({
    name: 'Voltage limits',
    title: 'Buses outside ANSI C84.1 Range A (0.95-1.05 pu)',
    header: ['bus', 'outside_range', 'hours_outside_a', 'hours_outside_b', 'worst_pu', 'worst_at'],
    rows: voltageViolations(run).map((v) => [v.bus, v.range, v.hours, v.hoursB, v.worstPu, v.worstAt]),
  });
  const loading = branchLoadingRows(run);
  if (loading.length)
    tables.push({
      name: 'Branch loading',
      title: 'Branch loading against the normal rating (rated branches, most loaded first)',
      header: [
        'branch',
        'from_bus',
        'to_bus',
        'rating_a',
        'peak_loading_pct',
        'peak_current_a',
        'peak_at',
        'hours_over_rating',
      ],
      rows: loading.map((r) => [r.name, r.from, r.to, r.ampacityA, r.peakPct, r.peakA, r.peakAt, r.hoursOver]),
    });
  if (comparison)
    tables.push({
      name: 'Comparison',
      title: `Comparison: A (baseline) = ${comparison.nameA}, B = ${comparison.nameB}`,
      header: ['quantity', 'unit', 'a', 'b', 'b_minus_a', 'change_fraction'],
      rows: comparison.cmp.rows.map((r) => [r.quantity, r.unit, r.a, r.b, r.b - r.a, signedRelative(r)]),
    });
  return tables;
}

function field(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
const row = (cells: readonly Cell[]) => cells.map(field).join(',');

export function reportTablesCsv(run: RunDetail, comparison?: ComparisonTables): string {
  const blocks = reportTables(run, comparison).map((t) => [row([t.title]), row(t.header), ...t.rows.map(row)]);
  return `\uFEFF${blocks.map((b) => b.join('\r\n')).join('\r\n\r\n')}\r\n`;
}

/** The same tables as XLSX sheets: title, header, then the rows (numbers stay numbers). */
export function reportSheets(run: RunDetail, comparison?: ComparisonTables): Sheet[] {
  return reportTables(run, comparison).map((t) => ({
    name: t.name,
    boldRows: 2,
    rows: [[t.title], t.header, ...t.rows],
  }));
}
