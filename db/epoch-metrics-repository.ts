import { sql } from 'kysely';
import type { Executor } from './database';
import { epochMetricColumns, testTimeDropoutColumns, type EpochMetricsRow, type NewEpochMetrics } from './epoch-metrics.table';

/** One row per run and epoch whatever the retries: a re-trained epoch overwrites itself. */
export async function upsertEpochMetrics(db: Executor, row: NewEpochMetrics): Promise<void> {
  const { run_id: _run, epoch: _epoch, ...rest } = row;
  await db
    .insertInto('epoch_metrics')
    .values(row)
    .onConflict((oc) => oc.columns(['run_id', 'epoch']).doUpdateSet({ ...rest, recorded_at: sql`now()` }))
    .execute();
}

/** The row of the epoch in which a run diverged: every metric null, flagged (training stops there, so no later epoch has a row). */
export async function recordDivergedEpoch(db: Executor, runId: string, epoch: number, backend: string, worker: string): Promise<void> {
  // Every metric is named: the upsert only overwrites the columns it is given.
  const nulls = Object.fromEntries([...epochMetricColumns, ...testTimeDropoutColumns].map((column) => [column, null]));
  await upsertEpochMetrics(db, { run_id: runId, epoch, ...nulls, diverged: true, backend, worker });
}

/** The run's epoch rows, by epoch. */
export async function listEpochMetrics(db: Executor, runId: string): Promise<EpochMetricsRow[]> {
  return db.selectFrom('epoch_metrics').selectAll().where('run_id', '=', runId).orderBy('epoch').execute();
}
