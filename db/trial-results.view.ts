import type { EpochMetricsTable } from './epoch-metrics.table';

/** The `trial_results` view: metric columns are null until the run reaches the trial's epoch. */
export type TrialResultsView = {
  sweep_id: string;
  trial_key: string;
  run_id: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  seed: number;
  lr: number;
  batch_size: number;
  hidden: number[];
  train_subset: number | null;
  run_status: string;
} & { [K in Exclude<keyof EpochMetricsTable, 'run_id' | 'epoch' | 'recorded_at'>]: EpochMetricsTable[K] | null };
