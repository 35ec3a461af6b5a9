import type { ReplicateComparisonRow, ReplicateSweepRow } from '../db/replicate.table';
import { replicateComparisonSentence, replicateSummarySentence } from '../report/replicate-text';

/** What `regsweep status` says about an adaptive-seed sweep: the rounds and their cost, then each comparison indented. */
export function replicateStatusLines(state: ReplicateSweepRow, comparisons: readonly ReplicateComparisonRow[]): string[] {
  return [replicateSummarySentence(state, comparisons), ...comparisons.map((c) => `  ${replicateComparisonSentence(c)}`)];
}
