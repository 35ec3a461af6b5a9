import { Context } from '@temporalio/activity';
import type { Kysely, Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database';
import { currentRunLease, holdsRunLease, preemptStaleAttempt, type RunLease } from '../db/run-lease-repository';
import { tryLockRun, unlockRun } from '../db/run-repository';

/*
 * One attempt of trainRun as the database sees it: the run's advisory lock (one trainer at a
 * time), the attempt's lease on the run's row (only the newest attempt writes), and the one line
 * a worker prints when an attempt ends because of either.
 */

/** The lease of the attempt running now: its activity (workflow run id and activity id) and Temporal attempt number. */
export function leaseOfCurrentAttempt(runId: string): RunLease {
  const { workflowExecution, activityId, attempt } = Context.current().info;
  // An activity started outside a workflow has no execution; its id alone names it.
  return { runId, owner: `${workflowExecution?.runId ?? '-'}/${activityId}`, attempt };
}

/**
 * Thrown by a write of an attempt whose lease the run's row no longer carries: Temporal gave the
 * attempt up and a newer one owns the run. Nothing of the refused write is recorded, and the
 * attempt stops at once and records nothing more.
 */
export class StaleAttemptError extends Error {
  override readonly name = 'StaleAttemptError';
  constructor(
    readonly lease: RunLease,
    readonly refused: string,
    readonly current: RunLease | null,
  ) {
    const by = current === null ? 'no attempt' : current.owner === lease.owner ? `attempt ${current.attempt}` : `another sweep's attempt ${current.attempt}`;
    super(`run ${lease.runId}: attempt ${lease.attempt} is stale: the database shows the run owned by ${by}, so its ${refused} was refused`);
  }
}

/** Thrown when Temporal has given up this attempt of a run; the run's row belongs to its next attempt. */
export class AttemptAbandonedError extends Error {
  override readonly name = 'AttemptAbandonedError';
  constructor(
    readonly runId: string,
    readonly why: string,
    /** The attempt's last database write, when it took so long that it is the likely reason Temporal heard no heartbeat. */
    readonly stalledWrite: StalledWrite | null = null,
  ) {
    super(`run ${runId}: Temporal gave up this attempt (${why}${stalledWriteText(stalledWrite)}); its retry carries on from the last checkpoint`);
  }
}

/** A database write of an attempt that took far longer than a healthy one. */
export interface StalledWrite {
  what: string;
  seconds: number;
}

/**
 * A write that took at least this long stalled: a healthy epoch write (metrics, checkpoint and
 * progress in one transaction) takes milliseconds, even with a 1 MB checkpoint.
 */
export const stalledWriteSeconds = 2;

function stalledWriteText(stalled: StalledWrite | null): string {
  return stalled === null ? '' : ` after its database write of ${stalled.what} stalled for ${stalled.seconds.toFixed(1)} s`;
}

/**
 * Runs `write` in a transaction that first locks the run's row and checks it still carries
 * `lease`; throws {@link StaleAttemptError}, having written nothing, when it does not. `what`
 * names the write in that error (`epoch 4`, `final status`).
 */
export async function writeAsAttempt(db: Kysely<Database>, lease: RunLease, what: string, write: (tx: Transaction<Database>) => Promise<void>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await holdsRunLease(tx, lease))) throw new StaleAttemptError(lease, what, await currentRunLease(tx, lease.runId));
    await write(tx);
  });
}

/**
 * Serializes training of one run across all workers and sweeps: a session-level advisory lock
 * dies with its connection, so a killed worker never leaves the run locked. While another
 * connection holds it, a retry of the same activity moves the run's lease to itself each second
 * it waits (see preemptStaleAttempt): the stale holder's next write is refused and it releases
 * the lock, so a retry waits at most until the stale attempt's next epoch write.
 */
export async function withRunLock<T>(db: Kysely<Database>, lease: RunLease, body: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    const ctx = Context.current();
    for (;;) {
      if (await tryLockRun(conn, lease.runId)) break;
      if (lease.attempt > 1) await preemptStaleAttempt(db, lease);
      ctx.heartbeat({ waitingForLock: lease.runId });
      await ctx.sleep(1000);
    }
    try {
      return await body();
    } finally {
      await unlockRun(conn, lease.runId).catch(() => undefined);
    }
  });
}

// Node's socket errors and node-postgres's own messages when the connection to the server is gone.
const socketErrors = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN']);
const lostConnectionMessages = /^(Connection terminated|Client has encountered a connection error|Query read timeout)/;

/** Why `err` means the database connection is lost (a socket error, the session ended by the server), else null. */
export function lostDatabaseConnection(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof pg.DatabaseError) return code?.startsWith('08') || code === '57P01' ? `${code}: ${err.message}` : null;
  if (code !== undefined && socketErrors.has(code))
    return `${code}${(err as NodeJS.ErrnoException).syscall ? ` on ${(err as NodeJS.ErrnoException).syscall}` : ''}`;
  return lostConnectionMessages.test(err.message) ? err.message : null;
}

/** Every line a worker prints about how an attempt of a run ended starts with this (workers/worker-logger.ts prints it without metadata). */
export const attemptNoticePrefix = 'regsweep worker: ';

/**
 * The one line, for the worker's log, that says why an attempt of a run ended when it ended
 * because the worker lost touch with the database or with Temporal; null for other endings.
 */
export function attemptEndNotice(runId: string, err: unknown): string | null {
  const head = `${attemptNoticePrefix}run ${runId}: `;
  if (err instanceof StaleAttemptError) {
    return `${head}attempt ${err.lease.attempt} stopped: Temporal gave the run to another attempt and the database refused this one's ${err.refused}; it writes nothing more`;
  }
  if (err instanceof AttemptAbandonedError)
    return `${head}Temporal gave up this attempt (${err.why}${stalledWriteText(err.stalledWrite)}); it records nothing, and its retry carries on from the last checkpoint`;
  const lost = lostDatabaseConnection(err);
  if (lost !== null) return `${head}lost its database connection (${lost}); Temporal gives the run to another attempt, here or on another worker`;
  return null;
}
