/**
 * SHARED chart option builders (ECharts) for the dashboards (renderer, canvas) and the PDF report
 * (backend, server-side SVG via `echarts.init(null, null, { renderer: 'svg', ssr: true })`): one
 * function per chart, from a RunDetail to an ECharts option, so both draw the same numbers the
 * same way. Pure: no DOM, no Node. Options set `animation: false` (the report renders one frame).
 */
import type { EChartsOption } from 'echarts';
import type { RunDetail } from '../contract';
import { periodHours } from './figures';

const PALETTE = ['#2f6fb0', '#d9822b', '#3a9e5c', '#c23b3b', '#7a5cb8', '#8c6d46', '#d16aa8', '#6b6b6b', '#b5b531', '#2fb5c2'];

function base(title: string, r: RunDetail): Pick<EChartsOption, 'animation' | 'color' | 'title' | 'grid' | 'tooltip' | 'legend' | 'xAxis'> {
  return {
    animation: false,
    color: PALETTE,
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: { left: 70, right: 30, top: 60, bottom: 45 },
    tooltip: { trigger: 'axis' },
    legend: { top: 26 },
    xAxis: { type: 'category', name: 'hour', nameLocation: 'middle', nameGap: 28, data: periodHours(r).map(String) },
  };
}

const line = (name: string, data: readonly number[], extra: Record<string, unknown> = {}) => ({ type: 'line' as const, name, data: [...data], showSymbol: false, ...extra });

/** Substation power, demand, PV and losses per period, kW. */
export function powerBalanceOption(r: RunDetail): EChartsOption {
  const s = r.series;
  return {
    ...base('Power balance', r),
    yAxis: { type: 'value', name: 'kW' },
    series: [
      line('Substation', s.substationKw ?? []),
      line('Demand', s.demandKw ?? []),
      line('PV', s.pvKw ?? []),
      line('Losses', s.lossKw ?? []),
    ],
  };
}

/** Energy price (USD/kWh) and cost per period (USD). */
export function priceCostOption(r: RunDetail): EChartsOption {
  const s = r.series;
  return {
    ...base('Price and cost', r),
    yAxis: [
      { type: 'value', name: 'USD' },
      { type: 'value', name: 'USD/kWh', position: 'right' },
    ],
    series: [
      { type: 'bar', name: 'Cost', data: [...(s.costUsd ?? [])] },
      line('Price', s.priceUsdPerKwh ?? [], { yAxisIndex: 1, step: 'start' }),
    ],
  };
}

/** Lowest, mean and highest bus voltage per period with the study's limits, pu. */
export function voltageEnvelopeOption(r: RunDetail): EChartsOption {
  const v = r.series.voltagePu ?? [];
  const T = r.periods;
  const n = T > 0 ? v.length / T : 0;
  const lo: number[] = [];
  const hi: number[] = [];
  const mean: number[] = [];
  for (let t = 0; t < T; t++) {
    let a = Infinity;
    let b = -Infinity;
    let m = 0;
    for (let u = 0; u < n; u++) {
      const x = v[u * T + t]!;
      a = Math.min(a, x);
      b = Math.max(b, x);
      m += x;
    }
    lo.push(a);
    hi.push(b);
    mean.push(n ? m / n : NaN);
  }
  const limits = {
    silent: true,
    symbol: 'none',
    lineStyle: { type: 'dashed', color: '#c23b3b' },
    data: [{ yAxis: r.settings.vMinPu }, { yAxis: r.settings.vMaxPu }],
  };
  return {
    ...base('Bus voltage range', r),
    yAxis: { type: 'value', name: 'pu', min: (x: { min: number }) => Math.min(x.min, r.settings.vMinPu) - 0.005, max: (x: { max: number }) => Math.max(x.max, r.settings.vMaxPu) + 0.005 },
    series: [line('Highest', hi, { markLine: limits }), line('Mean', mean), line('Lowest', lo)],
  } as EChartsOption;
}

/**
 * Battery state of charge, kWh: every battery when there are at most `maxLines`, otherwise the
 * fleet total (a chart with hundreds of lines shows nothing).
 */
export function batterySocOption(r: RunDetail, maxLines = 10): EChartsOption {
  const soc = r.series.batterySocKwh ?? [];
  const T = r.periods;
  const n = r.batteryNames.length;
  const series =
    n <= maxLines
      ? r.batteryNames.map((name, u) => line(name, soc.slice(u * T, (u + 1) * T)))
      : [line(`All ${n} batteries`, Array.from({ length: T }, (_, t) => r.batteryNames.reduce((s, _n, u) => s + soc[u * T + t]!, 0)))];
  return { ...base('Battery state of charge', r), yAxis: { type: 'value', name: 'kWh' }, series };
}

/** Fleet charge (negative) and discharge (positive) power per period, kW. */
export function batteryPowerOption(r: RunDetail): EChartsOption {
  const T = r.periods;
  const n = r.batteryNames.length;
  const total = (name: string, sign: number) =>
    Array.from({ length: T }, (_, t) => {
      let s = 0;
      for (let u = 0; u < n; u++) s += r.series[name]![u * T + t]!;
      return sign * s;
    });
  return {
    ...base('Battery power (all batteries)', r),
    yAxis: { type: 'value', name: 'kW' },
    series: [
      { type: 'bar', name: 'Discharge', stack: 'p', data: total('batteryDischargeKw', 1) },
      { type: 'bar', name: 'Charge', stack: 'p', data: total('batteryChargeKw', -1) },
    ],
  };
}

/** Two runs' substation power per period side by side (comparisons), kW. */
export function comparisonSubstationOption(a: RunDetail, b: RunDetail, labelA: string, labelB: string): EChartsOption {
  return {
    ...base('Substation power', a),
    yAxis: { type: 'value', name: 'kW' },
    series: [line(labelA, a.series.substationKw ?? []), line(labelB, b.series.substationKw ?? [], { lineStyle: { type: 'dashed' } })],
  };
}

/** Every chart of a run's dashboard (and report), in order, with a stable id. */
export function runChartOptions(r: RunDetail): { id: string; option: EChartsOption }[] {
  const charts = [
    { id: 'power', option: powerBalanceOption(r) },
    { id: 'voltage', option: voltageEnvelopeOption(r) },
    { id: 'price', option: priceCostOption(r) },
  ];
  if (r.batteryNames.length > 0) charts.push({ id: 'soc', option: batterySocOption(r) }, { id: 'batteryPower', option: batteryPowerOption(r) });
  return charts;
}
