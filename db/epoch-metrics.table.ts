import type { Generated, Insertable, Selectable } from 'kysely';

/** One row per run and epoch; column names are the training engine's metric names in snake_case. */
export interface EpochMetricsTable {
  run_id: string;
  epoch: number;
  train_loss: number;
  train_acc: number;
  train_acc_eval: number;
  test_loss: number;
  test_acc: number;
  gap: number;
  act_var1: number;
  act_var2: number;
  weight_norm1: number;
  weight_norm2: number;
  weight_norm3: number;
  seconds: number;
  eval_seconds: number;
  samples_per_sec: number;
  backend: string;
  worker: string | null;
  recorded_at: Generated<Date>;
}
export type EpochMetricsRow = Selectable<EpochMetricsTable>;
export type NewEpochMetrics = Insertable<EpochMetricsTable>;

export interface CheckpointsTable {
  run_id: string;
  epoch: number;
  weights: Buffer;
  saved_at: Generated<Date>;
}
