/** Metrics the effect views compare, as they appear in their `metric` column. */
export type EffectMetric = 'test_acc' | 'gap';
