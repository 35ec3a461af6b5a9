import type { ReplicateComparisonRow, ReplicateSweepRow } from '../db/replicate.table';

/*
 * Adaptive-seed sweeps in words, for `regsweep status` and the report: one sentence for the
 * sweep's rounds and what they cost, one per comparison. Differences are in percentage points.
 */

const points = (v: number): string => `${v < 0 ? '−' : '+'}${Math.abs(v * 100).toFixed(2)}`;
/** 0.95 → 95, 0.975 → 97.5, 0.99375 → 99.4. */
const percent = (c: number): string => String(Number((100 * c).toFixed(1)));

const metricName = (metric: string): string => (metric === 'gap' ? 'train−test gap' : 'test accuracy');

const targetWords = (target: string): string => {
  const decide = /^decide alpha (.+)$/.exec(target);
  if (decide) return `decided at family-wise level ${decide[1]} (anytime-valid t-test, Holm over the comparisons)`;
  return `estimated to a 95% t-interval half-width of ${Number(target.replace(/^halfWidth /, '')) * 100} points`;
};

const compareWords: Record<string, string> = {
  'vs-control': 'each configuration against the control',
  'all-pairs': 'every pair of configurations',
  'each-config': "each configuration's own mean",
};

/** The sweep's rounds, the runs they used against maxSeeds everywhere, and how the comparisons stand. */
export function replicateSummarySentence(state: ReplicateSweepRow, comparisons: readonly ReplicateComparisonRow[]): string {
  const count = (s: string): number => comparisons.filter((c) => c.status === s).length;
  const where = state.finished ? 'finished after' : 'so far';
  return (
    `Seeds chosen while the sweep ran: ${metricName(state.metric)} at ${state.epochs} epochs, ${compareWords[state.compare] ?? state.compare}, ` +
    `${targetWords(state.target)}. ${state.finished ? `Finished after round ${state.round}` : `Round ${state.round} ${where}`}: ${state.runs} runs, ` +
    `where ${state.max_seeds} seeds for every one of the ${state.configs} configurations would take ${state.fixed_runs} (${state.fixed_runs - state.runs} saved); ` +
    `${count('resolved')} resolved, ${count('unresolved')} unresolved, ${count('stopped-at-cap')} stopped at a cap.`
  );
}

const statusWords: Record<ReplicateComparisonRow['status'], string> = {
  resolved: 'resolved',
  unresolved: 'not resolved yet',
  'stopped-at-cap': 'stopped at a cap (not resolved with this budget)',
};

/** One comparison: status, seeds, estimate and interval. */
export function replicateComparisonSentence(c: ReplicateComparisonRow): string {
  const seeds = c.other_seeds === null ? `${c.config_seeds} seeds trained` : `${c.config_seeds} and ${c.other_seeds} seeds trained`;
  const estimate = c.mean === null ? 'no value yet' : `${points(c.mean)} points`;
  const interval =
    c.ci_low === null || c.ci_high === null
      ? ''
      : `, ${c.interval === 'anytime' ? 'anytime-valid' : 't'} ${percent(c.confidence)}% interval ${points(c.ci_low)} to ${points(c.ci_high)}`;
  const p = c.p_anytime === null ? '' : `, anytime p = ${c.p_anytime < 0.0001 ? '<0.0001' : c.p_anytime.toFixed(4)}`;
  return `${c.comparison_id}: ${statusWords[c.status]} on ${c.n} paired seeds (${seeds}): ${estimate}${interval}${p}.`;
}
