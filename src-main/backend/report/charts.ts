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
    // Server-side rendering measures text narrower than the PDF's font draws it, so a legend
    // right-aligned to the chart's edge ran off it ("Substation kva"): start legends at the left
    // (they sit on their own row under the title) so they have the width to the right to spare.
    const legend = (option as { legend?: unknown }).legend;
    const leftLegend =
      legend && typeof legend === 'object' && !Array.isArray(legend)
        ? { ...legend, left: 0, right: 'auto', itemGap: 16 }
        : legend;
    chart.setOption({ ...option, ...(legend ? { legend: leftLegend } : {}), animation: false } as EChartsOption);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
