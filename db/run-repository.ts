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

/** Replaces the sweep's run links with `runIds`, whose positions become the scheduling ordinals. */
export async function linkSweepRuns(db: Executor, sweepId: string, runIds: readonly string[]): Promise<void> {
  const rows = runIds.map((run_id, ordinal) => ({ sweep_id: sweepId, ordinal, run_id }));
  // A relaunch may reorder or extend the grid: the link set is replaced, never appended to.
  await db.deleteFrom('sweep_runs').where('sweep_id', '=', sweepId).execute();
  for (const batch of chunks(rows)) await db.insertInto('sweep_runs').values(batch).execute();
}

/** Inserts the sweep's trials; a known trial (sweep id, trial key) is pointed at the given run. */
export async function upsertTrials(db: Executor, trials: readonly NewSweepTrial[]): Promise<void> {
  for (const batch of chunks(trials)) {
    await db
      .insertInto('sweep_trials')
      .values(batch)
      .onConflict((oc) => oc.columns(['sweep_id', 'trial_key']).doUpdateSet((eb) => ({ run_id: eb.ref('excluded.run_id') })))
      .execute();
  }
}

/** The run's row, or undefined when no run has this id. */
export async function findRun(db: Executor, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** Removes the sweep's trials whose key is not in `keepKeys` (grid points an edited spec dropped). */
export async function deleteTrialsOutside(db: Executor, sweepId: string, keepKeys: readonly string[]): Promise<void> {
  await db.deleteFrom('sweep_trials').where('sweep_id', '=', sweepId).where('trial_key', '!=', sql<string>`all(${keepKeys})`).execute();
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

/** Claims the run for `worker`: running, one more attempt, started_at kept from the first attempt, error cleared. */
export async function markRunStarted(db: Executor, runId: string, worker: string, backend: string): Promise<void> {
  await db
    .updateTable('runs')
    .set((eb) => ({ status: 'running', worker, backend, attempts: eb('attempts', '+', 1), started_at: sql`coalesce(started_at, now())`, error: null }))
    .where('id', '=', runId)
    .execute();
}

/** Records that the run has trained `epochsDone` epochs; never lowers the count (a late write of an older epoch). */
export async function markRunProgress(db: Executor, runId: string, epochsDone: number): Promise<void> {
  await db.updateTable('runs').set({ epochs_done: sql`greatest(epochs_done, ${epochsDone})` }).where('id', '=', runId).execute();
}

/** Ends the run with a terminal status other than `diverged`, and the error that ended it, if any. */
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

/** Hands a failed attempt's run back for a retry: pending again, with the attempt's error. */
export async function markRunPending(db: Executor, runId: string, error: string): Promise<void> {
  await db.updateTable('runs').set({ status: 'pending', error }).where('id', '=', runId).execute();
}

/*
 * Training of one run is serialized across workers and sweeps by a session-level advisory lock
 * on the run id: it dies with its connection, so a killed worker never leaves the run locked.
 * Both calls must go to the same connection (`db.connection()`), which holds the lock.
 */

/** Takes the run's advisory lock without waiting; true when this connection now holds it. */
export async function tryLockRun(conn: Executor, runId: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtextextended(${runId}, 0)) as locked`.execute(conn);
  return rows[0]?.locked === true;
}

/** Releases the run's advisory lock held by this connection. */
export async function unlockRun(conn: Executor, runId: string): Promise<void> {
  await sql`select pg_advisory_unlock(hashtextextended(${runId}, 0))`.execute(conn);
}
