/**
 * The base-case screen's chart and the pieces of it the network view shares: the voltage profile
 * per phase along the feeder (phase A/B/C as three series of parent→child segments over the
 * distance from the substation, ANSI C84.1 Range A and B as dashed lines), and a bus's worst
 * phase. Options are data (no echarts import), like ./charts.ts.
 */
import type { BaseCaseResult, PhaseLetter } from '../src-main/contract';
import type { ChartOption } from './charts';
import { formatNumber } from './format';
import { ANSI_RANGE_A, ANSI_RANGE_B } from './threephase';

/** Phase colours used by the profile and the network view (the utility convention is not universal; these read apart in print too). */
export const PHASE_COLORS: Readonly<Record<PhaseLetter | 'one', string>> = {
  A: '#d1495b',
  B: '#2e86ab',
  C: '#3b8b2e',
  one: '#4c5b70',
};

export type PhaseView = 'worst' | PhaseLetter;

/**
 * Per-phase bus voltages over periods — what the network colouring and hover read: a base case
 * (BaseCaseResult) or a three-phase OPF run's node voltages (src-renderer/src/threephase).
 */
export interface PhaseVoltages {
  readonly buses: readonly string[];
  readonly periods: readonly Pick<BaseCaseResult['periods'][number], 'hour' | 'vPu'>[];
}

/**
 * The voltage a bus shows for a phase view at one period: the phase's, or the worst phase's —
 * the one farthest from 1 pu — with which phase that is. null when the bus has no such phase.
 */
export function busVoltage(
  r: PhaseVoltages,
  period: number,
  bus: number,
  view: PhaseView,
): { vPu: number; phase: PhaseLetter | null } | null {
  const rows = r.periods[period]?.vPu;
  if (!rows) return null;
  if (rows.length === 1) {
    const v = rows[0]![bus];
    return v === null || v === undefined ? null : { vPu: v, phase: null };
  }
  if (view !== 'worst') {
    const v = rows['ABC'.indexOf(view)]![bus];
    return v === null || v === undefined ? null : { vPu: v, phase: view };
  }
  let best: { vPu: number; phase: PhaseLetter } | null = null;
  rows.forEach((row, ph) => {
    const v = row[bus];
    if (v === null || v === undefined || v < 0.05) return;
    if (!best || Math.abs(v - 1) > Math.abs(best.vPu - 1)) best = { vPu: v, phase: 'ABC'[ph] as PhaseLetter };
  });
  return best;
}

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

export function baseCaseProfileOption(
  r: Pick<BaseCaseResult, 'buses' | 'distance' | 'distanceUnit' | 'edges'> & {
    readonly periods: readonly Pick<BaseCaseResult['periods'][number], 'vPu'>[];
  },
  period: number,
): ChartOption {
  const p = r.periods[period];
  const rows = p?.vPu ?? [];
  const single = rows.length === 1;
  const names = single ? ['V'] : ['Phase A', 'Phase B', 'Phase C'];
  const colors = single ? [PHASE_COLORS.one] : [PHASE_COLORS.A, PHASE_COLORS.B, PHASE_COLORS.C];
  const unit = r.distanceUnit === 'km' ? 'km' : 'Ω';
  const series: ChartOption[] = [];
  rows.forEach((row, ph) => {
    const segments: ([number, number] | null)[] = [];
    const points: [number, number, string][] = [];
    row.forEach((v, b) => {
      if (v !== null && v >= 0.05) points.push([r5(r.distance[b]!), r5(v), r.buses[b]!]);
    });
    for (const [a, b] of r.edges) {
      const va = row[a],
        vb = row[b];
      if (va === null || vb === null || va === undefined || vb === undefined || va < 0.05 || vb < 0.05) continue;
      segments.push([r5(r.distance[a]!), r5(va)], [r5(r.distance[b]!), r5(vb)], null);
    }
    series.push({
      name: names[ph],
      type: 'line',
      data: segments,
      connectNulls: false,
      symbol: 'none',
      lineStyle: { width: 1.2, color: colors[ph] },
      itemStyle: { color: colors[ph] },
      silent: true,
      ...(ph === 0
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dashed', color: '#b00020' },
              label: { fontSize: 9, position: 'insideEndTop', formatter: (m: { name: string }) => m.name },
              data: [
                { yAxis: ANSI_RANGE_A.low, name: `Range A ${ANSI_RANGE_A.low}` },
                { yAxis: ANSI_RANGE_A.high, name: `Range A ${ANSI_RANGE_A.high}` },
                { yAxis: ANSI_RANGE_B.low, name: `Range B ${ANSI_RANGE_B.low}`, lineStyle: { type: 'dotted' } },
                { yAxis: ANSI_RANGE_B.high, name: `Range B ${ANSI_RANGE_B.high}`, lineStyle: { type: 'dotted' } },
              ],
            },
          }
        : {}),
    });
    series.push({ name: names[ph], type: 'scatter', data: points, symbolSize: 5, itemStyle: { color: colors[ph] } });
  });
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 36, bottom: 40 },
    legend: { top: 0, data: names },
    tooltip: {
      trigger: 'item',
      formatter: (q: { data?: unknown; seriesName?: string }) => {
        const d = q.data as [number, number, string] | undefined;
        return d && d.length === 3
          ? `Bus ${d[2]} ${q.seriesName ?? ''}<br/>${formatNumber(d[1], 4)} pu at ${formatNumber(d[0], 3)} ${unit}`
          : '';
      },
    },
    xAxis: {
      type: 'value',
      name:
        r.distanceUnit === 'km'
          ? 'distance from the substation along the feeder, km'
          : 'electrical distance from the substation, Ω (Σ|Z|)',
      nameLocation: 'middle',
      nameGap: 24,
    },
    yAxis: {
      type: 'value',
      name: 'pu',
      min: (e: { min: number }) => Math.floor((Math.min(e.min, ANSI_RANGE_B.low) - 0.005) * 200) / 200,
      max: (e: { max: number }) => Math.ceil((Math.max(e.max, ANSI_RANGE_B.high) + 0.005) * 200) / 200,
    },
    series,
  };
}
