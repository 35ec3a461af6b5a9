import type { RegularizerName } from '../domain/training-limits';
import type { RunStatus } from './runs.table';

/** The `run_progress` view: one row per run of a sweep, in scheduling order. */
export interface RunProgressView {
  sweep_id: string;
  ordinal: number;
  run_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  seed: number;
  status: RunStatus;
  epochs_done: number;
  max_epochs: number;
  fraction_done: number | null;
  attempts: number;
  worker: string | null;
  backend: string | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  last_recorded_at: Date | null;
  /** Mean of training plus evaluation seconds over the epochs recorded so far. */
  mean_epoch_seconds: number | null;
  last_samples_per_sec: number | null;
  /** Remaining epochs × mean epoch seconds; null unless pending or running with an epoch recorded. */
  eta_seconds: number | null;
  /** The epoch in which the run diverged, when its status is `diverged`. */
  diverged_at_epoch: number | null;
  /** Test accuracy of the latest epoch that has one. */
  last_test_acc: number | null;
  /** Binomial standard error of `last_test_acc`, √(p (1 − p) / test images). */
  test_accuracy_se: number | null;
  regularizer: RegularizerName;
  batch_norm: boolean;
  lr: number;
  /** Stochastic test passes per epoch (MC dropout); 0 = inference mode only. */
  eval_dropout_samples: number;
  /** The run's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label). */
  variant: string;
}
