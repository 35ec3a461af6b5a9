import { sql } from 'kysely';

/**
 * The sweep's largest epochs value (the result a sweep is run for), as a subquery for a
 * `where('epochs', '=', …)`; null when the sweep has no trials, which matches no row.
 */
export const largestEpochsOf = (sweepId: string) => sql<number>`(select max(epochs) from sweep_trials where sweep_id = ${sweepId})`;
