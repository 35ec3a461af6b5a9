/**
 * The `config_summary` view: one row per sweep grid point over its seeds. `trials` is the
 * number of seeds the grid asks for, `n` those with metrics at the trial's epoch that did not
 * diverge (`n_diverged` counts those that did); every statistic is over the n, and means are
 * null when n = 0, standard deviations and 95% t-intervals when n < 2.
 */
export interface ConfigSummaryView {
  sweep_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  trials: number;
  n: number;
  /** Seeds whose run diverged at or before this epochs value: left out of every mean, sd and interval. */
  n_diverged: number;
  test_acc_mean: number | null;
  test_acc_sd: number | null;
  test_acc_ci_low: number | null;
  test_acc_ci_high: number | null;
  train_acc_eval_mean: number | null;
  train_acc_eval_sd: number | null;
  train_acc_eval_ci_low: number | null;
  train_acc_eval_ci_high: number | null;
  gap_mean: number | null;
  gap_sd: number | null;
  gap_ci_low: number | null;
  gap_ci_high: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
