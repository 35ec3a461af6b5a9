import { sql } from 'kysely';
import type { Executor } from './database';
import type { NewRun, NewSweepTrial, RunRow, RunStatus } from './runs.table';

// Postgres caps one statement at 65,535 parameters; 500 rows keeps every insert well below.
const chunkSize = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunkSize) out.push(items.slice(i, i + chunkSize));
  return out;
}

/**
 * Inserts runs that are new. A known run asked for more epochs than it has keeps its
 * id and metrics, raises max_epochs and goes back to pending, so only the new epochs train.
 */
export async function upsertRuns(db: Executor, runs: readonly NewRun[]): Promise<void> {
  for (const batch of chunks(runs)) {
    await db
      .insertInto('runs')
      .values(batch)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          max_epochs: sql`greatest(runs.max_epochs, excluded.max_epochs)`,
          // A diverged run stays diverged: the same config and seed diverge again at the same epoch.
          status: sql`case when runs.status = 'diverged' or (runs.status = 'completed' and runs.epochs_done >= excluded.max_epochs) then runs.status else 'pending' end`,
        }),
      )
      .execute();
  }
}

export async function linkSweepRuns(db: Executor, sweepId: string, runIds: readonly string[]): Promise<void> {
  const rows = runIds.map((run_id, ordinal) => ({ sweep_id: sweepId, ordinal, run_id }));
  // A relaunch may reorder or extend the grid: the link set is replaced, never appended to.
  await db.deleteFrom('sweep_runs').where('sweep_id', '=', sweepId).execute();
  for (const batch of chunks(rows)) await db.insertInto('sweep_runs').values(batch).execute();
}

export async function upsertTrials(db: Executor, trials: readonly NewSweepTrial[]): Promise<void> {
  for (const batch of chunks(trials)) {
    await db
      .insertInto('sweep_trials')
      .values(batch)
      .onConflict((oc) => oc.columns(['sweep_id', 'trial_key']).doUpdateSet((eb) => ({ run_id: eb.ref('excluded.run_id') })))
      .execute();
  }
}

export async function findRun(db: Executor, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** Ids among `runIds` that are already trained far enough, or diverged (and would diverge again). */
export async function completedRunIds(db: Executor, runIds: readonly string[]): Promise<Set<string>> {
  const done = new Set<string>();
  for (const batch of chunks(runIds)) {
    const rows = await db.selectFrom('runs').select('id').where('id', 'in', batch).where('status', 'in', ['completed', 'diverged']).execute();
    for (const r of rows) done.add(r.id);
  }
  return done;
}

/** The next page of a sweep's runs that still need training, in scheduling order. */
export async function pendingRunsPage(db: Executor, sweepId: string, afterOrdinal: number, limit: number): Promise<(RunRow & { ordinal: number })[]> {
  return db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .selectAll('r')
    .select('sr.ordinal')
    .where('sr.sweep_id', '=', sweepId)
    .where('sr.ordinal', '>', afterOrdinal)
    .where('r.status', 'not in', ['completed', 'diverged'])
    .orderBy('sr.ordinal')
    .limit(limit)
    .execute();
}

export async function markRunStarted(db: Executor, runId: string, worker: string, backend: string): Promise<void> {
  await db
    .updateTable('runs')
    .set((eb) => ({ status: 'running', worker, backend, attempts: eb('attempts', '+', 1), started_at: sql`coalesce(started_at, now())`, error: null }))
    .where('id', '=', runId)
    .execute();
}

export async function markRunProgress(db: Executor, runId: string, epochsDone: number): Promise<void> {
  await db.updateTable('runs').set({ epochs_done: sql`greatest(epochs_done, ${epochsDone})` }).where('id', '=', runId).execute();
}

export async function markRunFinished(db: Executor, runId: string, status: Exclude<RunStatus, 'pending' | 'running' | 'diverged'>, error: string | null = null): Promise<void> {
  await db.updateTable('runs').set({ status, error, finished_at: sql`now()` }).where('id', '=', runId).execute();
}

/** Ends a run whose training diverged in `epoch`: epochs before it keep their metrics. */
export async function markRunDiverged(db: Executor, runId: string, epoch: number, message: string): Promise<void> {
  await db
    .updateTable('runs')
    .set({ status: 'diverged', diverged_at_epoch: epoch, epochs_done: epoch - 1, error: message, finished_at: sql`now()` })
    .where('id', '=', runId)
    .execute();
}
