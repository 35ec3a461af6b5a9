import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { findRun, markRunDiverged, markRunFinished, markRunPending, markRunProgress, markRunStarted, tryLockRun, unlockRun } from '../db/run-repository';
import { loadCheckpoint, saveCheckpoint } from '../db/checkpoint-repository';
import { recordDivergedEpoch, upsertEpochMetrics } from '../db/epoch-metrics-repository';
import type { RunPlan } from '../domain/run-identity';
import type { Dataset } from '../training/fashion-mnist';
import { train, type EpochMetrics } from '../training/train';
import { TrainingDivergedError } from '../training/training-errors';
import { toEpochRow } from '../db/epoch-row';
import { isPermanentError } from './failure-classification';

/**
 * Inputs scheduled by earlier versions of the sweep workflow also carry `sweepId`; it was never
 * read, and a run's training does not depend on which sweep asked for it, so it is ignored.
 */
export interface TrainRunInput {
  run: RunPlan;
  /** Attempts the workflow allows; the last one marks the run failed (0 = unlimited). */
  maxAttempts: number;
}

/** What trainRun did for the run: trained it (to the end, or until it diverged) or found it already done. */
export interface TrainRunResult {
  runId: string;
  /** `reused`: the run was already trained far enough, or had diverged (by this or another sweep). */
  outcome: 'trained' | 'reused';
  epochsTrained: number;
  testAcc: number | null;
  /**
   * The epoch in which training diverged (a minibatch loss NaN, ±Infinity or above the exploding-loss limit, or a weight NaN or ±Infinity), else null. A
   * diverged run is a result, not a failure: it ends with status `diverged`, is never retried
   * (the same config and seed diverge again), and testAcc is null.
   */
  divergedAtEpoch: number | null;
}

/** What a training worker brings: the dataset parsed once per process and the active backend. */
export interface TrainingDeps {
  dataset: () => Dataset;
  /** The engine as recorded in runs.backend, e.g. `native (OpenBLAS SkylakeX kernels, 2 threads)`: it decides a result's last digits. */
  backend: string;
  workerName: string;
  /** True once the worker was asked to stop: runs hand over at their next epoch boundary. */
  shutdownRequested: () => boolean;
}

/** Thrown after the current epoch is saved when the worker stops; retryable, so the run resumes elsewhere. */
function handOverFailure(runId: string, epoch: number): ApplicationFailure {
  return ApplicationFailure.retryable(`worker stopping: run ${runId} saved epoch ${epoch} and resumes on another worker`, 'WorkerShutdown');
}

// Between minibatches: yield so heartbeats and cancellation reach this activity; tfjs on
// wasm/cpu runs synchronously and would otherwise starve the event loop for a whole epoch.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Serializes training of one run across all workers and sweeps: a session-level advisory
 * lock dies with its connection, so a killed worker never leaves the run locked.
 */
async function withRunLock<T>(db: Kysely<Database>, runId: string, body: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    const ctx = Context.current();
    for (;;) {
      if (await tryLockRun(conn, runId)) break;
      ctx.heartbeat({ waitingForLock: runId });
      await ctx.sleep(1000);
    }
    try {
      return await body();
    } finally {
      await unlockRun(conn, runId).catch(() => undefined);
    }
  });
}

/**
 * The training activity, trainRun: trains the run to `maxEpochs` from its latest checkpoint,
 * recording every epoch's metrics and checkpoint as it goes, under the run's advisory lock.
 * Its errors are classified by the caller (activities/index.ts).
 */
