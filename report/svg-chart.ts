import * as echarts from 'echarts';
import type { ChartOption, ChartSpec } from './chart-common';
import { chartFunctionsSource } from './chart-functions';

// The page's own chart functions, evaluated here once: a chart drawn to SVG uses exactly the
// formatters and error bars the report page uses.
const revive = new Function(`return ${chartFunctionsSource};`)() as (option: ChartOption) => ChartOption;

/** Default width of a chart image in pixels; Markdown viewers scale it to the column. */
export const svgChartWidth = 760;

/**
 * Draws one report chart as a standalone SVG document with ECharts' server-side renderer, for
 * documents that cannot run the report page's script (Markdown findings).
 */
export function renderChartSvg(spec: ChartSpec, width = svgChartWidth): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: spec.height ?? 320 });
  try {
    chart.setOption({ ...revive(spec.option), backgroundColor: '#ffffff' });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
