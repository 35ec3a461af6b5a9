import type { Kysely, Transaction } from 'kysely';
import type { SweepsTable } from './sweeps.table';
import type { RunsTable, SweepRunsTable, SweepTrialsTable } from './runs.table';
import type { CheckpointsTable, EpochMetricsTable } from './epoch-metrics.table';
import type { TrialResultsView } from './trial-results.view';
import type { ConfigSummaryView } from './config-summary.view';
import type { EffectDropoutSwapView } from './effect-dropout-swap.view';
import type { EffectInteractionView } from './effect-interaction.view';
import type { ActivationVarianceView } from './activation-variance.view';
import type { RunProgressView } from './run-progress.view';
import type { EffectVsControlView } from './effect-vs-control.view';
import type { ConfigIntervalView, ConfigVsBestView } from './config-interval.view';
import type { DivergenceRateView } from './divergence-rate.view';
import type { NoiseDiagnosticView } from './noise-diagnostic.view';
import type { EpochTestAccuracyView } from './epoch-test-accuracy.view';
import type { ComparisonAvailabilityView } from './comparison-availability.view';
import type { MainEffectView } from './main-effect.view';
import type { EpochCurveView, WeightNormCurveView } from './epoch-curve.view';
import type { EffectVsVariantView } from './effect-vs-variant.view';
import type { TestTimeDropoutView } from './test-time-dropout.view';
import type { ReplicateComparisonsTable, ReplicateSweepsTable } from './replicate.table';

/** Every table and view regsweep's code reads or writes. */
export interface Database {
  sweeps: SweepsTable;
  runs: RunsTable;
  sweep_runs: SweepRunsTable;
  sweep_trials: SweepTrialsTable;
  epoch_metrics: EpochMetricsTable;
  checkpoints: CheckpointsTable;
  trial_results: TrialResultsView;
  config_summary: ConfigSummaryView;
  effect_dropout_swap: EffectDropoutSwapView;
  effect_interaction: EffectInteractionView;
  activation_variance: ActivationVarianceView;
  run_progress: RunProgressView;
  effect_vs_control: EffectVsControlView;
  config_interval: ConfigIntervalView;
  config_vs_best: ConfigVsBestView;
  divergence_rate: DivergenceRateView;
  noise_diagnostic: NoiseDiagnosticView;
  epoch_test_accuracy: EpochTestAccuracyView;
  comparison_availability: ComparisonAvailabilityView;
  main_effect: MainEffectView;
  epoch_curve: EpochCurveView;
  weight_norm_curve: WeightNormCurveView;
  effect_vs_variant: EffectVsVariantView;
  test_time_dropout: TestTimeDropoutView;
  replicate_sweeps: ReplicateSweepsTable;
  replicate_comparisons: ReplicateComparisonsTable;
}

/** Repository functions take either the pool-backed instance or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
