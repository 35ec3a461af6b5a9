import type { ConfigSummaryView } from '../db/config-summary.view';
import { baseOption, fn, label, round, type ChartSpec } from './chart-common';

type Metric = 'test_acc_mean' | 'gap_mean';

const sortedUnique = (values: readonly number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

/** A dropout1 (rows) × dropout2 (columns) heatmap of one metric at one weight decay. */
function matrixChart(configs: readonly ConfigSummaryView[], metric: Metric, weightDecay: number, id: string, reversed: boolean): ChartSpec['option'] {
  const rows = sortedUnique(configs.map((c) => c.dropout1));
  const columns = sortedUnique(configs.map((c) => c.dropout2));
  const cells = configs.filter((c) => c.weight_decay === weightDecay && c[metric] !== null);
  const values = cells.map((c) => c[metric] as number);
  // Green for good: high accuracy, small gap. The colour range is this chart's own.
  const colours = ['#d73027', '#fee08b', '#1a9850'];
  return {
    ...baseOption(),
    grid: { left: 96, right: 24, top: 24, bottom: 64 },
    tooltip: { trigger: 'item', formatter: fn.heatTooltip },
    legend: { show: false },
    xAxis: { type: 'category', name: 'dropout2', nameLocation: 'middle', nameGap: 28, data: columns.map(label), splitArea: { show: true } },
    yAxis: { type: 'category', name: 'dropout1', nameLocation: 'middle', nameGap: 56, data: rows.map(label), splitArea: { show: true } },
    visualMap: {
      show: false,
      // Colour by the value (third dimension), not by the seed count that follows it.
      dimension: 2,
      min: Math.min(...values),
      max: Math.max(...values) === Math.min(...values) ? Math.min(...values) + 1e-9 : Math.max(...values),
      inRange: { color: reversed ? [...colours].reverse() : colours },
    },
    series: [
      {
        id,
        name: metric === 'test_acc_mean' ? 'test accuracy' : 'train−test gap',
        type: 'heatmap',
        data: cells.map((c) => [columns.indexOf(c.dropout2), rows.indexOf(c.dropout1), round(c[metric]), c.n]),
        label: { show: true, formatter: fn.heatLabel },
      },
    ],
  };
}

/** One heatmap per weight decay of the sweep, for test accuracy or for the gap. */
export function matrixCharts(configs: readonly ConfigSummaryView[], metric: Metric): ChartSpec[] {
  const what = metric === 'test_acc_mean' ? 'test accuracy' : 'train−test gap';
  // Only weight decays with results get a chart: an empty heatmap tells the reader nothing.
  const withResults = configs.filter((c) => c[metric] !== null);
  return sortedUnique(withResults.map((c) => c.weight_decay)).map((wd, i) => {
    const id = `${metric === 'test_acc_mean' ? 'accuracy' : 'gap'}-matrix-${i + 1}`;
    return {
      id,
      title: `${what[0]!.toUpperCase()}${what.slice(1)}, weight decay ${label(wd)}`,
      caption:
        metric === 'test_acc_mean'
          ? 'Mean test accuracy over seeds; rows are dropout1, columns dropout2. Greener is better; colours are relative to this chart.'
          : 'Mean training minus test accuracy (inference mode); rows are dropout1, columns dropout2. Greener means less overfitting.',
      option: matrixChart(configs, metric, wd, id, metric === 'gap_mean'),
      height: 260,
    };
  });
}
