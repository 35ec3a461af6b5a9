import { sql } from 'kysely';
import type { Executor } from './database';

/*
 * Fencing of stale attempts. Temporal gives up an attempt of trainRun when its heartbeats stop
 * reaching the server (the worker's host lost its link, or stalled) and starts the next attempt,
 * possibly on another host; the given-up attempt may still be computing and, while its host
 * reaches Postgres, writing. Each attempt therefore records a lease on the run's row when it
 * starts training it, and every write it makes afterwards runs in a transaction that first locks
 * the row and checks that the row still carries that lease (`holdsRunLease`). A newer attempt
 * replaces the lease; from then on every write of the older one is refused before it changes
 * anything.
 */

/** One attempt's claim on a run: the trainRun activity (workflow run id and activity id) and its Temporal attempt number. */
export interface RunLease {
  runId: string;
  owner: string;
  attempt: number;
}

/**
 * Claims the run for the attempt holding its advisory lock: running, `worker` and `backend`,
 * the attempt's lease, started_at kept from the first attempt, error cleared. `attempts` counts
 * one more unless the row already carries this lease (see {@link preemptStaleAttempt}).
 */
export async function claimRun(db: Executor, lease: RunLease, worker: string, backend: string): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: 'running',
      worker,
      backend,
      attempts: sql`case when lease_owner = ${lease.owner} and lease_attempt = ${lease.attempt} then attempts else attempts + 1 end`,
      lease_owner: lease.owner,
      lease_attempt: lease.attempt,
      started_at: sql`coalesce(started_at, now())`,
      error: null,
    })
    .where('id', '=', lease.runId)
    .execute();
}

/**
 * Moves the run's lease from an earlier attempt of the same activity to `lease`, while that
 * attempt still holds the run's advisory lock: Temporal starts attempt n only after giving up
 * attempt n - 1, so the earlier one is stale; its next write is refused and it releases the lock.
 * Skips a row that a write holds locked (tried again a second later) so that waiting here never
 * hangs on a transaction of a host that has gone quiet. Counts the attempt in `attempts` (its
 * claim, once it holds the lock, does not count it again). True when the lease moved.
 */
export async function preemptStaleAttempt(db: Executor, lease: RunLease): Promise<boolean> {
  const locked = db
    .selectFrom('runs')
    .select('id')
    .where('id', '=', lease.runId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.owner)
    .where('lease_attempt', '<', lease.attempt)
    .forUpdate()
    .skipLocked();
  const result = await db
    .updateTable('runs')
    .set((eb) => ({ lease_attempt: lease.attempt, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', locked)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Locks the run's row until the end of the caller's transaction and tells whether it still
 * carries `lease`; call it first in every transaction that writes for an attempt. Held, the row
 * lock keeps the lease from moving until the writes commit.
 */
export async function holdsRunLease(tx: Executor, lease: RunLease): Promise<boolean> {
  const row = await tx
    .selectFrom('runs')
    .select('id')
    .where('id', '=', lease.runId)
    .where('lease_owner', '=', lease.owner)
    .where('lease_attempt', '=', lease.attempt)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** The lease the run's row carries now, or null when no attempt has claimed it. */
export async function currentRunLease(db: Executor, runId: string): Promise<RunLease | null> {
  const row = await db.selectFrom('runs').select(['lease_owner', 'lease_attempt']).where('id', '=', runId).executeTakeFirst();
  return row?.lease_owner != null && row.lease_attempt != null ? { runId, owner: row.lease_owner, attempt: row.lease_attempt } : null;
}
