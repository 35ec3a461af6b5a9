import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { findRun, markRunDiverged, markRunFinished, markRunPending, markRunProgress } from '../db/run-repository';
import { claimRun, type RunLease } from '../db/run-lease-repository';
import { loadCheckpoint, saveCheckpoint } from '../db/checkpoint-repository';
import { recordDivergedEpoch, upsertEpochMetrics } from '../db/epoch-metrics-repository';
import type { RunPlan } from '../domain/run-identity';
import type { Dataset } from '../training/fashion-mnist';
import { train, type EpochMetrics } from '../training/train';
import type { TrainFunction } from '../training/batched-coordinator';
import { TrainingDivergedError } from '../training/training-errors';
import { toEpochRow } from '../db/epoch-row';
import { isPermanentError } from './failure-classification';
import {
  AttemptAbandonedError,
  StaleAttemptError,
  attemptEndNotice,
  leaseOfCurrentAttempt,
  stalledWriteSeconds,
  withRunLock,
  writeAsAttempt,
  type StalledWrite,
} from './run-attempt';

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
  /**
   * What trains the run: train() itself (when unset), or the worker's batch coordinator, which
   * trains compatible runs of concurrent activities together (training/batched-coordinator.ts)
   * and gives each exactly what train() would.
   */
  train?: TrainFunction;
}

/** Thrown after the current epoch is saved when the worker stops; retryable, so the run resumes elsewhere. */
function handOverFailure(runId: string, epoch: number): ApplicationFailure {
  return ApplicationFailure.retryable(`worker stopping: run ${runId} saved epoch ${epoch} and resumes on another worker`, 'WorkerShutdown');
}

// Between minibatches: yield so heartbeats and cancellation reach this activity; tfjs on
// wasm/cpu runs synchronously and would otherwise starve the event loop for a whole epoch.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The training activity, trainRun: trains the run to `maxEpochs` from its latest checkpoint,
 * recording every epoch's metrics and checkpoint as it goes, under the run's advisory lock.
 * Its errors are classified by the caller (activities/index.ts).
 */
