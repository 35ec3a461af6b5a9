import { sql } from 'kysely';
import type { ComparisonAvailabilityView } from './comparison-availability.view';
import type { Executor } from './database';
import { byVariant } from './variant-order';

/**
 * Whether each comparison (vs_control, dropout_swap, interaction, vs_variant, test_time_dropout)
 * has results for the sweep, and why not when it has none, in that order, each by variant
 * (vs_variant's one row has none). Empty when the sweep is unknown.
 */
export async function comparisonAvailability(db: Executor, sweepId: string): Promise<ComparisonAvailabilityView[]> {
  return db
    .selectFrom('comparison_availability')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy(sql`array_position(array['vs_control', 'dropout_swap', 'interaction', 'vs_variant', 'test_time_dropout'], comparison)`)
    .orderBy(byVariant)
    .execute();
}
