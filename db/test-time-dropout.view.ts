/**
 * The `test_time_dropout` view: per sweep, variant, grid point and epochs value of the runs that
 * evaluate with test-time dropout, over the `n` seeds with all three accuracies: the mean test
 * accuracy in inference mode, with one stochastic pass and with the MC average, and the paired
 * (same run) differences MC − inference and one pass − inference with 95% t-intervals over the n
 * seeds (null below 2 seeds or when every difference is equal; clipped to [−1, 1]). No test is
 * run and nothing is adjusted.
 */
export interface TestTimeDropoutView {
  sweep_id: string;
  variant: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  /** Stochastic passes per epoch of the runs. */
  eval_dropout_samples: number;
  trials: number;
  n: number;
  /** Seeds whose run diverged at or before this epochs value: left out. */
  n_diverged: number;
  test_acc_mean: number | null;
  test_acc_dropout_mean: number | null;
  test_acc_mc_dropout_mean: number | null;
  mc_minus_inference_mean: number | null;
  mc_minus_inference_sd: number | null;
  mc_minus_inference_ci_low: number | null;
  mc_minus_inference_ci_high: number | null;
  one_pass_minus_inference_mean: number | null;
  one_pass_minus_inference_sd: number | null;
  one_pass_minus_inference_ci_low: number | null;
  one_pass_minus_inference_ci_high: number | null;
  /** False below 3 seeds, where the intervals do not inform. */
  interval_informative: boolean;
}
