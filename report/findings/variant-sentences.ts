import type { EffectVsVariantView } from '../../db/effect-vs-variant.view';
import type { TestTimeDropoutView } from '../../db/test-time-dropout.view';
import { beyondSeedNoise, epochCount, intervalClause, metricName, seedCount, signedPoints, testClause, tooFewSeedsClause } from '../effect-sentences';

/*
 * Sentences for the comparisons between variants (regularizer, batch normalization, learning
 * rate) and for test-time dropout, in the form of the other effect sentences: the change, its 95%
 * interval, n, the test and its Holm family, and the verdict; below 3 seeds no interval or p-value.
 */

const seedsLeftOut = (n: number): string => (n > 0 ? ` (${n} diverged ${n === 1 ? 'seed' : 'seeds'} left out)` : '');

/** The grid point of a row, e.g. `dropout1=0.2, dropout2=0.5, weight decay 0`. */
export const gridPoint = (r: { dropout1: number; dropout2: number; weight_decay: number }): string =>
  `dropout1=${r.dropout1}, dropout2=${r.dropout2}, weight decay ${r.weight_decay}`;

/** The sentence for one row of effect_vs_variant. */
export function variantSentence(r: EffectVsVariantView): string {
  const head = `${r.variant} vs ${r.base_variant} at ${gridPoint(r)}, ${epochCount(r.epochs)}: ${metricName(r.metric)}`;
  if (r.n === 0 || r.diff_mean === null) return `${head}: no seed has results for both${seedsLeftOut(r.n_excluded_diverged)}.`;
  const change = `${signedPoints(r.diff_mean)} points`;
  const seeds = `${seedCount(r.n)}${seedsLeftOut(r.n_excluded_diverged)}`;
  if (r.n < 3) return `${head} ${change}, ${seeds}; ${tooFewSeedsClause}.`;
  const interval = intervalClause(r.diff_ci_low, r.diff_ci_high, r.diff_ci_clipped);
  const tested = testClause(r, 'variant comparisons');
  if (tested === null || r.p_holm === null) return `${head} ${change}${interval}, ${seeds}; no test applies to more than 12 equal differences.`;
  const verdict = beyondSeedNoise(r.p_holm) ? 'beyond seed noise' : 'within seed noise';
  return `${head} ${change}${interval}, ${seeds}; ${tested} — ${verdict}.`;
}

/**
 * The sentence for one row of test_time_dropout: accuracy in inference mode, with one stochastic
 * pass and with the MC average, and the paired differences with their 95% t-intervals. No test is
 * run, so no verdict beyond what the interval shows.
 */
export function testTimeDropoutSentence(r: TestTimeDropoutView): string {
  const head = `${r.variant} at ${gridPoint(r)}, ${epochCount(r.epochs)}, ${r.eval_dropout_samples} stochastic passes`;
  if (r.n === 0 || r.test_acc_mean === null || r.mc_minus_inference_mean === null || r.one_pass_minus_inference_mean === null) {
    return `${head}: no seed has all three accuracies yet.`;
  }
  const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`);
  const levels = `inference mode ${pct(r.test_acc_mean)}, one pass with dropout on ${pct(r.test_acc_dropout_mean)}, MC average ${pct(r.test_acc_mc_dropout_mean)}`;
  const seeds = `${seedCount(r.n)}${r.n_diverged > 0 ? ` (${r.n_diverged} diverged left out)` : ''}`;
  if (!r.interval_informative) {
    return `${head}: ${levels}; MC − inference ${signedPoints(r.mc_minus_inference_mean)} points, one pass − inference ${signedPoints(r.one_pass_minus_inference_mean)} points, ${seeds}; ${tooFewSeedsClause}.`;
  }
  const mc = `MC − inference ${signedPoints(r.mc_minus_inference_mean)} points${intervalClause(r.mc_minus_inference_ci_low, r.mc_minus_inference_ci_high, false)}`;
  const onePass = `one pass − inference ${signedPoints(r.one_pass_minus_inference_mean)} points${intervalClause(r.one_pass_minus_inference_ci_low, r.one_pass_minus_inference_ci_high, false)}`;
  return `${head}: ${levels}; ${mc}, ${onePass}, ${seeds}; paired t-intervals over seeds (same run, same test images), one per row, not adjusted across rows.`;
}
