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

/**
 * On a three-phase feeder the values are per bus and phase (`phaseNodes`): `phase` (1–3) colours
 * each bus by its value on that phase; without it, by its best phase. A site is highlighted on the
 * phase it sits on (and on the best-phase view).
 */
export function marginalValueColors(
  report: Pick<SitingReport, 'marginalValue' | 'ranked'>,
  buses: readonly string[],
  phase?: number,
): MapColors {
  const onPhase = <T extends { readonly phaseNodes?: readonly number[] }>(m: T): boolean =>
    phase === undefined || !m.phaseNodes || m.phaseNodes.includes(phase);
  const values = report.marginalValue.filter((m) => Number.isFinite(m.usdPerKwYear) && onPhase(m));
  const range = values.length
    ? { lo: Math.min(...values.map((m) => m.usdPerKwYear)), hi: Math.max(...values.map((m) => m.usdPerKwYear)) }
    : null;
  const value = new Map<string, number>();
  for (const m of values) value.set(m.bus, Math.max(value.get(m.bus) ?? -Infinity, m.usdPerKwYear));
  const best = report.ranked.find((r) => r.feasible);
  const chosen = best ? best.sites.filter(onPhase).map((s) => s.bus) : [];
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
