/**
 * The report's tables as CSV a planner pastes into a Word or Excel template: the totals, every
 * battery (size, cycles, energy, arbitrage value), the buses outside ANSI C84.1 Range A and, when
 * comparing, the comparison against the baseline. One file, one titled block per table, blank
 * line between blocks; numbers unrounded, text quoted when it needs to be (RFC 4180), UTF-8 with
 * a byte-order mark so Excel reads "Δ", "−" and "¢" correctly.
 */
import type { RunComparison, RunDetail } from '../src-main/contract';
import { totalsRows } from './format';
import { batteryFigures, signedRelative, voltageViolations } from './study';

function field(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
const row = (cells: (string | number | null)[]) => cells.map(field).join(',');

export function reportTablesCsv(
  run: RunDetail,
  comparison?: { cmp: RunComparison; nameA: string; nameB: string } | null,
): string {
  const blocks: string[][] = [];
  blocks.push([
    row([`Totals, run ${run.id} (${run.kind}), ${run.periods} periods of ${run.dtH} h`]),
    row(['quantity', 'unit', 'value']),
    ...totalsRows(run).map((r) => row([r.label, r.unit, r.value])),
  ]);
  if (run.batteryNames.length)
    blocks.push([
      row(['Batteries']),
      row([
        'battery',
        'bus',
        'power_kw',
        'energy_kwh',
        'equivalent_cycles',
        'discharged_kwh',
        'charged_kwh',
        'arbitrage_value_usd',
      ]),
      ...batteryFigures(run).map((b) =>
        row([b.name, b.bus, b.pRatedKw, b.energyKwh, b.cycles, b.dischargedKwh, b.chargedKwh, b.arbitrageUsd]),
      ),
    ]);
  const vio = voltageViolations(run);
  blocks.push([
    row(['Buses outside ANSI C84.1 Range A (0.95-1.05 pu)']),
    row(['bus', 'outside_range', 'hours_outside_a', 'worst_pu', 'worst_at']),
    ...vio.map((v) => row([v.bus, v.range, v.hours, v.worstPu, v.worstAt])),
  ]);
  if (comparison)
    blocks.push([
      row([`Comparison: A (baseline) = ${comparison.nameA}, B = ${comparison.nameB}`]),
      row(['quantity', 'unit', 'a', 'b', 'b_minus_a', 'change_fraction']),
      ...comparison.cmp.rows.map((r) => row([r.quantity, r.unit, r.a, r.b, r.b - r.a, signedRelative(r)])),
    ]);
  return `\uFEFF${blocks.map((b) => b.join('\r\n')).join('\r\n\r\n')}\r\n`;
}
