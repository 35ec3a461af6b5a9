import type { ConfigVsBestView, VsBest } from '../db/config-interval.view';
import { baseOption, fn, label, round, type ChartSpec } from './chart-common';

type Metric = ConfigVsBestView['metric'];

const sortedUnique = (values: readonly number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

/*
 * Cells are coloured by how they compare with the best configuration (config_vs_best), not by
 * their value: a colour ramp would paint seed noise as better or worse. The best and every
 * configuration within seed noise of it share one colour.
 */
const classes: ReadonlyArray<{ vsBest: VsBest; label: string; color: string }> = [
  { vsBest: 'best', label: 'best (★)', color: '#4daf4a' },
  { vsBest: 'within seed noise of the best', label: 'within seed noise of the best', color: '#4daf4a' },
  { vsBest: 'beyond seed noise', label: 'beyond seed noise of the best', color: '#bdbdbd' },
  { vsBest: 'too few seeds', label: 'fewer than 3 seeds: cannot tell', color: '#f2f2f2' },
];

/** A dropout1 (rows) × dropout2 (columns) heatmap of one metric at one weight decay. */
function matrixChart(configs: readonly ConfigVsBestView[], metric: Metric, weightDecay: number, id: string): ChartSpec['option'] {
  const ofMetric = configs.filter((c) => c.metric === metric);
  const rows = sortedUnique(ofMetric.map((c) => c.dropout1));
  const columns = sortedUnique(ofMetric.map((c) => c.dropout2));
  const cells = ofMetric.filter((c) => c.weight_decay === weightDecay);
  const classOf = (c: ConfigVsBestView) => classes.findIndex((k) => k.vsBest === c.vs_best);
  return {
    ...baseOption(),
    grid: { left: 96, right: 24, top: 24, bottom: 96 },
    tooltip: { trigger: 'item', formatter: fn.heatTooltip },
    legend: { show: false },
    xAxis: { type: 'category', name: 'dropout2', nameLocation: 'middle', nameGap: 28, data: columns.map(label), splitArea: { show: true } },
    yAxis: { type: 'category', name: 'dropout1', nameLocation: 'middle', nameGap: 56, data: rows.map(label), splitArea: { show: true } },
    visualMap: {
      type: 'piecewise',
      // Colour by the comparison with the best (fifth dimension), not by the value.
      dimension: 4,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 14,
      itemGap: 8,
      textStyle: { fontSize: 11 },
      pieces: classes.map((k, i) => ({ value: i, label: k.label, color: k.color })),
    },
    series: [
      {
        id,
        name: metric === 'test_acc' ? 'test accuracy' : 'train−test gap',
        type: 'heatmap',
        data: cells.map((c) => [columns.indexOf(c.dropout2), rows.indexOf(c.dropout1), round(c.mean), c.n, classOf(c), c.vs_best]),
        label: { show: true, formatter: fn.heatLabel },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
      },
    ],
  };
}

/** One heatmap per weight decay of the sweep, for test accuracy or for the gap. */
export function matrixCharts(configs: readonly ConfigVsBestView[], metric: Metric): ChartSpec[] {
  const what = metric === 'test_acc' ? 'test accuracy' : 'train−test gap';
  // Only weight decays with results get a chart: an empty heatmap tells the reader nothing.
  const withResults = configs.filter((c) => c.metric === metric);
  return sortedUnique(withResults.map((c) => c.weight_decay)).map((wd, i) => {
    const id = `${metric === 'test_acc' ? 'accuracy' : 'gap'}-matrix-${i + 1}`;
    const best = metric === 'test_acc' ? 'the highest mean test accuracy' : 'the smallest mean gap';
    return {
      id,
      title: `${what[0]!.toUpperCase()}${what.slice(1)}, weight decay ${label(wd)}`,
      caption:
        `Mean ${what} over seeds; rows are dropout1, columns dropout2. Green: ${best} (★) and every configuration not ` +
        'distinguishable from it (paired t-test, or exact sign-flip test when t is undefined, against the best at the same ' +
        "seeds, Holm-adjusted over this epochs value's comparisons with the best, p ≥ 0.05). Grey: beyond seed noise of the best. " +
        'Pale: fewer than 3 paired seeds, no verdict. Colours do not rank cells within a class.',
      option: matrixChart(configs, metric, wd, id),
      height: 300,
    };
  });
}
