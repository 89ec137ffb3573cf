/**
 * Charts for the PDF report: the dashboards' own ECharts options (src-shared/charts.ts)
 * rendered to SVG strings on the server (ECharts SSR, no DOM).
 */
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import type { ChartOption } from '../../../src-shared/charts';

export function chartSvg(option: ChartOption | EChartsOption, width = 720, height = 330): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false } as EChartsOption);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
