/*
 * Shared pieces of the report's ECharts options. Options are plain JSON so they can be
 * embedded in the page; where ECharts needs a function (error bars, percent labels) the
 * option holds a `fn:<name>` string that the page script swaps for the function of that name
 * (see report-page-script.ts).
 */

/** ECharts option object, JSON-serialisable. */
export type ChartOption = Record<string, unknown>;

/** One chart of the report: a div with this id gets this option. */
export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows and how to read it, printed under it. */
  caption: string;
  option: ChartOption;
  /** Pixel height of the chart. @default 320 */
  height?: number;
}

export const fn = {
  percent: 'fn:percent',
  signedPoints: 'fn:signedPoints',
  errorBar: 'fn:errorBar',
  heatLabel: 'fn:heatLabel',
  heatTooltip: 'fn:heatTooltip',
  number3: 'fn:number3',
} as const;

/** Colour-blind-safe palette (Okabe–Ito), in series order. */
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

export const baseOption = (): ChartOption => ({
  animation: false,
  color: palette,
  textStyle: { fontFamily: 'system-ui, sans-serif' },
  grid: { left: 64, right: 24, top: 40, bottom: 56, containLabel: false },
  tooltip: { trigger: 'axis' },
  legend: { bottom: 0, type: 'scroll' },
});

/** A value axis showing fractions as percentages (or signed percentage points for differences). */
export const percentAxis = (name: string, signed = false): ChartOption => ({
  type: 'value',
  name,
  nameLocation: 'middle',
  nameGap: 48,
  scale: true,
  axisLabel: { formatter: signed ? fn.signedPoints : fn.percent },
});

export const epochAxis = (): ChartOption => ({ type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 28, minInterval: 1, scale: true });

/**
 * Error bars over a category axis: one [categoryIndex, low, high] per category that has an
 * interval. Returns null when no category has one (fewer than two seeds), so no empty series is drawn.
 */
export function errorBarSeries(name: string, intervals: ReadonlyArray<readonly [number | null, number | null]>, color = '#333333'): ChartOption | null {
  const data = intervals.flatMap(([low, high], i) => (low === null || high === null ? [] : [[i, low, high]]));
  if (data.length === 0) return null;
  return { type: 'custom', name, renderItem: fn.errorBar, data, encode: { x: 0, y: [1, 2] }, itemStyle: { color }, z: 3, tooltip: { show: false } };
}

/** Formats a grid value the way Postgres prints it, for axis labels (0.001 stays 0.001). */
export const label = (value: number): string => String(value);

/** Rounds for embedding: six significant digits are plenty for a plot and keep the file small. */
export const round = (value: number | null): number | null => (value === null ? null : Number(value.toPrecision(6)));
