import type { RegularizerName } from '../domain/training-limits';
/**
 * The `epoch_test_accuracy` view: one row per sweep, run and recorded epoch, with the test
 * accuracy's binomial standard error √(p (1 − p) / test_count). Every run is evaluated on the
 * same test images, so this error is shared by all runs: it does not shrink with more seeds and
 * cancels in paired differences (docs/sql.md).
 */
export interface EpochTestAccuracyView {
  sweep_id: string;
  run_id: string;
  epoch: number;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  seed: number;
  /** The run diverged in this epoch: test_acc and its error are null. */
  diverged: boolean;
  test_acc: number | null;
  /** Test images evaluated. */
  test_count: number;
  test_accuracy_se: number | null;
  regularizer: RegularizerName;
  batch_norm: boolean;
  lr: number;
  /** The run's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label). */
  variant: string;
}
