import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * One row per run and epoch; column names are the training engine's metric names in snake_case.
 * Metrics are finite numbers, or all null in the one row (diverged = true) of the epoch in which
 * the run diverged; the schema rejects NaN and ±Infinity.
 */
export interface EpochMetricsTable {
  run_id: string;
  epoch: number;
  train_loss: number | null;
  train_acc: number | null;
  train_acc_eval: number | null;
  test_loss: number | null;
  test_acc: number | null;
  gap: number | null;
  act_var1: number | null;
  act_var2: number | null;
  weight_norm1: number | null;
  weight_norm2: number | null;
  weight_norm3: number | null;
  seconds: number | null;
  eval_seconds: number | null;
  samples_per_sec: number | null;
  backend: string;
  worker: string | null;
  diverged: Generated<boolean>;
  /** Test accuracy of one stochastic pass with the training-time noise on; null unless the run evaluates with test-time dropout (and in a diverged epoch). */
  test_acc_dropout: number | null;
  /** Test accuracy of the mean prediction over the run's eval_dropout_samples stochastic passes (MC dropout); null as test_acc_dropout. */
  test_acc_mc_dropout: number | null;
  /** Seconds the stochastic test passes took; null as test_acc_dropout. */
  eval_dropout_seconds: number | null;
  /**
   * Test images `test_acc` is a share of.
   * @default 10000 (the whole Fashion-MNIST test split, the only set training evaluates on)
   */
  test_count: Generated<number>;
  recorded_at: Generated<Date>;
}
export type EpochMetricsRow = Selectable<EpochMetricsTable>;
export type NewEpochMetrics = Insertable<EpochMetricsTable>;

/** The metric columns: finite numbers, null only in a diverged epoch's row. */
export const epochMetricColumns = [
  'train_loss',
  'train_acc',
  'train_acc_eval',
  'test_loss',
  'test_acc',
  'gap',
  'act_var1',
  'act_var2',
  'weight_norm1',
  'weight_norm2',
  'weight_norm3',
  'seconds',
  'eval_seconds',
  'samples_per_sec',
] as const satisfies ReadonlyArray<keyof EpochMetricsTable>;
export type EpochMetricColumn = (typeof epochMetricColumns)[number];

/** The test-time dropout columns: all three present in a run that evaluates with test-time dropout, else null; null in a diverged epoch. */
export const testTimeDropoutColumns = ['test_acc_dropout', 'test_acc_mc_dropout', 'eval_dropout_seconds'] as const satisfies ReadonlyArray<
  keyof EpochMetricsTable
>;

/** A row of an epoch that trained normally: every metric present. */
export type NewTrainedEpochMetrics = NewEpochMetrics & { [K in EpochMetricColumn]: number };

export interface CheckpointsTable {
  run_id: string;
  epoch: number;
  weights: Buffer;
  saved_at: Generated<Date>;
}
