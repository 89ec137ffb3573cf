/**
 * ECharts option builders for a run's charts, shared by the renderer (canvas) and the PDF report
 * (ECharts server-side rendering to SVG), so the report shows the same charts as the dashboards.
 * Pure ECMAScript: each builder takes the run (contract.ts RunDetail) and returns a plain option
 * object; no DOM, no Node, no echarts import (options are data).
 *
 * Series layout (contract.ts): system series are T long; per-unit series are unit-major
 * (`units × T`), so unit i's period t is `series[name][i * T + t]`.
 */
import type { RunDetail, RunDistributedInfo, RunProgress, RunSummary } from '../src-main/contract';
import { formatNumber } from './format';
import { BOUNDARY_ERROR_MARGIN } from '../src-solver/enapp/distributed';

/** An ECharts option as plain data. */
export type ChartOption = Record<string, unknown>;

/** Calm colours, one meaning each, the same in every chart and in the report. */
export const COLORS = {
  substationP: '#12263f',
  substationQ: '#5d7fa8',
  demand: '#9aa4b2',
  pv: '#d9a400',
  pvQ: '#b07d00',
  price: '#8e5ab5',
  cost: '#2f6db5',
  loss: '#c2453d',
  soc: '#1f8f4e',
  charge: '#2f6db5',
  discharge: '#d9822b',
  batteryQ: '#6b7a8f',
  limit: '#c2453d',
  runA: '#12263f',
  runB: '#d9822b',
} as const;

/** Voltage colour scale, low to high: the heatmap's visualMap and the network view use the same stops. */
/** Red (low) through green (the middle of the range, normally 1.0 pu) to deep blue (high); no near-white stop, so buses stay visible on a white canvas. */
export const VOLTAGE_STOPS = ['#b2182b', '#e07040', '#e3b53e', '#7db36a', '#3f9a8c', '#3a6fb5', '#28357f'] as const;

