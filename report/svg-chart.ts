import * as echarts from 'echarts';
import type { ChartOption, ChartSpec } from './chart-common';
import { chartFunctionsSource } from './chart-functions';

// The page's own chart functions, evaluated here once: a chart drawn to SVG uses exactly the
// formatters and error bars the report page uses.
const revive = new Function(`return ${chartFunctionsSource};`)() as (option: ChartOption) => ChartOption;

/** Default width of a chart image in pixels; Markdown viewers scale it to the column. */
export const svgChartWidth = 760;

/** Legend geometry: one item per row, ECharts' 14 px symbols 8 px apart, and a generous width per character. */
const legendRowHeight = 22;
const legendCharWidth = 7;
const legendItemExtra = 25 + 5 + 10;

/**
 * The static legend: every series name, one per row, in two columns when the longest name fits
 * half the width, else one. Item by item in rows, so no layout rests on the renderer's text
 * measurement (which in server-side rendering guesses narrower than browsers draw).
 */
export function legendColumns(names: readonly string[], width: number): string[][] {
  const itemWidth = Math.max(0, ...names.map((n) => n.length)) * legendCharWidth + legendItemExtra;
  const columns = names.length > 1 && itemWidth <= (width - 40) / 2 ? 2 : 1;
  const perColumn = Math.ceil(names.length / columns);
  return Array.from({ length: columns }, (_, c) => names.slice(c * perColumn, (c + 1) * perColumn)).filter((c) => c.length > 0);
}

/**
 * Draws one report chart as a standalone SVG document with ECharts' server-side renderer, for
 * documents that cannot run the report page's script (Markdown findings). An image cannot
 * page a scrolling legend, so its legend lists every series below the plot, and the image
 * grows by its rows.
 */
export function renderChartSvg(spec: ChartSpec, width = svgChartWidth): string {
  const option = revive(spec.option);
  const series = (Array.isArray(option.series) ? option.series : []) as Array<{ name?: unknown }>;
  const names = series.flatMap((s) => (typeof s.name === 'string' ? [s.name] : []));
  const legend = option.legend as ChartOption | undefined;
  const columns = legend && legend.show !== false && names.length > 0 ? legendColumns(names, width) : [];
  const rows = Math.max(0, ...columns.map((c) => c.length));
  // The page's layout keeps one legend row under the axis name; the image swaps it for `rows`.
  const extra = rows > 0 ? (rows - 1) * legendRowHeight + 8 : 0;
  const grid = (option.grid ?? {}) as ChartOption;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: (spec.height ?? 320) + extra });
  try {
    chart.setOption({
      ...option,
      ...(columns.length > 0
        ? {
            legend: columns.map((data, c) => ({
              ...legend,
              type: 'plain',
              orient: 'vertical',
              data,
              itemGap: 8,
              bottom: 4,
              left: 20 + (c * (width - 40)) / columns.length,
            })),
            grid: { ...grid, bottom: (typeof grid.bottom === 'number' ? grid.bottom : 56) + extra },
          }
        : {}),
      backgroundColor: '#ffffff',
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
