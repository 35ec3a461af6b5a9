/** Metrics the effect views compare, as they appear in their `metric` column. */
export type EffectMetric = 'test_acc' | 'gap';

/** Which test produced `p_used`: the paired t-test, or the exact sign-flip test where t is undefined. */
export type PairedTestName = 't' | 'sign-flip';

/**
 * The p-value columns every effect view ends with: the p it tests with, and its Holm
 * adjustment over the whole (sweep, metric) family (`p_holm`, `holm_m` comparisons) and within
 * one epochs value (`p_holm_epochs`, `holm_m_epochs`).
 */
export interface EffectPValueColumns {
  /** Which test `p_used` comes from: the t-test where defined, else the sign-flip test. */
  p_test: PairedTestName | null;
  p_used: number | null;
  /** Holm over the whole (sweep, metric) family: every row at every epochs value. */
  p_holm: number | null;
  holm_m: number;
  /** Holm within one (sweep, metric, epochs value). */
  p_holm_epochs: number | null;
  holm_m_epochs: number;
}
