import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { createSweepRecordActivities, type DashboardPublisher } from './sweep-records';
import { createTrainRunActivity, type TrainingDeps } from './train-run';

export interface ActivityDeps {
  db: Kysely<Database>;
  /** Present on training workers only. */
  training: TrainingDeps | null;
  /** Present on orchestration workers: the sweep's last step refreshes the dashboards. */
  publishDashboards?: DashboardPublisher | null;
}

/**
 * Every activity regsweep registers. Workflows type their proxies with
 * `ReturnType<typeof createActivities>`, so renaming one breaks the build, not production.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSweepRecordActivities(deps.db, deps.publishDashboards ?? null),
    trainRun: createTrainRunActivity(deps.db, deps.training),
  };
}

export type RegsweepActivities = ReturnType<typeof createActivities>;
export type { TrainRunInput, TrainRunResult } from './train-run';
export type { RegisterSweepInput, RegisterSweepResult, PendingRun, FinalizeSweepResult, BestConfig } from './sweep-records';
