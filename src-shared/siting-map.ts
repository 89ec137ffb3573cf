/**
 * Colours of the Siting tab's marginal-value map: each candidate bus on a sequential scale of its
 * screened marginal value of storage (USD per kW-year, `SitingReport.marginalValue`), the
 * first-ranked configuration's sites in one highlight colour, every other bus grey.
 */
import type { SitingReport } from '../src-solver/siting/study';

/** Low → high marginal value (light to dark orange). */
export const VALUE_STOPS = ['#fff1dc', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'] as const;
export const CHOSEN_COLOR = '#1f5fd1';
export const OTHER_COLOR = '#c8ced6';

function lerp(a: string, b: string, f: number): string {
  const ch = (s: string, k: number): number => parseInt(s.slice(1 + 2 * k, 3 + 2 * k), 16);
  const out = [0, 1, 2].map((k) => Math.round(ch(a, k) + (ch(b, k) - ch(a, k)) * f));
  return `#${out.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Colour of value `v` on the scale [lo, hi] (the middle stop when the range is empty). */
export function valueColor(v: number, lo: number, hi: number): string {
  if (!(hi > lo)) return VALUE_STOPS[2];
  const x = Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * (VALUE_STOPS.length - 1);
  const k = Math.min(VALUE_STOPS.length - 2, Math.floor(x));
  return lerp(VALUE_STOPS[k], VALUE_STOPS[k + 1], x - k);
}

export interface MapColors {
  readonly colors: Map<string, string>;
  /** The scale's ends, USD per kW-year (null when no candidate has a value). */
  readonly range: { readonly lo: number; readonly hi: number } | null;
  /** The first-ranked feasible configuration's buses. */
  readonly chosen: readonly string[];
}

export function marginalValueColors(
  report: Pick<SitingReport, 'marginalValue' | 'ranked'>,
  buses: readonly string[],
): MapColors {
  const values = report.marginalValue.filter((m) => Number.isFinite(m.usdPerKwYear));
  const range = values.length
    ? { lo: Math.min(...values.map((m) => m.usdPerKwYear)), hi: Math.max(...values.map((m) => m.usdPerKwYear)) }
    : null;
  const value = new Map(values.map((m) => [m.bus, m.usdPerKwYear]));
  const best = report.ranked.find((r) => r.feasible);
  const chosen = best ? best.sites.map((s) => s.bus) : [];
  const colors = new Map<string, string>();
  for (const b of buses) {
    const v = value.get(b);
    colors.set(
      b,
      chosen.includes(b) ? CHOSEN_COLOR : v !== undefined && range ? valueColor(v, range.lo, range.hi) : OTHER_COLOR,
    );
  }
  return { colors, range, chosen };
}
