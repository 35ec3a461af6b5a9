import type { EffectMetric, EffectPValueColumns } from './effect-metric';
import type { RegularizerName } from '../domain/training-limits';

/**
 * The `effect_vs_variant` view: every variant other than the sweep's base variant, per metric,
 * grid point and epochs value, diff = value(variant) − value(base variant) at the same
 * (dropout1, dropout2, weight_decay, epochs), paired by seed over the `n` seeds where both have a
 * value. The base variant is regularizer 'dropout' if the sweep has it (else the first name),
 * batch_norm false if present, lr 0.5 if present (else the lowest). Statistics, the sign-flip
 * fallback and the Holm families ((sweep, metric) over every variant, grid point and epochs value;
 * (sweep, metric, epochs)) are those of `effect_vs_control`.
 */
export interface EffectVsVariantView extends EffectPValueColumns {
  sweep_id: string;
  metric: EffectMetric;
  epochs: number;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  variant: string;
  regularizer: RegularizerName;
  batch_norm: boolean;
  lr: number;
  base_variant: string;
  base_regularizer: RegularizerName;
  base_batch_norm: boolean;
  base_lr: number;
  n: number;
  /** Seeds where the variant or the base variant diverged: left out of the pairs (and of n). */
  n_excluded_diverged: number;
  df: number | null;
  variant_mean: number | null;
  base_mean: number | null;
  diff_mean: number | null;
  diff_sd: number | null;
  diff_ci_low: number | null;
  diff_ci_high: number | null;
  diff_ci_clipped: boolean;
  diff_t: number | null;
  diff_p: number | null;
  diff_p_sign_flip: number | null;
  /** False below 3 pairs, where interval and p-value do not inform. */
  interval_informative: boolean;
}
