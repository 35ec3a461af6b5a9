import type { Generated, Insertable, Selectable } from 'kysely';
import type { RegularizerName } from '../domain/training-limits';

/** `diverged` is terminal, like `completed`: the run's training loss or weights became non-finite (see diverged_at_epoch). */
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'diverged';

export interface RunsTable {
  id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  seed: number;
  max_epochs: number;
  lr: number;
  batch_size: number;
  hidden: number[];
  train_subset: number | null;
  /** What dropout1 / dropout2 are the rates of; 'dropout' for every run planned before variants existed. */
  regularizer: Generated<RegularizerName>;
  batch_norm: Generated<boolean>;
  /** Stochastic test passes per epoch (MC dropout); 0 = inference mode only. */
  eval_dropout_samples: Generated<number>;
  status: Generated<RunStatus>;
  epochs_done: Generated<number>;
  backend: string | null;
  worker: string | null;
  attempts: Generated<number>;
  error: string | null;
  /** The epoch in which training diverged; set exactly when status is `diverged`. */
  diverged_at_epoch: number | null;
  /** The trainRun activity that owns the row (workflow run id and activity id), set with lease_attempt when an attempt starts training. */
  lease_owner: string | null;
  /** That activity's Temporal attempt number; a write of any other attempt is refused (see db/run-lease-repository.ts). */
  lease_attempt: number | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
}
export type RunRow = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;

export interface SweepRunsTable {
  sweep_id: string;
  ordinal: number;
  run_id: string;
}

export interface SweepTrialsTable {
  sweep_id: string;
  trial_key: string;
  run_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  seed: number;
  /** The trial's variant: regularizer, batch normalization and learning rate, as its run's. */
  regularizer: Generated<RegularizerName>;
  batch_norm: Generated<boolean>;
  lr: number;
}
export type NewSweepTrial = Insertable<SweepTrialsTable>;