export function createTrainRunActivity(db: Kysely<Database>, deps: TrainingDeps) {
  return async function trainRun({ run, maxAttempts }: TrainRunInput): Promise<TrainRunResult> {
    const ctx = Context.current();
    try {
      return await withRunLock(db, run.runId, async () => {
        const existing = await findRun(db, run.runId);
        if (existing?.status === 'completed' && existing.epochs_done >= run.maxEpochs) {
          return { runId: run.runId, outcome: 'reused' as const, epochsTrained: 0, testAcc: null, divergedAtEpoch: null };
        }
        if (existing?.status === 'diverged') {
          return { runId: run.runId, outcome: 'reused' as const, epochsTrained: 0, testAcc: null, divergedAtEpoch: existing.diverged_at_epoch };
        }
        const checkpoint = await loadCheckpoint(db, run.runId);
        await markRunStarted(db, run.runId, deps.workerName, deps.backend);
        let last: EpochMetrics | undefined;
        let trained = 0;
        const trainedRun = train(
          { ...run, epochs: run.maxEpochs },
          deps.dataset(),
          {
            onBatch: async ({ epoch, batch }) => {
              ctx.heartbeat({ epoch: epoch - 1, batch });
              await yieldToEventLoop();
              if (ctx.cancellationSignal.aborted) throw cancellationError(ctx, run.runId, epoch - 1);
            },
            onEpoch: async (metrics, cp) => {
              await upsertEpochMetrics(db, toEpochRow(run.runId, metrics, deps.workerName));
              await saveCheckpoint(db, run.runId, cp.epoch, cp.weights);
              await markRunProgress(db, run.runId, metrics.epoch);
              ctx.heartbeat({ epoch: metrics.epoch });
              last = metrics;
              trained += 1;
              if (deps.shutdownRequested() && metrics.epoch < run.maxEpochs) throw handOverFailure(run.runId, metrics.epoch);
            },
          },
          checkpoint && checkpoint.epoch <= run.maxEpochs ? checkpoint : null,
        );
        try {
          await trainedRun;
        } catch (err) {
          if (!(err instanceof TrainingDivergedError)) throw err;
          await recordDivergence(db, run.runId, err, deps);
          return { runId: run.runId, outcome: 'trained' as const, epochsTrained: trained, testAcc: null, divergedAtEpoch: err.epoch };
        }
        await markRunFinished(db, run.runId, 'completed');
        return { runId: run.runId, outcome: 'trained' as const, epochsTrained: trained, testAcc: last?.testAcc ?? null, divergedAtEpoch: null };
      });
    } catch (err) {
      if (!(err instanceof AttemptAbandonedError)) await recordFailure(db, run.runId, err, ctx.info.attempt, maxAttempts).catch(() => undefined);
      throw err;
    }
  };
}

/**
 * A cancellation the sweep asked for stops the run for good; one caused by the worker
 * stopping (its grace time ran out mid-epoch) hands the run to another worker.
 */
function cancellationError(ctx: Context, runId: string, epochsSaved: number): Error {
  const details = ctx.cancellationDetails;
  if (details?.workerShutdown) return handOverFailure(runId, epochsSaved);
  // The server gave this attempt up (no heartbeat in time, e.g. this host lost its link to
  // Temporal) or no longer knows it: a retry may already own the run, so this attempt must not
  // record anything, least of all mark the run cancelled.
  if (details?.timedOut || details?.notFound) return new AttemptAbandonedError(runId, details.timedOut ? 'timed out' : 'not found');
  return new CancelledFailure(String(ctx.cancellationSignal.reason ?? 'cancelled'));
}

/** Thrown when Temporal has given up this attempt of a run; the run's row belongs to its next attempt. */
class AttemptAbandonedError extends Error {
  override readonly name = 'AttemptAbandonedError';
  constructor(runId: string, why: string) {
    super(`run ${runId}: Temporal gave up this attempt (${why}); its retry carries on from the last checkpoint`);
  }
}

/** The diverged epoch's row (nulls, flagged) and the run's terminal status, together or not at all. */
async function recordDivergence(db: Kysely<Database>, runId: string, err: TrainingDivergedError, deps: TrainingDeps): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await recordDivergedEpoch(tx, runId, err.epoch, deps.backend, deps.workerName);
    await markRunDiverged(tx, runId, err.epoch, err.message);
  });
}

/** Records a failed attempt: cancelled or failed for good when no retry may follow, else pending for the retry. */
async function recordFailure(db: Kysely<Database>, runId: string, err: unknown, attempt: number, maxAttempts: number): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CancelledFailure) {
    await markRunFinished(db, runId, 'cancelled', message);
  } else if (isPermanentError(err) || (maxAttempts > 0 && attempt >= maxAttempts)) {
    await markRunFinished(db, runId, 'failed', message);
  } else {
    // A retry will pick the run up from its last checkpoint.
    await markRunPending(db, runId, message);
  }
}
