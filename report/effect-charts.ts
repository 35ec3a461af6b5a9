import type { EffectDropoutSwapView } from '../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../db/effect-interaction.view';
import type { EffectVsControlView } from '../db/effect-vs-control.view';
import { baseOption, errorBarSeries, fn, label, percentAxis, round, type ChartOption, type ChartSpec } from './chart-common';
import { configLabel as effectConfigLabel, controlLabel } from './effect-sentences';

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

/**
 * Intervals on fewer than 3 seeds are not informative: they are not drawn. Others are clipped to
 * `bound` either side of 0, the range the difference can take (1 for a difference of two
 * fractions, 2 for an interaction); effect_vs_control's intervals come clipped already.
 */
const informative = <T extends { n: number }>(r: T, low: number | null, high: number | null, bound = 1): readonly [number | null, number | null] =>
  r.n >= 3 ? [low === null ? null : Math.max(-bound, low), high === null ? null : Math.min(bound, high)] : [null, null];

export function effectsVsControlChart(rows: readonly EffectVsControlView[]): ChartSpec | null {
  const accuracy = rows.filter((r) => r.metric === 'test_acc' && r.diff_mean !== null);
  if (accuracy.length === 0) return null;
  return {
    id: 'effects-vs-control',
    title: `Each configuration against ${controlLabel(accuracy[0]!)}`,
    caption:
      'Test accuracy of each configuration minus that of the control, paired by seed. Bars are 95% t-intervals over seeds, ' +
      'clipped to the possible range; configurations with fewer than 3 paired seeds get no bar (not informative). The ' +
      'sentences above say which effects are beyond seed noise after Holm adjustment.',
    option: pointsWithIntervals(
      accuracy.map((r) => `${effectConfigLabel(r)} (n=${r.n})`),
      accuracy.map((r) => r.diff_mean),
      accuracy.map((r) => informative(r, r.diff_ci_low, r.diff_ci_high)),
      'difference',
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
        'Change in test accuracy against the baseline named above, per dropout setting and weight decay. If the ' +
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
        'Interaction = together − (dropout alone + weight decay alone), paired by seed, with its 95% t-interval over seeds (clipped to the possible range, none drawn below 3 seeds). Zero means ' +
        'additive; below zero the two regularisers overlap, above zero they reinforce each other.',
      option: pointsWithIntervals(
        categories,
        rows.map((r) => r.interaction_mean),
        rows.map((r) => informative(r, r.interaction_ci_low, r.interaction_ci_high, 2)),
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
      'Test accuracy with (dropout1, dropout2) = (a, b) minus with (b, a), a < b, paired by seed, with 95% t-intervals over seeds (clipped to the possible range, none drawn below 3 seeds). ' +
      'Above zero the larger rate works better on the second layer; an interval across zero means the order does not matter at this noise level.',
    option: pointsWithIntervals(
      accuracy.map((r) => `(${label(r.dropout_a)}, ${label(r.dropout_b)}) vs (${label(r.dropout_b)}, ${label(r.dropout_a)}), wd=${label(r.weight_decay)}`),
      accuracy.map((r) => r.diff_mean),
      accuracy.map((r) => informative(r, r.diff_ci_low, r.diff_ci_high)),
      'difference',
    ),
  };
}
