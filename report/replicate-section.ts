import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { findReplicateSweep, listReplicateComparisons } from '../db/replicate-repository';
import { replicateComparisonSentence, replicateSummarySentence } from './replicate-text';
import type { ReportSection } from './report-sections';

/**
 * The report's adaptive-seed section: how many seeds each comparison needed and where it stands,
 * as of the sweep's latest decision between rounds; null for a fixed-seed sweep.
 */
export async function replicateReportSection(db: Kysely<Database>, sweepId: string): Promise<ReportSection | null> {
  const state = await findReplicateSweep(db, sweepId);
  if (!state) return null;
  const comparisons = await listReplicateComparisons(db, sweepId);
  return {
    title: 'Adaptive seeds',
    intro:
      'This sweep chose its seeds while it ran (docs/adaptive-seeds.md): every configuration trained the first seeds, then ' +
      'each round added seeds only to configurations in comparisons that were not yet resolved. A decide-target interval is ' +
      'an anytime-valid confidence sequence at level alpha/m, so all m hold at once however many rounds looked; ' +
      '"stopped at a cap" means not shown different with this budget, never shown the same.',
    charts: [],
    whyEmpty: 'No decision has been recorded yet.',
    sentences: [replicateSummarySentence(state, comparisons), ...comparisons.map(replicateComparisonSentence)],
  };
}
