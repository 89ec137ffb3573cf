/**
 * Time series of one bus or one branch of a run (the details panel a click on the run's network
 * opens, and the report): a bus's voltage against ANSI C84.1, a branch's P and Q, its current
 * and its loading against the rating. ECharts options with units on every axis; pure ECMAScript.
 */
import type { RunDetail } from '../src-main/contract';
import { COLORS, periodLabels, type ChartOption } from './charts';
import { formatNumber } from './format';
import { branchLoading, branchSeries } from './loading';
import { ANSI_RANGE_A, ANSI_RANGE_B } from './study';

const AXIS_LABEL = { fontSize: 10, color: '#5b6575' };
const TEXT = { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', fontSize: 11, color: '#1d2430' };

function frame(labels: string[], yName: string, yExtra: ChartOption = {}): ChartOption {
  return {
    animation: false,
    textStyle: TEXT,
    grid: { left: 56, right: 14, top: 34, bottom: 40 },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 10, color: '#5b6575' } },
    xAxis: {
      type: 'category',
      data: labels,
      name: 'hour',
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_LABEL,
      axisLabel: { ...AXIS_LABEL, interval: labels.length > 12 ? Math.ceil(labels.length / 6) - 1 : 0 },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#c6cdd8' } },
    },
    yAxis: {
      type: 'value',
      name: yName,
      nameTextStyle: { ...AXIS_LABEL, align: 'left' },
      nameGap: 8,
      axisLabel: AXIS_LABEL,
      splitLine: { lineStyle: { color: '#eef1f5' } },
      ...yExtra,
    },
  };
}

/** Axis tooltip with each series' unit ("P: 120.3 kW"). */
function tooltip(units: Record<string, string>, digits: Record<string, number>): ChartOption {
  return {
    trigger: 'axis',
    formatter: (params: unknown) => {
      const list = (Array.isArray(params) ? params : [params]) as {
        axisValueLabel?: string;
        marker?: string;
        seriesName: string;
        value: unknown;
      }[];
      const lines = list.map((p) => {
        const v =
          typeof p.value === 'number'
            ? `${formatNumber(p.value, digits[p.seriesName] ?? 1)} ${units[p.seriesName] ?? ''}`
            : '–';
        return `${p.marker ?? ''}${p.seriesName}: <b>${v.trim()}</b>`;
      });
      return [list[0]?.axisValueLabel ?? '', ...lines].join('<br/>');
    },
  };
}

const limitLine = (
  value: number,
  name: string,
  position: 'insideEndTop' | 'insideStartTop' | 'insideStartBottom' = 'insideEndTop',
) => ({
  yAxis: value,
  name,
  label: { formatter: name, fontSize: 9, color: COLORS.limit, position },
});

/** A bus's voltage per period, pu, with ANSI C84.1 Range A (dashed) and B (dotted). */
export function busVoltageOption(run: RunDetail, bus: string): ChartOption | null {
  const i = run.busNames.indexOf(bus);
  const v = run.series.voltagePu;
  const T = run.periods;
  if (i < 0 || !v) return null;
  const data = v.slice(i * T, (i + 1) * T);
  const lo = Math.min(ANSI_RANGE_B.min, ...data);
  const hi = Math.max(ANSI_RANGE_B.max, ...data);
  return {
    ...frame(periodLabels(run), 'voltage, pu', {
      min: Math.floor((lo - 0.005) * 100) / 100,
      max: Math.ceil((hi + 0.005) * 100) / 100,
    }),
    tooltip: tooltip({ Voltage: 'pu' }, { Voltage: 4 }),
    series: [
      {
        name: 'Voltage',
        type: 'line',
        data: data.map((x) => Math.round(x * 1e5) / 1e5),
        symbolSize: 4,
        lineStyle: { color: COLORS.substationP, width: 1.6 },
        itemStyle: { color: COLORS.substationP },
        markLine: {
          silent: true,
          symbol: 'none',
          data: [
            {
              ...limitLine(ANSI_RANGE_A.min, `Range A ${ANSI_RANGE_A.min}`),
              lineStyle: { color: COLORS.limit, type: 'dashed', width: 1 },
            },
            {
              ...limitLine(ANSI_RANGE_A.max, `Range A ${ANSI_RANGE_A.max}`),
              lineStyle: { color: COLORS.limit, type: 'dashed', width: 1 },
            },
            {
              ...limitLine(ANSI_RANGE_B.min, `Range B ${ANSI_RANGE_B.min}`, 'insideStartBottom'),
              lineStyle: { color: COLORS.limit, type: 'dotted', width: 1 },
            },
            {
              ...limitLine(ANSI_RANGE_B.max, `Range B ${ANSI_RANGE_B.max}`, 'insideStartTop'),
              lineStyle: { color: COLORS.limit, type: 'dotted', width: 1 },
            },
          ],
        },
      },
    ],
  };
}

/** A branch's sending-end P (kW) and Q (kvar) per period, flowing away from the substation when positive. */
export function branchPowerOption(run: RunDetail, e: number): ChartOption | null {
  const p = branchSeries(run, 'branchPKw', e);
  const q = branchSeries(run, 'branchQKvar', e);
  if (!p || !q) return null;
  return {
    ...frame(periodLabels(run), 'kW, kvar'),
    tooltip: tooltip({ P: 'kW', Q: 'kvar' }, { P: 1, Q: 1 }),
    series: [
      {
        name: 'P',
        type: 'line',
        data: p.map((x) => Math.round(x * 1000) / 1000),
        symbolSize: 4,
        lineStyle: { color: COLORS.substationP, width: 1.6 },
        itemStyle: { color: COLORS.substationP },
      },
      {
        name: 'Q',
        type: 'line',
        data: q.map((x) => Math.round(x * 1000) / 1000),
        symbolSize: 4,
        lineStyle: { color: COLORS.substationQ, width: 1.6 },
        itemStyle: { color: COLORS.substationQ },
      },
    ],
  };
}

/**
 * A branch's loading per period, % of its rating, with the 100 % line; a branch without a rating
 * shows its current, A, instead (and the caption says why).
 */
export function branchLoadingOption(run: RunDetail, e: number): { option: ChartOption; rated: boolean } | null {
  const amps = branchSeries(run, 'branchCurrentA', e);
  if (!amps) return null;
  const pct = branchLoading(run, e);
  const labels = periodLabels(run);
  if (!pct) {
    return {
      rated: false,
      option: {
        ...frame(labels, 'current, A'),
        tooltip: tooltip({ Current: 'A' }, { Current: 1 }),
        series: [
          {
            name: 'Current',
            type: 'line',
            data: amps.map((x) => Math.round(x * 100) / 100),
            symbolSize: 4,
            lineStyle: { color: COLORS.cost, width: 1.6 },
            itemStyle: { color: COLORS.cost },
          },
        ],
      },
    };
  }
  const top = Math.max(110, ...pct);
  return {
    rated: true,
    option: {
      ...frame(labels, 'loading, % of rating', { min: 0, max: Math.ceil(top / 10) * 10 }),
      tooltip: tooltip({ Loading: '%', Current: 'A' }, { Loading: 1, Current: 1 }),
      series: [
        {
          name: 'Loading',
          type: 'bar',
          data: pct.map((x) => ({
            value: Math.round(x * 100) / 100,
            itemStyle: { color: x > 100 + 1e-9 ? COLORS.limit : COLORS.cost, opacity: 0.85 },
          })),
          barCategoryGap: '25%',
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: COLORS.limit, type: 'dashed', width: 1 },
            data: [limitLine(100, 'rating 100 %', 'insideStartTop')],
          },
        },
      ],
    },
  };
}
