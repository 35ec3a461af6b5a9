import type { Trial } from '../domain/grid-expansion';
import type { RunPlan } from '../domain/run-identity';
import type { NewRun, NewSweepTrial, RunRow } from './runs.table';

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
    regularizer: run.regularizer,
    batch_norm: run.batchNorm,
    eval_dropout_samples: run.evalDropoutSamples,
    backend: null,
    worker: null,
    error: null,
    started_at: null,
    finished_at: null,
  };
}

/** The plan a `runs` row was written from: what a worker needs to train the run. */
export function runPlanOf(row: RunRow): RunPlan {
  return {
    runId: row.id,
    dropout1: row.dropout1,
    dropout2: row.dropout2,
    weightDecay: row.weight_decay,
    seed: row.seed,
    lr: row.lr,
    batchSize: row.batch_size,
    hidden: [row.hidden[0] ?? 0, row.hidden[1] ?? 0],
    trainSubset: row.train_subset,
    regularizer: row.regularizer,
    batchNorm: row.batch_norm,
    evalDropoutSamples: row.eval_dropout_samples,
    maxEpochs: row.max_epochs,
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
    regularizer: trial.regularizer,
    batch_norm: trial.batchNorm,
    lr: trial.lr,
  };
}
