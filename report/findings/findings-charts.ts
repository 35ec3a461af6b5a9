import type { ConfigEpochMeans } from '../../db/findings-repository';
import { baseOption, epochAxis, percentAxis, round, type ChartSpec } from '../chart-common';

/*
 * The findings' plots: one line per configuration (and variant) over every trained epoch, each
 * point the mean over the configuration's seeds that had not diverged by then.
 */

/** A configuration's name in a legend: its variant when the sweep has several, then its grid point. */
export function configName(r: Pick<ConfigEpochMeans, 'variant' | 'dropout1' | 'dropout2' | 'weight_decay'>, manyVariants: boolean): string {
  const point = `d1=${r.dropout1}, d2=${r.dropout2}${r.weight_decay > 0 ? `, wd=${r.weight_decay}` : ''}`;
  return manyVariants ? `${r.variant}, ${point}` : point;
}

function linesBy(rows: readonly ConfigEpochMeans[], value: (r: ConfigEpochMeans) => number | null): { name: string; data: [number, number | null][] }[] {
  const manyVariants = new Set(rows.map((r) => r.variant)).size > 1;
  const byName = new Map<string, [number, number | null][]>();
  for (const r of rows) {
    const name = configName(r, manyVariants);
    byName.set(name, [...(byName.get(name) ?? []), [r.epoch, round(value(r))]]);
  }
  return [...byName].map(([name, data]) => ({ name, data }));
}

/** Test accuracy per epoch, one line per configuration. */
export function testAccuracyCurveChart(id: string, rows: readonly ConfigEpochMeans[]): ChartSpec | null {
  if (rows.length === 0) return null;
  return {
    id,
    title: 'Test accuracy per epoch',
    caption: 'Mean test accuracy over the seeds that had not diverged by that epoch, one line per configuration.',
    height: 360,
    option: {
      ...baseOption(),
      xAxis: epochAxis(),
      yAxis: percentAxis('test accuracy'),
      series: linesBy(rows, (r) => r.test_acc).map((s) => ({ type: 'line', name: s.name, data: s.data, showSymbol: false })),
    },
  };
}

/** Variance of hidden layer `layer`'s activations per epoch, one line per configuration. */
export function activationVarianceCurveChart(id: string, rows: readonly ConfigEpochMeans[], layer: 1 | 2): ChartSpec | null {
  if (rows.length === 0) return null;
  const value = (r: ConfigEpochMeans) => (layer === 1 ? r.act_var1 : r.act_var2);
  return {
    id,
    title: `Variance of hidden layer ${layer}'s activations per epoch`,
    caption: `Mean over seeds of the variance of hidden layer ${layer}'s activations (after ReLU, inference mode, on 1,000 test images), one line per configuration.`,
    height: 360,
    option: {
      ...baseOption(),
      xAxis: epochAxis(),
      yAxis: { type: 'value', name: `variance, layer ${layer}`, nameLocation: 'middle', nameGap: 48, scale: true },
      series: linesBy(rows, value).map((s) => ({ type: 'line', name: s.name, data: s.data, showSymbol: false })),
    },
  };
}
