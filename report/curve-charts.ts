import { baseOption, epochAxis, fn, label, palette, percentAxis, round, type ChartOption, type ChartSpec } from './chart-common';
import type { EpochCurves, WeightNormCurves } from './report-data';

/** A line per named series over epochs; series with no value at any epoch are left out. */
type LineType = 'solid' | 'dashed' | 'dotted';

function lines(
  epoch: readonly number[],
  series: ReadonlyArray<{ name: string; values: ReadonlyArray<number | null>; lineType?: LineType; color?: string | undefined }>,
): ChartOption[] {
  return series
    .filter((s) => s.values.some((v) => v !== null))
    .map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: true,
      connectNulls: true,
      data: epoch.map((e, i) => [e, round(s.values[i] ?? null)]),
      lineStyle: { type: s.lineType ?? 'solid' },
      ...(s.color ? { itemStyle: { color: s.color } } : {}),
    }));
}

const valueAxis = (name: string): ChartOption => ({
  type: 'value',
  name,
  nameLocation: 'middle',
  nameGap: 48,
  scale: true,
  axisLabel: { formatter: fn.number3 },
});

/** Train (dashed) and test (solid) curves of one metric, with dropout (orange) and without (blue). */
function dropoutPairChart(curves: EpochCurves, train: string | null, test: string, yAxis: ChartOption, valueFormatter: string): ChartOption {
  const pick = (metric: string, variant: string) => curves.series[`${metric}:${variant}`] ?? [];
  const series = [
    ...(train
      ? [
          { name: 'train, no dropout', values: pick(train, 'no dropout'), lineType: 'dashed' as const, color: palette[0] },
          { name: 'train, dropout', values: pick(train, 'dropout'), lineType: 'dashed' as const, color: palette[1] },
        ]
      : []),
    { name: `${train ? 'test' : 'gap'}, no dropout`, values: pick(test, 'no dropout'), color: palette[0] },
    { name: `${train ? 'test' : 'gap'}, dropout`, values: pick(test, 'dropout'), color: palette[1] },
  ];
  return { ...baseOption(), tooltip: { trigger: 'axis', valueFormatter }, xAxis: epochAxis(), yAxis, series: lines(curves.epoch, series) };
}

export function trainingCurveCharts(curves: EpochCurves): ChartSpec[] {
  if (curves.epoch.length === 0) return [];
  return [
    {
      id: 'loss-curves',
      title: 'Loss per epoch',
      caption: 'Training loss (dashed; dropout on, during the epoch) and test loss (solid; inference mode) averaged over runs with and without dropout.',
      option: dropoutPairChart(curves, 'train_loss', 'test_loss', valueAxis('cross-entropy'), fn.number3),
    },
    {
      id: 'accuracy-curves',
      title: 'Accuracy per epoch',
      caption: 'Training accuracy (dashed) and test accuracy (solid), both in inference mode; the distance between a pair is the train−test gap.',
      option: dropoutPairChart(curves, 'train_acc_eval', 'test_acc', percentAxis('accuracy'), fn.percent),
    },
    {
      id: 'gap-curves',
      title: 'Train−test gap per epoch',
      caption: 'Training minus test accuracy after each epoch. A gap that keeps growing is overfitting; dropout should hold it lower.',
      option: dropoutPairChart(curves, null, 'gap', percentAxis('gap'), fn.percent),
    },
  ];
}

export function activationVarianceChart(curves: EpochCurves): ChartSpec | null {
  if (curves.epoch.length === 0) return null;
  const series = Object.entries(curves.series).map(([name, values]) => ({
    name,
    values,
    lineType: name.endsWith('no dropout') ? ('dashed' as const) : ('solid' as const),
  }));
  return {
    id: 'activation-variance',
    title: 'Hidden activation variance per epoch',
    caption:
      'Variance of each hidden layer’s post-ReLU activations on 1,000 test images (inference mode) after each epoch. ' +
      '"Dropped out" averages runs with dropout after that layer, "no dropout" (dashed) runs without.',
    option: {
      ...baseOption(),
      tooltip: { trigger: 'axis', valueFormatter: fn.number3 },
      xAxis: epochAxis(),
      yAxis: valueAxis('variance'),
      series: lines(curves.epoch, series),
    },
  };
}

export function weightNormChart(norms: WeightNormCurves): ChartSpec | null {
  if (norms.epoch.length === 0) return null;
  const layerDash = { w1: 'solid', w2: 'dashed', w3: 'dotted' } as const;
  const series = norms.byWeightDecay.flatMap((wd, i) =>
    (['w1', 'w2', 'w3'] as const).map((layer) => ({
      name: `${layer.toUpperCase()}, wd=${label(Number(wd.weightDecay))}`,
      values: wd[layer],
      lineType: layerDash[layer],
      color: palette[i % palette.length],
    })),
  );
  return {
    id: 'weight-norms',
    title: 'Weight norms per epoch by weight decay',
    caption:
      'Frobenius norm of W1 (solid), W2 (dashed) and W3 (dotted) after each epoch, one colour per weight decay. Larger weight decay should hold the norms lower.',
    option: {
      ...baseOption(),
      tooltip: { trigger: 'axis', valueFormatter: fn.number3 },
      xAxis: epochAxis(),
      yAxis: valueAxis('norm'),
      series: lines(norms.epoch, series),
    },
    height: 360,
  };
}
