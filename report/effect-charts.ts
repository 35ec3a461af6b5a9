import type { EffectDropoutSwapView } from '../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../db/effect-interaction.view';
import { baseOption, errorBarSeries, fn, label, percentAxis, round, type ChartOption, type ChartSpec } from './chart-common';
import type { MainEffect } from './report-data';

const axisNames: Record<MainEffect['axis'], string> = { dropout1: 'dropout1', dropout2: 'dropout2', weight_decay: 'weight decay' };

/** Points at the mean difference with error bars at the 95% interval, one per category. */
function pointsWithIntervals(
  categories: readonly string[],
  means: ReadonlyArray<number | null>,
  intervals: ReadonlyArray<readonly [number | null, number | null]>,
  name: string,
): ChartOption {
  const bars = errorBarSeries('95% interval', intervals);
  return {
    ...baseOption(),
    grid: { left: 72, right: 24, top: 24, bottom: 96 },
    tooltip: { trigger: 'axis', valueFormatter: fn.signedPoints },
    xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 6 ? 30 : 0 } },
    yAxis: percentAxis('difference in test accuracy', true),
    series: [
      {
        name,
        type: 'scatter',
        symbolSize: 10,
        data: means.map(round),
        markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#888', type: 'dashed' }, data: [{ yAxis: 0 }] },
      },
      ...(bars ? [bars] : []),
    ],
  };
}

export function mainEffectChart(effects: readonly MainEffect[]): ChartSpec | null {
  // The lowest value of each axis is the reference: its effect is 0 by definition.
  const shown = effects.filter((e) => e.level !== Math.min(...effects.filter((o) => o.axis === e.axis).map((o) => o.level)));
  if (shown.length === 0) return null;
  return {
    id: 'main-effects',
    title: 'Main effect of each axis on test accuracy',
    caption:
      'Each point: test accuracy with the axis at this value minus with the axis at its lowest value, averaged over the ' +
      'other axes and paired by seed. Bars are 95% intervals over seeds; a bar that crosses the dashed zero line is within seed noise.',
    option: pointsWithIntervals(
      shown.map((e) => `${axisNames[e.axis]} = ${label(e.level)}`),
      shown.map((e) => e.effect),
      shown.map((e) => [e.ciLow, e.ciHigh] as const),
      'effect',
    ),
  };
}

const configLabel = (r: EffectInteractionView): string => `d1=${label(r.dropout1)} d2=${label(r.dropout2)} wd=${label(r.weight_decay)}`;

export function interactionCharts(rows: readonly EffectInteractionView[]): ChartSpec[] {
  if (rows.length === 0) return [];
  const categories = rows.map(configLabel);
  const bar = (name: string, values: number[]): ChartOption => ({ name, type: 'bar', data: values.map(round) });
  return [
    {
      id: 'interaction-bars',
      title: 'Dropout and weight decay: separately and together',
      caption:
        'Change in test accuracy against no dropout and no weight decay, per dropout setting and weight decay. If the ' +
        'regularisers were additive, "together" would equal "sum of the two"; a shorter "together" bar means they overlap.',
      option: {
        ...baseOption(),
        grid: { left: 72, right: 24, top: 24, bottom: 96 },
        tooltip: { trigger: 'axis', valueFormatter: fn.signedPoints },
        xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 4 ? 30 : 0 } },
        yAxis: percentAxis('change in test accuracy', true),
        series: [
          bar(
            'dropout alone',
            rows.map((r) => r.dropout_effect_mean),
          ),
          bar(
            'weight decay alone',
            rows.map((r) => r.weight_decay_effect_mean),
          ),
          bar(
            'sum of the two',
            rows.map((r) => r.dropout_effect_mean + r.weight_decay_effect_mean),
          ),
          bar(
            'together',
            rows.map((r) => r.combined_effect_mean),
          ),
        ],
      },
    },
    {
      id: 'interaction-terms',
      title: 'Interaction: together minus the sum of the two',
      caption:
        'Interaction = together − (dropout alone + weight decay alone), paired by seed, with its 95% interval. Zero means ' +
        'additive; below zero the two regularisers overlap, above zero they reinforce each other.',
      option: pointsWithIntervals(
        categories,
        rows.map((r) => r.interaction_mean),
        rows.map((r) => [r.interaction_ci_low, r.interaction_ci_high] as const),
        'interaction',
      ),
    },
  ];
}

export function swapChart(rows: readonly EffectDropoutSwapView[]): ChartSpec | null {
  const accuracy = rows.filter((r) => r.metric === 'test_acc');
  if (accuracy.length === 0) return null;
  return {
    id: 'dropout-swap',
    title: 'Swapping dropout1 and dropout2',
    caption:
      'Test accuracy with (dropout1, dropout2) = (a, b) minus with (b, a), a < b, paired by seed, with 95% intervals. ' +
      'Above zero the larger rate works better on the second layer; an interval across zero means the order does not matter at this noise level.',
    option: pointsWithIntervals(
      accuracy.map((r) => `(${label(r.dropout_a)}, ${label(r.dropout_b)}) vs (${label(r.dropout_b)}, ${label(r.dropout_a)}), wd=${label(r.weight_decay)}`),
      accuracy.map((r) => r.diff_mean),
      accuracy.map((r) => [r.diff_ci_low, r.diff_ci_high] as const),
      'difference',
    ),
  };
}
