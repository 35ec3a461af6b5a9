import type { ComparisonAvailabilityView, ComparisonName } from '../db/comparison-availability.view';
import type { EffectDropoutSwapView } from '../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../db/effect-interaction.view';
import type { MainEffectView } from '../db/main-effect.view';
import { beyondSeedNoise, epochCount, intervalClause, metricName, seedCount, signedPoints, testClause, tooFewSeedsClause } from './effect-sentences';

/*
 * One plain sentence per dropout swap and per dropout × weight decay interaction, in the form of
 * the sentences against the control: the change, its 95% interval, n, the test and the whole
 * (sweep, metric) Holm family (`p_holm`, every epochs value), and the verdict. Below 3 seeds they
 * say the interval and p-value are not informative instead of quoting them.
 */

const seedsLeftOut = (n: number): string => (n > 0 ? ` (${n} diverged ${n === 1 ? 'seed' : 'seeds'} left out)` : '');

/** The sentence for one row of effect_dropout_swap. */
export function swapSentence(r: EffectDropoutSwapView): string {
  const head =
    `dropout1=${r.dropout_a}, dropout2=${r.dropout_b} vs dropout1=${r.dropout_b}, dropout2=${r.dropout_a} ` +
    `(weight decay ${r.weight_decay}), ${epochCount(r.epochs)}: ${metricName(r.metric)}`;
  const change = `${signedPoints(r.diff_mean)} points`;
  const seeds = `${seedCount(r.n)}${seedsLeftOut(r.n_excluded_diverged)}`;
  if (r.n < 3) return `${head} ${change}, ${seeds}; ${tooFewSeedsClause}.`;
  // The view leaves the interval unclipped; a difference of two fractions lies in [−1, 1].
  const low = r.diff_ci_low === null ? null : Math.max(-1, r.diff_ci_low);
  const high = r.diff_ci_high === null ? null : Math.min(1, r.diff_ci_high);
  const clipped = low !== r.diff_ci_low || high !== r.diff_ci_high;
  const tested = testClause(r, 'swap comparisons');
  if (tested === null || r.p_holm === null)
    return `${head} ${change}${intervalClause(low, high, clipped)}, ${seeds}; no test applies to more than 12 equal differences.`;
  const verdict = beyondSeedNoise(r.p_holm) ? 'the order matters beyond seed noise' : 'the order is within seed noise';
  return `${head} ${change}${intervalClause(low, high, clipped)}, ${seeds}; ${tested} — ${verdict}.`;
}

/** The sentence for one row of effect_interaction. */
export function interactionSentence(r: EffectInteractionView): string {
  const head = `dropout1=${r.dropout1}, dropout2=${r.dropout2} with weight decay ${r.weight_decay}, ${epochCount(r.epochs)}: ${metricName(r.metric)}`;
  const parts =
    `together ${signedPoints(r.combined_effect_mean)}, dropout alone ${signedPoints(r.dropout_effect_mean)}, ` +
    `weight decay alone ${signedPoints(r.weight_decay_effect_mean)} points`;
  const change = `${parts}, interaction ${signedPoints(r.interaction_mean)} points`;
  const seeds = `${seedCount(r.n)}${seedsLeftOut(r.n_excluded_diverged)}`;
  if (r.n < 3) return `${head} ${change}, ${seeds}; ${tooFewSeedsClause}.`;
  // An interaction of fractions lies in [−2, 2].
  const low = r.interaction_ci_low === null ? null : Math.max(-2, r.interaction_ci_low);
  const high = r.interaction_ci_high === null ? null : Math.min(2, r.interaction_ci_high);
  const clipped = low !== r.interaction_ci_low || high !== r.interaction_ci_high;
  const tested = testClause(r, 'interaction contrasts');
  if (tested === null || r.p_holm === null)
    return `${head} ${change}${intervalClause(low, high, clipped)}, ${seeds}; no test applies to more than 12 equal differences.`;
  const verdict = !beyondSeedNoise(r.p_holm)
    ? 'additive within seed noise'
    : r.interaction_mean < 0
      ? 'less than additive, beyond seed noise'
      : 'more than additive, beyond seed noise';
  return `${head} ${change}${intervalClause(low, high, clipped)}, ${seeds}; ${tested} — ${verdict}.`;
}

const axisNames: Record<MainEffectView['axis'], string> = { dropout1: 'dropout1', dropout2: 'dropout2', weight_decay: 'weight decay' };

/**
 * One sentence per level of each axis other than its lowest (main_effect): the change in test
 * accuracy and in the gap against the lowest level, averaged over the other axes and paired by
 * seed, with 95% t-intervals that hold for that row alone (no multiple-comparison adjustment,
 * so they carry no verdict); below 3 seeds no interval.
 */
export function mainEffectSentences(rows: readonly MainEffectView[]): string[] {
  const lowest = (axis: MainEffectView['axis']) => Math.min(...rows.filter((r) => r.axis === axis).map((r) => r.level));
  return rows
    .filter((r) => r.level !== lowest(r.axis))
    .map((r) => {
      const name = axisNames[r.axis];
      const head = `${name}=${r.level} vs ${name}=${lowest(r.axis)}, averaged over the other axes, ${epochCount(r.epochs)}`;
      const change = `test accuracy ${signedPoints(r.test_acc_effect)} points, train−test gap ${signedPoints(r.gap_effect)} points`;
      if (r.n < 3) return `${head}: ${change}, ${seedCount(r.n)}; with fewer than 3 seeds the intervals are not informative.`;
      const interval = (low: number | null, high: number | null) => intervalClause(low, high, false);
      return (
        `${head}: test accuracy ${signedPoints(r.test_acc_effect)} points${interval(r.test_acc_effect_ci_low, r.test_acc_effect_ci_high)}, ` +
        `train−test gap ${signedPoints(r.gap_effect)} points${interval(r.gap_effect_ci_low, r.gap_effect_ci_high)}, ${seedCount(r.n)}; ` +
        'paired t-intervals for this row alone, not adjusted for the other rows.'
      );
    });
}

const comparisonNames: Record<ComparisonName, string> = {
  vs_control: 'comparison with the control',
  dropout_swap: 'dropout swap',
  interaction: 'dropout × weight decay interaction',
  vs_variant: 'comparison with the base variant',
  test_time_dropout: 'test-time dropout comparison',
};

/**
 * Why a comparison has no row with a paired seed, from comparison_availability, as a sentence:
 * `No dropout swap: dropout_swap needs both (a, b) and (b, a) …`; null when it has rows.
 */
export function unavailableSentence(r: Pick<ComparisonAvailabilityView, 'comparison' | 'available' | 'reason'>): string | null {
  if (r.available || r.reason === null) return null;
  return `No ${comparisonNames[r.comparison]}: ${r.reason}.`;
}
