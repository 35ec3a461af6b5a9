import type { EffectMetric, EffectPValueColumns } from './effect-metric';
import type { ControlKind } from './effect-vs-control.view';

/**
 * The `effect_interaction` view: per dropout setting other than the baseline's, weight decay
 * above the baseline's and epochs value, effects relative to the baseline (d0, w0) and the
 * interaction contrast value(d, w) − value(d, w0) − value(d0, w) + value(d0, w0), paired by seed
 * over the `n` seeds that have all four cells. The baseline is no regularization when the grid
 * has it, else the lowest value of each axis (the rule of `effect_vs_control`'s control). Intervals, t and p are null below two seeds;
 * `interaction_p_holm` is Holm-adjusted within one sweep, metric and epochs value
 * (also as `p_holm_epochs`); `p_holm` adjusts over the whole sweep and metric, every epochs value.
 * Where t is undefined (n < 2 or all differences equal) `p_used` is the sign-flip p.
 */
export interface EffectInteractionView extends EffectPValueColumns {
  sweep_id: string;
  metric: EffectMetric;
  epochs: number;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  n: number;
  /** Seeds where a cell of the comparison diverged: left out (and of n). */
  n_excluded_diverged: number;
  baseline_mean: number;
  dropout_effect_mean: number;
  dropout_effect_ci_low: number | null;
  dropout_effect_ci_high: number | null;
  weight_decay_effect_mean: number;
  weight_decay_effect_ci_low: number | null;
  weight_decay_effect_ci_high: number | null;
  combined_effect_mean: number;
  combined_effect_ci_low: number | null;
  combined_effect_ci_high: number | null;
  interaction_mean: number;
  interaction_sd: number | null;
  interaction_ci_low: number | null;
  interaction_ci_high: number | null;
  interaction_t: number | null;
  interaction_p: number | null;
  interaction_p_holm: number | null;
  /** Exact paired sign-flip p-value over all 2^n sign patterns; null outside 1 ≤ n ≤ 12. */
  interaction_p_sign_flip: number | null;
  /** The baseline (d0, w0) every row of the sweep is built on. */
  baseline_dropout1: number;
  baseline_dropout2: number;
  baseline_weight_decay: number;
  baseline_kind: ControlKind;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
