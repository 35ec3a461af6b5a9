import type { EffectMetric, EffectPValueColumns } from './effect-metric';

/** How the control of `effect_vs_control` was chosen. */
export type ControlKind = 'no regularization' | 'lowest value of each axis';


/**
 * The `effect_vs_control` view: every configuration other than the control, per metric and
 * epochs value, diff = value(config) − value(control) paired by seed over the `n` seeds where
 * both have a value. The control is no regularization when the grid has it, else the lowest
 * value of each axis. `df`, sd, interval and t are null below two pairs; the interval is
 * clipped to the difference's possible range (`diff_ci_clipped`). `p_used` is the t-test's p
 * where defined, else the sign-flip p (n ≤ 12); `p_holm` is Holm-adjusted over the sweep and
 * metric (all epochs values, `holm_m` comparisons), `p_holm_epochs` within one epochs value.
 */
export interface EffectVsControlView extends EffectPValueColumns {
  sweep_id: string;
  metric: EffectMetric;
  epochs: number;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  control_dropout1: number;
  control_dropout2: number;
  control_weight_decay: number;
  control_kind: ControlKind;
  n: number;
  /** Seeds where the configuration or the control diverged: left out of the pairs (and of n). */
  n_excluded_diverged: number;
  df: number | null;
  config_mean: number | null;
  control_mean: number | null;
  diff_mean: number | null;
  diff_sd: number | null;
  diff_ci_low: number | null;
  diff_ci_high: number | null;
  diff_ci_clipped: boolean;
  diff_t: number | null;
  diff_p: number | null;
  diff_p_sign_flip: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
