import type { EpochMetricsTable } from './epoch-metrics.table';
import type { RunsTable, SweepTrialsTable } from './runs.table';

/** The `trial_results` view: metric columns are null until the run reaches the trial's epoch. */
export type TrialResultsView = SweepTrialsTable &
  Pick<RunsTable, 'lr' | 'batch_size' | 'hidden' | 'train_subset' | 'diverged_at_epoch' | 'eval_dropout_samples'> & {
    run_status: string;
    /** The run diverged at or before this trial's epochs value: every metric is null. */
    diverged: boolean;
    /** `<regularizer>[+batchnorm] lr=<lr>` of the trial's regularizer, batch_norm and lr (regsweep_variant_label), the one label every view groups by. */
    variant: string;
  } & {
    [K in Exclude<keyof EpochMetricsTable, 'run_id' | 'epoch' | 'recorded_at' | 'diverged' | 'test_count'>]: EpochMetricsTable[K] | null;
  };
