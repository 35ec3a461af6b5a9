import type { ConfigIntervalView } from '../db/config-interval.view';

/** The columns of `config_interval` that one shown mean with its interval needs. */
export type ShownInterval = Pick<ConfigIntervalView, 'mean' | 'ci_low' | 'ci_high' | 'ci_clipped' | 'interval_informative' | 'n'>;

/** Marks an interval that config_interval clipped to the metric's range. */
export const clippedMark = '*';
export const clippedFootnote = "* 95% interval clipped to the metric's range ([0, 1] for accuracies, [−1, 1] for the gap).";
/** Shown instead of an interval resting on fewer than 3 seeds. */
export const tooFewSeedsFlag = 'n<3: no interval';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * A mean with its 95% interval as text, `85.1% [84.2%, 86.0%]`, with `*` when the interval
 * was clipped and the n<3 flag instead of an interval below 3 seeds; `–` without a mean.
 */
export function meanWithInterval(v: ShownInterval): string {
  if (v.mean === null) return '–';
  if (!v.interval_informative || v.ci_low === null || v.ci_high === null) return `${pct(v.mean)} (${tooFewSeedsFlag})`;
  return `${pct(v.mean)} [${pct(v.ci_low)}, ${pct(v.ci_high)}]${v.ci_clipped ? clippedMark : ''}`;
}
