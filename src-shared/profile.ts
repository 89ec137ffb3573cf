/**
 * The voltage profile along the feeder with the whole study in view: the chosen hour's profile
 * (charts.ts voltageProfileOption: each bus at its electrical distance from the substation, each
 * branch a segment) plus, per bus, the lowest and the highest voltage over every hour of the
 * study, so one picture shows the hour and the day's spread against ANSI C84.1 Range A.
 */
import type { RunDetail } from '../src-main/contract';
import { voltageProfileOption, type ChartOption } from './charts';

/** Per bus of `tree` (tree order), its lowest and highest voltage over the horizon, pu; NaN where the run has no value. */
export function voltageExtremesByBus(
  run: Pick<RunDetail, 'busNames' | 'series' | 'periods'>,
  names: readonly string[],
): { min: Float64Array; max: Float64Array } {
  const T = run.periods;
  const v = run.series.voltagePu ?? [];
  const row = new Map(run.busNames.map((b, i) => [b, i]));
  const min = new Float64Array(names.length).fill(Number.NaN);
  const max = new Float64Array(names.length).fill(Number.NaN);
  names.forEach((name, i) => {
    const r = row.get(name);
    if (r === undefined || v.length < (r + 1) * T) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < T; t++) {
      const x = v[r * T + t]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    min[i] = lo;
    max[i] = hi;
  });
  return { min, max };
}

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function voltageProfileRangeOption(
  run: RunDetail,
  tree: { readonly names: readonly string[]; readonly parent: ArrayLike<number> },
  distance: ArrayLike<number>,
  period: number,
  title?: string,
): ChartOption {
  const base = voltageProfileOption(run, tree, distance, period, title);
  const { min, max } = voltageExtremesByBus(run, tree.names);
  const pts = (a: Float64Array): [number, number, string][] => {
    const out: [number, number, string][] = [];
    for (let i = 0; i < tree.names.length; i++)
      if (Number.isFinite(a[i]!) && Number.isFinite(distance[i]!))
        out.push([r4(distance[i]!), r5(a[i]!), tree.names[i]!]);
    return out;
  };
  const faint = (color: string) => ({ color, opacity: 0.55 });
  return {
    ...base,
    series: [
      ...(base.series as unknown[]),
      {
        name: 'Lowest over the study',
        type: 'scatter',
        data: pts(min),
        symbol: 'triangle',
        symbolRotate: 180,
        symbolSize: 5,
        itemStyle: faint('#b2182b'),
        z: 1,
      },
      {
        name: 'Highest over the study',
        type: 'scatter',
        data: pts(max),
        symbol: 'triangle',
        symbolSize: 5,
        itemStyle: faint('#28357f'),
        z: 1,
      },
    ],
  };
}
