import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { withFailureClassification } from './failure-classification';
import { createSweepRecordActivities, type DashboardPublisher } from './sweep-records';
import { createReplicateRecordActivities } from './replicate-records';
import { createTrainRunActivity, type TrainingDeps } from './train-run';

/*
 * Activities come in two sets, one per worker role, each built from only what that role has.
 * Workflows type their proxies with `ReturnType<typeof create…Activities>`, so renaming an
 * activity breaks the build, not production, and a proxy cannot call the other role's activity.
 */

/** What the orchestration worker brings to the record activities. */
export interface RecordActivityDeps {
  db: Kysely<Database>;
  /** The sweep's last step refreshes the dashboards. */
  publishDashboards: DashboardPublisher;
}

/** What a training worker brings to trainRun. */
export interface TrainingActivityDeps {
  db: Kysely<Database>;
  training: TrainingDeps;
}

/**
 * registerSweep, nextPendingRuns and finalizeSweep, and for adaptive-seed sweeps
 * registerReplicateSweep and replicateRound: the sweep's bookkeeping in Postgres, on the workflow's queue.
 */
export function createRecordActivities(deps: RecordActivityDeps) {
  return withFailureClassification({ ...createSweepRecordActivities(deps.db, deps.publishDashboards), ...createReplicateRecordActivities(deps.db) });
}

/** trainRun, on the training queue. */
export function createTrainingActivities(deps: TrainingActivityDeps) {
  return withFailureClassification({ trainRun: createTrainRunActivity(deps.db, deps.training) });
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;
export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
export type { TrainRunInput, TrainRunResult, TrainingDeps } from './train-run';
export type {
  RegisterReplicateSweepInput,
  RegisterReplicateSweepResult,
  ReplicateRoundInput,
  ReplicateRoundResult,
  ReplicateComparisonProgress,
} from './replicate-records';
export type { RegisterSweepInput, RegisterSweepResult, PendingRun, FinalizeSweepResult, BestConfig, DashboardPublisher } from './sweep-records';
