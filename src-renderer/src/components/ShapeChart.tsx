/** A small bar chart of an hourly shape (echarts, canvas), with the study window shaded. */
import { BarChart } from 'echarts/charts';
import { GridComponent, MarkAreaComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, GridComponent, TooltipComponent, MarkAreaComponent, CanvasRenderer]);

export function ShapeChart({
  values,
  unit,
  color,
  window: win,
  testId,
}: {
  values: readonly number[];
  unit: string;
  color: string;
  /** Hours used by the study: [start, start + periods·Δt), wrapping. */
  window?: { start: number; hours: number };
  testId?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    chart.current = echarts.init(el.current, undefined, { renderer: 'canvas' });
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const inWindow = (h: number) => {
      if (!win) return true;
      const n = values.length || 1;
      const rel = (((h - win.start) % n) + n) % n;
      return rel < win.hours;
    };
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 36, right: 8, top: 8, bottom: 20 },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${Number(v).toFixed(3)} ${unit}` },
        xAxis: {
          type: 'category',
          data: values.map((_, i) => String(i)),
          axisLabel: { fontSize: 9, interval: 3 },
          axisTick: { show: false },
        },
        yAxis: { type: 'value', axisLabel: { fontSize: 9 }, splitLine: { lineStyle: { color: '#eef1f5' } } },
        series: [
          {
            type: 'bar',
            data: values.map((v, i) => ({ value: v, itemStyle: { color, opacity: inWindow(i) ? 1 : 0.3 } })),
            barCategoryGap: '15%',
          },
        ],
      },
      true,
    );
  }, [values, unit, color, win]);

  return <div ref={el} className="shape-chart" data-testid={testId} data-points={values.length} />;
}
