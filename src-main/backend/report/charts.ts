/**
 * Charts for the PDF report: the dashboards' own ECharts options (src-main/shared/charts.ts)
 * rendered to SVG strings on the server (ECharts SSR, no DOM).
 */
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';

export function chartSvg(option: EChartsOption, width = 720, height = 330): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
