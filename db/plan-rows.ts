import type { Trial } from '../domain/grid-expansion';
import type { RunPlan } from '../domain/run-identity';
import type { NewRun, NewSweepTrial } from './runs.table';

/** The `runs` row a planned run starts as: pending, not yet claimed by any worker. */
export function runRowOf(run: RunPlan): NewRun {
  return {
    id: run.runId,
    dropout1: run.dropout1,
    dropout2: run.dropout2,
    weight_decay: run.weightDecay,
    seed: run.seed,
    max_epochs: run.maxEpochs,
    lr: run.lr,
    batch_size: run.batchSize,
    hidden: run.hidden,
    train_subset: run.trainSubset,
    backend: null,
    worker: null,
    error: null,
    started_at: null,
    finished_at: null,
  };
}

/** The `sweep_trials` row linking one grid point of a sweep to its run. */
export function trialRowOf(sweepId: string, trial: Trial): NewSweepTrial {
  return {
    sweep_id: sweepId,
    trial_key: trial.trialKey,
    run_id: trial.runId,
    dropout1: trial.dropout1,
    dropout2: trial.dropout2,
    weight_decay: trial.weightDecay,
    epochs: trial.epochs,
    seed: trial.seed,
  };
}
