import type { EffectMetric, EffectPValueColumns } from './effect-metric';

/**
 * The `effect_dropout_swap` view: for rates a < b, diff = value(dropout1 = a, dropout2 = b)
 * − value(dropout1 = b, dropout2 = a), paired by seed. Standard deviation, interval, t and
 * p are null below two paired seeds or when every difference is equal; `diff_p_holm` is
 * Holm-adjusted within one sweep, metric and epochs value
 * (also as `p_holm_epochs`); `p_holm` adjusts over the whole sweep and metric, every epochs value.
 * Where t is undefined (n < 2 or all differences equal) `p_used` is the sign-flip p.
 */
export interface EffectDropoutSwapView extends EffectPValueColumns {
  sweep_id: string;
  metric: EffectMetric;
  epochs: number;
  weight_decay: number;
  dropout_a: number;
  dropout_b: number;
  n: number;
  /** Seeds where a cell of the comparison diverged: left out (and of n). */
  n_excluded_diverged: number;
  mean_ab: number;
  mean_ba: number;
  diff_mean: number;
  diff_sd: number | null;
  diff_ci_low: number | null;
  diff_ci_high: number | null;
  diff_t: number | null;
  diff_p: number | null;
  diff_p_holm: number | null;
  /** Exact paired sign-flip p-value over all 2^n sign patterns; null outside 1 ≤ n ≤ 12. */
  diff_p_sign_flip: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
