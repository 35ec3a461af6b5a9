import type { DivergenceRateView } from '../db/divergence-rate.view';
import { epochCount } from './effect-sentences';

const percent = (v: number): string => `${(v * 100).toFixed(0)}%`;

/**
 * One sentence per configuration with a diverged run: how many of its finished seeds diverged
 * by the epochs value, the rate with its exact (Clopper–Pearson) 95% interval from 3 finished
 * seeds (below, the interval is not informative and is not quoted), and what that means for the
 * other numbers. Configurations without a diverged run get none.
 */
export function divergenceSentences(rates: readonly DivergenceRateView[]): string[] {
  return rates
    .filter((r) => r.n_diverged > 0 && r.rate !== null)
    .map((r) => {
      const interval =
        r.finished >= 3 && r.rate_ci_low !== null && r.rate_ci_high !== null
          ? `95% CI ${percent(r.rate_ci_low)}–${percent(r.rate_ci_high)}, exact binomial`
          : 'with fewer than 3 finished seeds the interval is not informative';
      return (
        `dropout1 ${r.dropout1}, dropout2 ${r.dropout2}, weight decay ${r.weight_decay}: ${r.n_diverged} of ${r.finished} seeds diverged ` +
        `by ${epochCount(r.epochs)} (${percent(r.rate!)}, ${interval}); they are left out of every mean, interval and effect.`
      );
    });
}
