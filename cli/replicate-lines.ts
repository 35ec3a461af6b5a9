import type { ReplicateComparisonRow, ReplicateSweepRow } from '../db/replicate.table';

/** 0.95 → 95, 0.975 → 97.5, 0.99375 → 99.4. */
const formatConfidence = (c: number): string => String(Number((100 * c).toFixed(1)));

const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)}`;

/** One comparison of an adaptive-seed sweep: its status, seeds and current interval, in points. */
export function replicateComparisonLine(c: ReplicateComparisonRow): string {
  const seeds = c.other_seeds === null ? `${c.config_seeds} seeds` : `seeds ${c.config_seeds}/${c.other_seeds}`;
  const estimate = c.mean === null ? 'no value yet' : `${signed(c.mean)} points`;
  const interval =
    c.ci_low === null || c.ci_high === null
      ? ''
      : ` (${c.interval === 'anytime' ? 'anytime-valid' : 't'} ${formatConfidence(c.confidence)}% interval ${signed(c.ci_low)} to ${signed(c.ci_high)})`;
  return `  ${c.comparison_id}: ${c.status}, n=${c.n} paired (${seeds}), ${estimate}${interval}`;
}

/** What `regsweep status` says about an adaptive-seed sweep: rounds, runs against the fixed-seed alternative, and each comparison. */
export function replicateStatusLines(state: ReplicateSweepRow, comparisons: readonly ReplicateComparisonRow[]): string[] {
  const count = (s: string): number => comparisons.filter((c) => c.status === s).length;
  const saved = state.fixed_runs - state.runs;
  return [
    `adaptive seeds (${state.metric} at ${state.epochs} epochs, ${state.compare}, ${state.target}): round ${state.round}${state.finished ? ', finished' : ''}; ` +
      `${state.runs} runs used, ${state.fixed_runs} for ${state.max_seeds} seeds everywhere (${saved} saved); ` +
      `${count('resolved')} resolved, ${count('unresolved')} unresolved, ${count('stopped-at-cap')} stopped at a cap`,
    ...comparisons.map(replicateComparisonLine),
  ];
}