const AXIS_LABEL = { fontSize: 10, color: '#5b6575' };
const SPLIT_LINE = { lineStyle: { color: '#eef1f5' } };
const TEXT = { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', fontSize: 11, color: '#1d2430' };

/** Hour-of-day label of each period ("06:00", "13:30"), from the study's start hour and Δt. */
export function periodLabels(run: Pick<RunDetail, 'periods' | 'dtH' | 'settings'>): string[] {
  const out: string[] = [];
  for (let t = 0; t < run.periods; t++) {
    const h = (((run.settings.startHour + t * run.dtH) % 24) + 24) % 24;
    const hh = Math.floor(h + 1e-9);
    const mm = Math.round((h - hh) * 60);
    out.push(`${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`);
  }
  return out;
}

/** A system series (T long), or zeros when the run does not carry it. */
export function systemSeries(run: Pick<RunDetail, 'series' | 'periods'>, name: string): number[] {
  const s = run.series[name];
  return s ? Array.from(s.slice(0, run.periods)) : new Array<number>(run.periods).fill(0);
}

/** Unit `i` of a unit-major series, T long (zeros when missing). */
export function unitSeries(run: Pick<RunDetail, 'series' | 'periods'>, name: string, i: number): number[] {
  const s = run.series[name];
  const T = run.periods;
  return s ? Array.from(s.slice(i * T, (i + 1) * T)) : new Array<number>(T).fill(0);
}

/** Sum over units of a unit-major series, per period. */
export function unitTotal(run: Pick<RunDetail, 'series' | 'periods'>, name: string): number[] {
  const s = run.series[name];
  const T = run.periods;
  const out = new Array<number>(T).fill(0);
  if (!s) return out;
  for (let k = 0; k < s.length; k++) out[k % T] += s[k];
  return out;
}

const round = (v: number, digits = 4) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function baseOption(title: string | undefined): ChartOption {
  return {
    animation: false,
    textStyle: TEXT,
    ...(title
      ? { title: { text: title, left: 0, top: 0, textStyle: { fontSize: 12, fontWeight: 600, color: '#1d2430' } } }
      : {}),
  };
}

function categoryAxis(labels: string[], extra: ChartOption = {}): ChartOption {
  return {
    type: 'category',
    data: labels,
    axisLabel: { ...AXIS_LABEL, interval: labels.length > 12 ? Math.ceil(labels.length / 8) - 1 : 0 },
    axisTick: { show: false },
    axisLine: { lineStyle: { color: '#c6cdd8' } },
    ...extra,
  };
}

function valueAxis(name: string, extra: ChartOption = {}): ChartOption {
  return {
    type: 'value',
    name,
    nameTextStyle: { ...AXIS_LABEL, align: 'left' },
    nameGap: 8,
    axisLabel: AXIS_LABEL,
    splitLine: SPLIT_LINE,
    scale: false,
    ...extra,
  };
}

const legend = (extra: ChartOption = {}) => ({
  top: 0,
  right: 0,
  itemWidth: 14,
  itemHeight: 8,
  textStyle: { fontSize: 10, color: '#5b6575' },
  ...extra,
});
/** The unit a series name ends with ("Substation kvar" → "kvar"), or '' when it has none. */
export function unitOfSeries(name: string): string {
  const m = /\b(kW|kvar|kWh|kvarh|USD\/kWh|USD|pu|kVA|%)$/.exec(name.trim());
  return m ? m[1]! : '';
}

/** Digits a value is shown with in its unit. */
const digitsFor = (unit: string) => (unit === 'USD/kWh' ? 4 : unit === 'pu' ? 4 : unit === 'USD' ? 2 : 1);

/**
 * Axis tooltip: one line per series with the series' own unit ("Substation kvar: 120.3 kvar"),
 * so a chart mixing kW and kvar (or USD and USD/kWh) never labels them all alike.
 */
export function seriesTooltip(): ChartOption {
  return {
    trigger: 'axis',
    formatter: (params: unknown) => {
      const list = (Array.isArray(params) ? params : [params]) as {
        axisValueLabel?: string;
        marker?: string;
        seriesName: string;
        value: unknown;
      }[];
      const head = list[0]?.axisValueLabel ?? '';
      const lines = list.map((p) => {
        const unit = unitOfSeries(p.seriesName);
        const label = unit ? p.seriesName.slice(0, -unit.length).trim() : p.seriesName;
        const v = Array.isArray(p.value) ? p.value.at(-1) : p.value;
        const text = typeof v === 'number' ? `${formatNumber(v, digitsFor(unit))}${unit ? ` ${unit}` : ''}` : '–';
        return `${p.marker ?? ''}${label}: <b>${text}</b>`;
      });
      return [head, ...lines].join('<br/>');
    },
  };
}

/** Substation P and Q against demand and PV over the horizon. */
export function substationOption(run: RunDetail, title?: string): ChartOption {
  const labels = periodLabels(run);
  return {
    ...baseOption(title),
    grid: { left: 52, right: 12, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: seriesTooltip(),
    xAxis: categoryAxis(labels),
    yAxis: valueAxis('kW, kvar'),
    series: [
      {
        name: 'Demand kW',
        type: 'line',
        data: systemSeries(run, 'demandKw').map((v) => round(v, 2)),
        symbol: 'none',
        lineStyle: { width: 0 },
        areaStyle: { color: COLORS.demand, opacity: 0.28 },
        itemStyle: { color: COLORS.demand },
      },
      {
        name: 'PV kW',
        type: 'line',
        data: systemSeries(run, 'pvKw').map((v) => round(v, 2)),
        symbol: 'none',
        lineStyle: { width: 1.5, color: COLORS.pv },
        itemStyle: { color: COLORS.pv },
      },
      {
        name: 'Substation kW',
        type: 'line',
        data: systemSeries(run, 'substationKw').map((v) => round(v, 2)),
        symbol: 'none',
        lineStyle: { width: 2, color: COLORS.substationP },
        itemStyle: { color: COLORS.substationP },
      },
      {
        name: 'Substation kvar',
        type: 'line',
        data: systemSeries(run, 'substationKvar').map((v) => round(v, 2)),
        symbol: 'none',
        lineStyle: { width: 1.5, type: 'dashed', color: COLORS.substationQ },
        itemStyle: { color: COLORS.substationQ },
      },
    ],
  };
}

/** Energy price (line, right axis) and substation energy cost (bars) per period. */
export function priceCostOption(run: RunDetail, title?: string): ChartOption {
  const labels = periodLabels(run);
  return {
    ...baseOption(title),
    grid: { left: 52, right: 52, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: seriesTooltip(),
    xAxis: categoryAxis(labels),
    yAxis: [
      valueAxis('USD'),
      valueAxis('USD/kWh', {
        position: 'right',
        splitLine: { show: false },
        nameTextStyle: { ...AXIS_LABEL, align: 'right' },
      }),
    ],
    series: [
      {
        name: 'Cost USD',
        type: 'bar',
        data: systemSeries(run, 'costUsd').map((v) => round(v, 2)),
        itemStyle: { color: COLORS.cost, opacity: 0.75 },
        barCategoryGap: '25%',
      },
      {
        name: 'Price USD/kWh',
        type: 'line',
        yAxisIndex: 1,
        step: 'middle',
        data: systemSeries(run, 'priceUsdPerKwh').map((v) => round(v, 5)),
        symbol: 'none',
        lineStyle: { width: 1.5, color: COLORS.price },
        itemStyle: { color: COLORS.price },
      },
    ],
  };
}

/**
 * The battery fleet at a glance (run Overview): stored energy of all batteries (line, right axis,
 * kWh) with its usable limits, and their net power per period (bars, kW; discharge up, charge down).
 */
export function batteryFleetOption(run: RunDetail, title?: string): ChartOption {
  const labels = periodLabels(run);
  const soc = unitTotal(run, 'batterySocKwh');
  const charge = unitTotal(run, 'batteryChargeKw');
  const discharge = unitTotal(run, 'batteryDischargeKw');
  const socMax = run.batteryLimits.reduce((s, b) => s + b.energyKwh * b.socMax, 0);
  const socMin = run.batteryLimits.reduce((s, b) => s + b.energyKwh * b.socMin, 0);
  return {
    ...baseOption(title),
    grid: { left: 52, right: 56, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: seriesTooltip(),
    xAxis: categoryAxis(labels),
    yAxis: [
      valueAxis('kW'),
      valueAxis('kWh', {
        position: 'right',
        splitLine: { show: false },
        min: 0,
        nameTextStyle: { ...AXIS_LABEL, align: 'right' },
      }),
    ],
    series: [
      {
        name: 'Net battery power kW',
        type: 'bar',
        data: discharge.map((d, t) => round(d - charge[t]!, 2)),
        itemStyle: { color: COLORS.substationQ, opacity: 0.75 },
        barCategoryGap: '25%',
      },
      {
        name: 'Stored energy kWh',
        type: 'line',
        yAxisIndex: 1,
        data: soc.map((v) => round(v, 2)),
        symbol: 'none',
        lineStyle: { width: 2, color: COLORS.pv },
        itemStyle: { color: COLORS.pv },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: COLORS.limit, type: 'dashed' },
          label: { show: false },
          data: [{ yAxis: round(socMax, 2) }, { yAxis: round(socMin, 2) }],
        },
      },
    ],
  };
}

/** Line losses per period. */
export function lossOption(run: RunDetail, title?: string): ChartOption {
  const labels = periodLabels(run);
  return {
    ...baseOption(title),
    grid: { left: 52, right: 12, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: seriesTooltip(),
    xAxis: categoryAxis(labels),
    yAxis: valueAxis('kW'),
    series: [
      {
        name: 'Line loss kW',
        type: 'bar',
        data: systemSeries(run, 'lossKw').map((v) => round(v, 3)),
        itemStyle: { color: COLORS.loss, opacity: 0.8 },
        barCategoryGap: '25%',
      },
    ],
  };
}

/** PV real and reactive power: the fleet total, and each unit's kvar when there are few units. */
export function pvOption(run: RunDetail, title?: string, maxUnits = 8): ChartOption {
  const labels = periodLabels(run);
  const n = run.pvNames.length;
  const series: ChartOption[] = [
    {
      name: 'PV kW (all)',
      type: 'line',
      data: unitTotal(run, 'pvUnitKw').map((v) => round(v, 2)),
      symbol: 'none',
      lineStyle: { width: 1.5, color: COLORS.pv },
      itemStyle: { color: COLORS.pv },
      areaStyle: { color: COLORS.pv, opacity: 0.08 },
    },
    {
      name: 'PV kvar (all)',
      type: 'line',
      data: unitTotal(run, 'pvUnitKvar').map((v) => round(v, 2)),
      symbol: 'none',
      lineStyle: { width: 2, color: COLORS.pvQ },
      itemStyle: { color: COLORS.pvQ },
    },
  ];
  if (n > 1 && n <= maxUnits) {
    for (let i = 0; i < n; i++) {
      series.push({
        name: `${run.pvNames[i]} kvar`,
        type: 'line',
        data: unitSeries(run, 'pvUnitKvar', i).map((v) => round(v, 2)),
        symbol: 'none',
        lineStyle: { width: 1, type: 'dotted' },
      });
    }
  }
  return {
    ...baseOption(title),
    grid: { left: 52, right: 12, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0, type: 'scroll', width: '80%' }),
    tooltip: seriesTooltip(),
    xAxis: categoryAxis(labels),
    yAxis: valueAxis('kW, kvar'),
    series,
  };
}

/** Battery indices by energy throughput (charge + discharge), largest first: the ones worth a look. */
export function batteryOrder(run: RunDetail): number[] {
  const T = run.periods;
  const c = run.series.batteryChargeKw ?? [];
  const d = run.series.batteryDischargeKw ?? [];
  const through = run.batteryNames.map((_, i) => {
    let s = 0;
    for (let t = 0; t < T; t++) s += Math.abs(c[i * T + t] ?? 0) + Math.abs(d[i * T + t] ?? 0);
    return s;
  });
  return run.batteryNames.map((_, i) => i).sort((a, b) => through[b] - through[a] || a - b);
}

/**
 * Small multiples, one panel per battery (one chart instance, one grid each): SOC in kWh with its
 * min/max limits (top), charge (negative) and discharge bars and reactive power with ±rated power
 * limits (bottom).
 */
export function batteryMultiplesOption(
  run: RunDetail,
  indices: readonly number[],
  columns = 3,
  panelHeight = 170,
): ChartOption {
  const labels = periodLabels(run);
  const grids: ChartOption[] = [];
  const xAxes: ChartOption[] = [];
  const yAxes: ChartOption[] = [];
  const series: ChartOption[] = [];
  const titles: ChartOption[] = [];
  const colW = 100 / columns;
  indices.forEach((b, k) => {
    const col = k % columns;
    const row = Math.floor(k / columns);
    const top = row * panelHeight + 38;
    const socH = Math.round((panelHeight - 50) * 0.45);
    const pH = panelHeight - 50 - socH - 6;
    const left = `${col * colW + 4.5}%`;
    const width = `${colW - 7}%`;
    const lim = run.batteryLimits[b] ?? { pRatedKw: 0, energyKwh: 0, socMin: 0, socMax: 1 };
    titles.push({
      text: `${run.batteryNames[b]} · bus ${run.batteryBuses[b]}`,
      subtext: `${formatNumber(lim.pRatedKw, 0)} kW · ${formatNumber(lim.energyKwh, 0)} kWh`,
      left: `${col * colW + 1}%`,
      top: top - 20,
      textStyle: { fontSize: 11, fontWeight: 600, color: '#1d2430' },
      subtextStyle: { fontSize: 9, color: '#5b6575' },
      itemGap: 1,
    });
    const g1 = grids.length;
    grids.push({ left, width, top: top + 16, height: socH });
    grids.push({ left, width, top: top + 16 + socH + 6, height: pH });
    xAxes.push(categoryAxis(labels, { gridIndex: g1, axisLabel: { show: false } }));
    xAxes.push(
      categoryAxis(labels, {
        gridIndex: g1 + 1,
        axisLabel: { ...AXIS_LABEL, fontSize: 9, interval: Math.max(0, Math.ceil(labels.length / 4) - 1) },
      }),
    );
    const socMinKwh = lim.socMin * lim.energyKwh;
    const socMaxKwh = lim.socMax * lim.energyKwh;
    yAxes.push(
      valueAxis('', {
        gridIndex: g1,
        min: 0,
        max: round(lim.energyKwh || 1, 3),
        splitNumber: 2,
        axisLabel: { ...AXIS_LABEL, fontSize: 9, formatter: (v: number) => formatNumber(v, 0) },
      }),
    );
    const pMax = lim.pRatedKw || 1;
    yAxes.push(
      valueAxis('', {
        gridIndex: g1 + 1,
        min: round(-pMax * 1.1, 3),
        max: round(pMax * 1.1, 3),
        splitNumber: 2,
        axisLabel: { ...AXIS_LABEL, fontSize: 9, formatter: (v: number) => formatNumber(v, 0) },
      }),
    );
    const limitLine = (values: number[]) => ({
      silent: true,
      symbol: 'none',
      label: { show: false },
      lineStyle: { color: COLORS.limit, type: 'dashed', width: 1 },
      data: values.map((v) => ({ yAxis: round(v, 4) })),
    });
    series.push({
      name: 'SOC kWh',
      type: 'line',
      xAxisIndex: g1,
      yAxisIndex: g1,
      data: unitSeries(run, 'batterySocKwh', b).map((v) => round(v, 3)),
      symbol: 'none',
      lineStyle: { width: 1.5, color: COLORS.soc },
      itemStyle: { color: COLORS.soc },
      areaStyle: { color: COLORS.soc, opacity: 0.1 },
      markLine: limitLine([socMinKwh, socMaxKwh]),
    });
    series.push({
      name: 'Charge kW',
      type: 'bar',
      stack: `p${b}`,
      xAxisIndex: g1 + 1,
      yAxisIndex: g1 + 1,
      data: unitSeries(run, 'batteryChargeKw', b).map((v) => round(-v, 3)),
      itemStyle: { color: COLORS.charge },
      barCategoryGap: '20%',
      markLine: limitLine([-lim.pRatedKw, lim.pRatedKw]),
    });
    series.push({
      name: 'Discharge kW',
      type: 'bar',
      stack: `p${b}`,
      xAxisIndex: g1 + 1,
      yAxisIndex: g1 + 1,
      data: unitSeries(run, 'batteryDischargeKw', b).map((v) => round(v, 3)),
      itemStyle: { color: COLORS.discharge },
    });
    series.push({
      name: 'Reactive kvar',
      type: 'line',
      xAxisIndex: g1 + 1,
      yAxisIndex: g1 + 1,
      data: unitSeries(run, 'batteryKvar', b).map((v) => round(v, 3)),
      symbol: 'none',
      lineStyle: { width: 1.2, color: COLORS.batteryQ, type: 'dashed' },
      itemStyle: { color: COLORS.batteryQ },
    });
  });
  return {
    animation: false,
    textStyle: TEXT,
    title: titles,
    legend: {
      top: 0,
      left: 0,
      itemWidth: 14,
      itemHeight: 8,
      textStyle: { fontSize: 10, color: '#5b6575' },
      data: ['SOC kWh', 'Charge kW', 'Discharge kW', 'Reactive kvar'],
    },
    tooltip: { trigger: 'axis' },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
  };
}

/** Height in px the battery multiples need for `count` panels. */
export const batteryMultiplesHeight = (count: number, columns = 3, panelHeight = 170): number =>
  Math.max(1, Math.ceil(count / columns)) * panelHeight + 40;

export interface VoltageRows {
  /** Row labels: the bus name, or "a … b (n buses, min)" when buses are grouped. */
  readonly labels: string[];
  /** Row-major rows × T voltages, pu (the minimum over the group). */
  readonly values: Float64Array;
  readonly rows: number;
  readonly groupSize: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Bus × period voltages for the heatmap. Above `maxRows` buses, consecutive buses (the run's bus
 * order) are grouped and each group shows its lowest voltage: the heatmap stays readable and fast
 * on 10,000 buses, and a low-voltage spot never disappears in the grouping.
 */
export function voltageRows(run: Pick<RunDetail, 'series' | 'periods' | 'busNames'>, maxRows = 240): VoltageRows {
  const T = run.periods;
  const n = run.busNames.length;
  const v = run.series.voltagePu ?? [];
  const groupSize = Math.max(1, Math.ceil(n / maxRows));
  const rows = Math.ceil(n / groupSize);
  const values = new Float64Array(rows * T).fill(Infinity);
  const labels: string[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows; r++) {
    const b0 = r * groupSize;
    const b1 = Math.min(n, b0 + groupSize);
    labels.push(
      groupSize === 1 ? run.busNames[b0] : `${run.busNames[b0]} … ${run.busNames[b1 - 1]} (${b1 - b0} buses, min)`,
    );
    for (let b = b0; b < b1; b++) {
      for (let t = 0; t < T; t++) {
        const x = v[b * T + t];
        if (x === undefined || !Number.isFinite(x)) continue;
        if (x < values[r * T + t]) values[r * T + t] = x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
  }
  return { labels, values, rows, groupSize, min: Number.isFinite(min) ? min : 1, max: Number.isFinite(max) ? max : 1 };
}

/** The colour range of voltage views: the study limits, widened to include every value. */
export function voltageRange(
  run: Pick<RunDetail, 'settings'>,
  rows?: Pick<VoltageRows, 'min' | 'max'>,
): [number, number] {
  const lo = Math.min(run.settings.vMinPu, rows?.min ?? Infinity);
  const hi = Math.max(run.settings.vMaxPu, rows?.max ?? -Infinity);
  return [round(lo, 4), round(hi, 4)];
}

/** Colour of a voltage on the shared scale (linear between VOLTAGE_STOPS), for the network view. */
export function voltageColor(vPu: number, range: readonly [number, number]): string {
  const [lo, hi] = range;
  const x = Math.min(1, Math.max(0, (vPu - lo) / (hi - lo || 1)));
  const pos = x * (VOLTAGE_STOPS.length - 1);
  const i = Math.min(VOLTAGE_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = hex(VOLTAGE_STOPS[i]);
  const b = hex(VOLTAGE_STOPS[i + 1]);
  const c = a.map((ai, k) => Math.round(ai + (b[k] - ai) * f));
  return `#${c.map((ci) => ci.toString(16).padStart(2, '0')).join('')}`;
}

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

/** Bus × period voltage heatmap (rows from voltageRows), coloured on the shared voltage scale. */
export function voltageHeatmapOption(run: RunDetail, rows: VoltageRows, title?: string): ChartOption {
  const labels = periodLabels(run);
  const T = run.periods;
  const data: [number, number, number][] = [];
  for (let r = 0; r < rows.rows; r++) for (let t = 0; t < T; t++) data.push([t, r, round(rows.values[r * T + t], 5)]);
  const range = voltageRange(run, rows);
  return {
    ...baseOption(title),
    grid: { left: 110, right: 70, top: title ? 30 : 8, bottom: 24 },
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) =>
        `${rows.labels[p.value[1]]}<br/>${labels[p.value[0]]}: ${p.value[2].toFixed(4)} pu`,
    },
    xAxis: categoryAxis(labels, {
      splitArea: { show: false },
      axisLabel: { ...AXIS_LABEL, interval: Math.max(0, Math.ceil(labels.length / 6) - 1) },
    }),
    yAxis: {
      type: 'category',
      // "12 … 18 (2 buses, lowest shown)" → "12–18": the caption says what a grouped row is, so
      // the row label fits its column instead of being cut off.
      data: rows.labels.map((l) => {
        const short = l.replace(/\s*\(.*\)\s*$/, '').replace(/\s*…\s*/, '–');
        return short.length > 16 ? short.slice(0, 15) + '…' : short;
      }),
      inverse: true,
      axisLabel: { ...AXIS_LABEL, fontSize: 9, interval: rows.rows > 40 ? Math.ceil(rows.rows / 30) - 1 : 0 },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    visualMap: {
      type: 'continuous',
      min: range[0],
      max: range[1],
      calculable: false,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemHeight: 160,
      itemWidth: 10,
      precision: 3,
      text: [`${range[1].toFixed(3)} pu`, `${range[0].toFixed(3)} pu`],
      textStyle: { fontSize: 10, color: '#5b6575' },
      inRange: { color: [...VOLTAGE_STOPS] },
    },
    series: [{ name: 'Voltage pu', type: 'heatmap', data, progressive: 0, emphasis: { disabled: true } }],
  };
}

/** Lowest and highest bus voltage per period, with the study's limits. */
export function voltageEnvelopeOption(run: RunDetail, title?: string): ChartOption {
  const labels = periodLabels(run);
  const T = run.periods;
  const v = run.series.voltagePu ?? [];
  const lo = new Array<number>(T).fill(Infinity);
  const hi = new Array<number>(T).fill(-Infinity);
  for (let k = 0; k < v.length; k++) {
    const t = k % T;
    if (v[k] < lo[t]) lo[t] = v[k];
    if (v[k] > hi[t]) hi[t] = v[k];
  }
  const limit = (value: number, name: string) => ({
    yAxis: value,
    name,
    label: { formatter: `${name} ${value}`, fontSize: 9, color: COLORS.limit, position: 'insideEndTop' },
  });
  return {
    ...baseOption(title),
    grid: { left: 52, right: 12, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: {
      trigger: 'axis',
      valueFormatter: (x: unknown) => (typeof x === 'number' ? `${x.toFixed(4)} pu` : String(x)),
    },
    xAxis: categoryAxis(labels),
    yAxis: valueAxis('pu', {
      scale: true,
      min: Math.floor((Math.min(run.settings.vMinPu, ...lo.filter(Number.isFinite)) - 0.004) * 100) / 100,
      max: Math.ceil((Math.max(run.settings.vMaxPu, ...hi.filter(Number.isFinite)) + 0.004) * 100) / 100,
    }),
    series: [
      {
        name: 'Lowest bus voltage',
        type: 'line',
        data: lo.map((x) => (Number.isFinite(x) ? round(x, 5) : null)),
        symbol: 'none',
        lineStyle: { color: VOLTAGE_STOPS[0], width: 1.5 },
        itemStyle: { color: VOLTAGE_STOPS[0] },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: COLORS.limit, type: 'dashed', width: 1 },
          data: [limit(run.settings.vMinPu, 'Vmin'), limit(run.settings.vMaxPu, 'Vmax')],
        },
      },
      {
        name: 'Highest bus voltage',
        type: 'line',
        data: hi.map((x) => (Number.isFinite(x) ? round(x, 5) : null)),
        symbol: 'none',
        lineStyle: { color: VOLTAGE_STOPS[6], width: 1.5 },
        itemStyle: { color: VOLTAGE_STOPS[6] },
      },
    ],
  };
}

/**
 * The change below which distributed rounds stop for a boundary tolerance ε: ε / 10, because the
 * distance left to the fixed point is about ten times the last change (enapp/distributed.ts).
 * What the convergence chart and the settings show is this applied threshold, not ε alone.
 */
export function appliedBoundaryStepPu(tolerancePu: number): number {
  return tolerancePu / BOUNDARY_ERROR_MARGIN;
}

/** Distributed run: largest boundary change per round (log scale) against the threshold where rounds stop. */
export function convergenceOption(
  dist: Pick<RunDistributedInfo, 'rounds'>,
  tolerancePu: number,
  title?: string,
): ChartOption {
  const rounds = dist.rounds;
  const stopPu = appliedBoundaryStepPu(tolerancePu);
  return {
    ...baseOption(title),
    grid: { left: 60, right: 16, top: title ? 52 : 36, bottom: 30 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: {
      trigger: 'axis',
      valueFormatter: (x: unknown) => (typeof x === 'number' ? x.toExponential(2) : String(x)),
    },
    xAxis: {
      type: 'category',
      name: 'round',
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: AXIS_LABEL,
      data: rounds.map((r) => String(r.round)),
      axisLabel: AXIS_LABEL,
      axisTick: { show: false },
    },
    yAxis: {
      type: 'log',
      min: (e: { min: number }) => 10 ** Math.floor(Math.log10(Math.min(e.min, stopPu))),
      max: (e: { max: number }) => 10 ** Math.ceil(Math.log10(Math.max(e.max, tolerancePu))),
      name: 'max boundary change, pu',
      nameTextStyle: { ...AXIS_LABEL, align: 'left' },
      axisLabel: { ...AXIS_LABEL, formatter: (x: number) => x.toExponential(0) },
      splitLine: SPLIT_LINE,
    },
    series: [
      {
        name: 'Max boundary change',
        type: 'line',
        data: rounds.map((r) => (r.maxChangePu > 0 ? r.maxChangePu : null)),
        symbolSize: 5,
        lineStyle: { color: COLORS.substationP, width: 1.5 },
        itemStyle: { color: COLORS.substationP },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: COLORS.limit, type: 'dashed' },
          label: {
            formatter: `rounds stop below ${stopPu.toExponential(0)} pu (tolerance ${tolerancePu.toExponential(0)} ÷ ${BOUNDARY_ERROR_MARGIN})`,
            fontSize: 9,
            color: COLORS.limit,
            position: 'insideEndTop',
          },
          data: [{ yAxis: stopPu }],
        },
      },
    ],
  };
}

export type IterationRow = NonNullable<RunProgress['iteration']>;

/** Centralized run: objective (left) and primal infeasibility (right, log) per interior-point iteration. */
export function iterationsOption(rows: readonly IterationRow[], title?: string): ChartOption {
  return {
    ...baseOption(title),
    grid: { left: 64, right: 64, top: title ? 52 : 36, bottom: 30 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      name: 'iteration',
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: AXIS_LABEL,
      data: rows.map((r) => String(r.iter)),
      axisLabel: AXIS_LABEL,
      axisTick: { show: false },
    },
    yAxis: [
      valueAxis('objective', {
        scale: true,
        axisLabel: { ...AXIS_LABEL, formatter: (x: number) => formatNumber(x, 1) },
      }),
      {
        type: 'log',
        name: 'infeasibility',
        position: 'right',
        nameTextStyle: { ...AXIS_LABEL, align: 'right' },
        axisLabel: { ...AXIS_LABEL, formatter: (x: number) => x.toExponential(0) },
        splitLine: { show: false },
      },
    ],
    series: [
      {
        name: 'Objective',
        type: 'line',
        data: rows.map((r) => r.objective),
        symbol: 'none',
        lineStyle: { color: COLORS.substationP, width: 1.5 },
        itemStyle: { color: COLORS.substationP },
      },
      {
        name: 'Primal infeasibility',
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((r) => (r.infPr > 0 ? r.infPr : null)),
        symbol: 'none',
        lineStyle: { color: COLORS.loss, width: 1.2 },
        itemStyle: { color: COLORS.loss },
      },
      {
        name: 'Dual infeasibility',
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((r) => (r.infDu > 0 ? r.infDu : null)),
        symbol: 'none',
        lineStyle: { color: COLORS.discharge, width: 1.2, type: 'dashed' },
        itemStyle: { color: COLORS.discharge },
      },
    ],
  };
}

/** One system series of two runs on one chart (comparison view). */
export function overlayOption(
  a: RunDetail,
  b: RunDetail,
  name: string,
  unit: string,
  labels: readonly [string, string],
  title?: string,
): ChartOption {
  const T = Math.max(a.periods, b.periods);
  const x = a.periods >= b.periods ? periodLabels(a) : periodLabels(b);
  const sa = systemSeries(a, name);
  const sb = systemSeries(b, name);
  return {
    ...baseOption(title),
    grid: { left: 52, right: 12, top: title ? 52 : 36, bottom: 24 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: seriesTooltip(),
    xAxis: categoryAxis(x.slice(0, T)),
    yAxis: valueAxis(unit),
    series: [
      {
        name: `${labels[0]} ${unit}`,
        type: 'line',
        data: sa.map((v) => round(v, 3)),
        symbol: 'none',
        lineStyle: { color: COLORS.runA, width: 2 },
        itemStyle: { color: COLORS.runA },
      },
      {
        name: `${labels[1]} ${unit}`,
        type: 'line',
        data: sb.map((v) => round(v, 3)),
        symbol: 'none',
        lineStyle: { color: COLORS.runB, width: 1.5, type: 'dashed' },
        itemStyle: { color: COLORS.runB },
      },
    ],
  };
}

/** A short human name for a run ("#12 centralized"). */
/** A run as lists and legends name it: the planner's name when given, else "#id kind". */
export const runLabel = (r: Pick<RunSummary, 'id' | 'kind'> & { readonly name?: string }): string =>
  r.name ? `${r.name} (#${r.id})` : `#${r.id} ${r.kind}`;

/**
 * Voltage along the feeder at one period: each bus at its electrical distance from the substation
 * (x, Ω) and its voltage (y, pu), each branch a segment from parent to child, with ANSI C84.1
 * Range A as dashed lines. `distance` and `parent` are indexed like `run.busNames`' tree.
 */
export function voltageProfileOption(
  run: RunDetail,
  tree: { readonly names: readonly string[]; readonly parent: ArrayLike<number> },
  distance: ArrayLike<number>,
  period: number,
  title?: string,
): ChartOption {
  const T = run.periods;
  const v = run.series.voltagePu ?? [];
  const row = new Map(run.busNames.map((b, i) => [b, i]));
  const at = (i: number): number | null => {
    const r = row.get(tree.names[i]!);
    const x = r === undefined ? undefined : v[r * T + period];
    return x === undefined || !Number.isFinite(distance[i]!) ? null : x;
  };
  const points: [number, number, string][] = [];
  const segments: ([number, number] | null)[] = [];
  for (let i = 0; i < tree.names.length; i++) {
    const y = at(i);
    if (y === null) continue;
    points.push([round(distance[i]!, 4), round(y, 5), tree.names[i]!]);
    const p = tree.parent[i]!;
    const yp = p >= 0 ? at(p) : null;
    if (yp !== null) segments.push([round(distance[p]!, 4), round(yp, 5)], [round(distance[i]!, 4), round(y, 5)], null);
  }
  return {
    ...baseOption(title),
    grid: { left: 56, right: 16, top: title ? 52 : 36, bottom: 36 },
    legend: legend({ top: title ? 18 : 0 }),
    tooltip: {
      trigger: 'item',
      formatter: (p: { data?: unknown }) => {
        const d = p.data as [number, number, string] | undefined;
        return d && d.length === 3
          ? `Bus ${d[2]}<br/>${formatNumber(d[1], 4)} pu at ${formatNumber(d[0], 2)} Ω from the substation`
          : '';
      },
    },
    xAxis: {
      type: 'value',
      name: 'electrical distance from the substation, Ω (Σ|Z|)',
      nameLocation: 'middle',
      nameGap: 22,
      nameTextStyle: AXIS_LABEL,
      axisLabel: AXIS_LABEL,
      splitLine: SPLIT_LINE,
    },
    // Range A always in view: the profile reads as margin to the limits.
    yAxis: valueAxis('pu', {
      min: (e: { min: number }) => Math.floor((Math.min(e.min, 0.95) - 0.005) * 200) / 200,
      max: (e: { max: number }) => Math.ceil((Math.max(e.max, 1.05) + 0.005) * 200) / 200,
    }),
    series: [
      {
        name: 'Branches',
        type: 'line',
        data: segments,
        connectNulls: false,
        symbol: 'none',
        lineStyle: { width: 1, color: '#9aa5b5' },
        itemStyle: { color: '#9aa5b5' },
        silent: true,
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: COLORS.limit, type: 'dashed' },
          label: {
            formatter: (m: { value: number }) => `Range A ${m.value}`,
            fontSize: 9,
            color: COLORS.limit,
            position: 'insideEndTop',
          },
          data: [{ yAxis: 0.95 }, { yAxis: 1.05 }],
        },
      },
      {
        name: 'Bus voltage pu',
        type: 'scatter',
        data: points,
        symbolSize: 5,
        itemStyle: { color: COLORS.substationP },
      },
    ],
  };
}
