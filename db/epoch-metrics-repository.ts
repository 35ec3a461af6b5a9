import { sql } from 'kysely';
import type { Executor } from './database';
import type { EpochMetricsRow, NewEpochMetrics } from './epoch-metrics.table';

/** One row per run and epoch whatever the retries: a re-trained epoch overwrites itself. */
export async function upsertEpochMetrics(db: Executor, row: NewEpochMetrics): Promise<void> {
  const { run_id: _run, epoch: _epoch, ...rest } = row;
  await db
    .insertInto('epoch_metrics')
    .values(row)
    .onConflict((oc) => oc.columns(['run_id', 'epoch']).doUpdateSet({ ...rest, recorded_at: sql`now()` }))
    .execute();
}

export async function listEpochMetrics(db: Executor, runId: string): Promise<EpochMetricsRow[]> {
  return db.selectFrom('epoch_metrics').selectAll().where('run_id', '=', runId).orderBy('epoch').execute();
}
