/** The grid axes `main_effect` reports on, as they appear in its `axis` column. */
export type MainEffectAxis = 'dropout1' | 'dropout2' | 'weight_decay';

/**
 * The `main_effect` view (`regsweep_main_effect` over every weight decay): per sweep, epochs
 * value, axis and level, test accuracy averaged over the other axes and the effect of that level
 * against the axis' lowest level on test accuracy and on the gap, paired by seed over `n` seeds,
 * with 95% t-intervals clipped to [−1, 1] and null below 3 seeds.
 */
export interface MainEffectView {
  sweep_id: string;
  epochs: number;
  axis: MainEffectAxis;
  level: number;
  n: number;
  test_acc: number;
  test_acc_effect: number;
  test_acc_effect_ci_low: number | null;
  test_acc_effect_ci_high: number | null;
  gap_effect: number;
  gap_effect_ci_low: number | null;
  gap_effect_ci_high: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
