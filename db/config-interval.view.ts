/** Metrics of `config_interval`, as they appear in its `metric` column. */
export type IntervalMetric = 'test_acc' | 'train_acc_eval' | 'gap';

/**
 * The `config_interval` view: `config_summary` per metric, with the 95% t-interval clipped to
 * the metric's range ([0, 1] for accuracies, [−1, 1] for the gap; `ci_clipped` says when) and
 * `interval_informative` false below 3 seeds.
 */
export interface ConfigIntervalView {
  sweep_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  metric: IntervalMetric;
  trials: number;
  n: number;
  /** Seeds that diverged by this epochs value; mean, sd and interval are over the n that did not. */
  n_diverged: number;
  mean: number | null;
  sd: number | null;
  ci_low: number | null;
  ci_high: number | null;
  ci_clipped: boolean;
  interval_informative: boolean;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}

/** How a configuration compares with the best one at its epochs value. */
export type VsBest = 'best' | 'within seed noise of the best' | 'beyond seed noise' | 'too few seeds';

/**
 * The `config_vs_best` view: for test accuracy (best = highest mean) and the gap (best =
 * smallest mean), each configuration with results against the best at the same epochs value,
 * paired by seed; `vs_best_p` is the t-test's p or, where t is undefined, the sign-flip p, and
 * `vs_best_p_holm` is Holm-adjusted over the comparisons with the best at that sweep, metric
 * and epochs value. Both are null for the best itself.
 */
export interface ConfigVsBestView {
  sweep_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  metric: 'test_acc' | 'gap';
  n: number;
  n_diverged: number;
  mean: number;
  ci_low: number | null;
  ci_high: number | null;
  ci_clipped: boolean;
  interval_informative: boolean;
  best_dropout1: number;
  best_dropout2: number;
  best_weight_decay: number;
  is_best: boolean;
  vs_best_n: number;
  vs_best_diff: number | null;
  vs_best_p: number | null;
  vs_best_p_holm: number | null;
  vs_best: VsBest;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
