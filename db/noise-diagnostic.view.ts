import type { EffectMetric } from './effect-metric';

/**
 * The `noise_diagnostic` view: per sweep, metric and epochs value, a one-way ANOVA across the
 * configurations over the runs that did not diverge. `f` = between-configuration mean square /
 * within-configuration (seed) mean square on `df1` = k − 1 and `df2` = n − k degrees of freedom;
 * `p` = P(F > f). f and p are null when df2 = 0, fewer than 2 configurations have results, or the
 * seed variance is 0; `note` then says which.
 */
export interface NoiseDiagnosticView {
  sweep_id: string;
  metric: EffectMetric;
  epochs: number;
  /** Configurations with at least one run that did not diverge. */
  k: number;
  /** Runs that did not diverge, over all k configurations. */
  n: number;
  /** Runs diverged at or before this epochs value: left out. */
  n_diverged: number;
  grand_mean: number;
  between_ms: number | null;
  within_ms: number | null;
  /** √within_ms: the pooled seed standard deviation. */
  seed_sd: number | null;
  f: number | null;
  df1: number;
  df2: number;
  p: number | null;
  note: string | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
