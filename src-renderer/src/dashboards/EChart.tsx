/**
 * One ECharts instance (canvas) for an option from src-shared/charts.ts. The option is data; this
 * component only mounts, resizes and disposes the chart, and reports when it has drawn (the
 * dashboards' "open in under 2 s" timing waits for every chart's `finished`).
 */
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { ChartOption } from '../../../src-shared/charts';

echarts.use([
  LineChart,
  BarChart,
  HeatmapChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  MarkLineComponent,
  VisualMapComponent,
  AxisPointerComponent,
  CanvasRenderer,
]);

export function EChart({
  option,
  height,
  testId,
  onDrawn,
  className,
}: {
  option: ChartOption;
  height: number;
  testId?: string;
  /** Called once after the first complete draw of each new option. */
  onDrawn?: () => void;
  className?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    let reported = false;
    const onFinished = () => {
      if (reported) return;
      reported = true;
      if (el.current) el.current.dataset.drawn = 'true';
      drawn.current?.();
    };
    c.on('finished', onFinished);
    c.setOption(option as echarts.EChartsCoreOption, true);
    return () => {
      c.off('finished', onFinished);
    };
  }, [option]);

  return <div ref={el} className={`echart ${className ?? ''}`} style={{ height }} data-testid={testId} />;
}
