/**
 * The `divergence_rate` view: per sweep grid point, the share of its seeds whose run diverged at
 * or before the epochs value, among the `finished` ones (diverged, or reached the epochs value),
 * with the exact Clopper–Pearson 95% interval; rate and interval are null while none finished.
 */
export interface DivergenceRateView {
  sweep_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  trials: number;
  finished: number;
  n_diverged: number;
  rate: number | null;
  rate_ci_low: number | null;
  rate_ci_high: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