export function createTrainRunActivity(db: Kysely<Database>, deps: TrainingDeps) {
  return async function trainRun({ run, maxAttempts }: TrainRunInput): Promise<TrainRunResult> {
    const ctx = Context.current();
    const lease = leaseOfCurrentAttempt(run.runId);
    try {
      return await withRunLock(db, lease, async () => {
        const existing = await findRun(db, run.runId);
        if (existing?.status === 'completed' && existing.epochs_done >= run.maxEpochs) {
          return { runId: run.runId, outcome: 'reused' as const, epochsTrained: 0, testAcc: null, divergedAtEpoch: null };
        }
        if (existing?.status === 'diverged') {
          return { runId: run.runId, outcome: 'reused' as const, epochsTrained: 0, testAcc: null, divergedAtEpoch: existing.diverged_at_epoch };
        }
        // Claimed before anything else can fail, so that this attempt may record why it failed.
        await claimRun(db, lease, deps.workerName, deps.backend);
        const checkpoint = await loadCheckpoint(db, run.runId);
        let last: EpochMetrics | undefined;
        let trained = 0;
        // Remembered so that, if Temporal gives this attempt up, its one line can say that the
        // database (not Temporal) is what stopped the heartbeats.
        let stalledWrite: StalledWrite | null = null;
        const trainedRun = (deps.train ?? train)(
          { ...run, epochs: run.maxEpochs },
          deps.dataset(),
          {
            onBatch: async ({ epoch, batch }) => {
              ctx.heartbeat({ epoch: epoch - 1, batch });
              await yieldToEventLoop();
              if (ctx.cancellationSignal.aborted) throw cancellationError(ctx, run.runId, epoch - 1, stalledWrite);
            },
            onEpoch: async (metrics, cp) => {
              // One transaction that first checks the lease: an attempt Temporal gave up records
              // none of this epoch once a newer attempt owns the run, and stops here.
              const writeStarted = performance.now();
              await writeAsAttempt(db, lease, `epoch ${metrics.epoch}`, async (tx) => {
                await upsertEpochMetrics(tx, toEpochRow(run.runId, metrics, deps.workerName));
                await saveCheckpoint(tx, run.runId, cp.epoch, cp.weights);
                await markRunProgress(tx, run.runId, metrics.epoch);
              });
              const writeSeconds = (performance.now() - writeStarted) / 1000;
              stalledWrite = writeSeconds >= stalledWriteSeconds ? { what: `epoch ${metrics.epoch}`, seconds: writeSeconds } : null;
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
          await recordDivergence(db, lease, err, deps);
          return { runId: run.runId, outcome: 'trained' as const, epochsTrained: trained, testAcc: null, divergedAtEpoch: err.epoch };
        }
        await writeAsAttempt(db, lease, 'final status', (tx) => markRunFinished(tx, run.runId, 'completed'));
        return { runId: run.runId, outcome: 'trained' as const, epochsTrained: trained, testAcc: last?.testAcc ?? null, divergedAtEpoch: null };
      });
    } catch (err) {
      const notice = attemptEndNotice(run.runId, err);
      if (notice !== null) ctx.log.warn(notice);
      if (err instanceof AttemptAbandonedError || err instanceof StaleAttemptError) {
        // Nothing to record (a newer attempt owns the run's row) and nothing to add to the line
        // above: a benign failure, which Temporal's worker logs at DEBUG instead of WARN.
        throw ApplicationFailure.create({ message: err.message, type: err.name, category: ApplicationFailureCategory.BENIGN });
      }
      await recordFailure(db, lease, err, maxAttempts).catch(() => undefined);
      throw err;
    }
  };
}

/**
 * A cancellation the sweep asked for stops the run for good; one caused by the worker
 * stopping (its grace time ran out mid-epoch) hands the run to another worker.
 */
function cancellationError(ctx: Context, runId: string, epochsSaved: number, stalledWrite: StalledWrite | null): Error {
  const details = ctx.cancellationDetails;
  if (details?.workerShutdown) return handOverFailure(runId, epochsSaved);
  // The server gave this attempt up (no heartbeat in time, e.g. this host lost its link to
  // Temporal) or no longer knows it: a retry may already own the run, so this attempt must not
  // record anything, least of all mark the run cancelled.
  if (details?.timedOut || details?.notFound) return new AttemptAbandonedError(runId, details.timedOut ? 'timed out' : 'not found', stalledWrite);
  return new CancelledFailure(String(ctx.cancellationSignal.reason ?? 'cancelled'));
}

/** The diverged epoch's row (nulls, flagged) and the run's terminal status, together or not at all. */
async function recordDivergence(db: Kysely<Database>, lease: RunLease, err: TrainingDivergedError, deps: TrainingDeps): Promise<void> {
  await writeAsAttempt(db, lease, `diverged epoch ${err.epoch}`, async (tx) => {
    await recordDivergedEpoch(tx, lease.runId, err.epoch, deps.backend, deps.workerName);
    await markRunDiverged(tx, lease.runId, err.epoch, err.message);
  });
}

/**
 * Records a failed attempt: cancelled or failed for good when no retry may follow, else pending
 * for the retry. Only while the run's row carries the attempt's lease: an attempt that never
 * claimed the run (it failed waiting for the lock) or that a newer one replaced records nothing.
 */
async function recordFailure(db: Kysely<Database>, lease: RunLease, err: unknown, maxAttempts: number): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const { runId, attempt } = lease;
  await writeAsAttempt(db, lease, 'failure', async (tx) => {
    if (err instanceof CancelledFailure) {
      await markRunFinished(tx, runId, 'cancelled', message);
    } else if (isPermanentError(err) || (maxAttempts > 0 && attempt >= maxAttempts)) {
      await markRunFinished(tx, runId, 'failed', message);
    } else {
      // A retry will pick the run up from its last checkpoint.
      await markRunPending(tx, runId, message);
    }
  });
}
