import { sql } from 'kysely';
import type { ComparisonAvailabilityView } from './comparison-availability.view';
import type { Executor } from './database';

/**
 * Whether each comparison (vs_control, dropout_swap, interaction) has results for the sweep,
 * and why not when it has none, in that order. Empty when the sweep is unknown.
 */
export async function comparisonAvailability(db: Executor, sweepId: string): Promise<ComparisonAvailabilityView[]> {
  return db
    .selectFrom('comparison_availability')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy(sql`array_position(array['vs_control', 'dropout_swap', 'interaction'], comparison)`)
    .execute();
}
