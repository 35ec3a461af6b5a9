/**
 * The `epoch_curve` view (`regsweep_epoch_curve` over every weight decay and seed): per sweep and
 * epoch up to its largest epochs value, metric means over the runs without dropout
 * (dropout1 = dropout2 = 0) and with any dropout; activation variance of hidden layer l over the
 * runs with and without dropout after that layer.
 */
export interface EpochCurveView {
  sweep_id: string;
  epoch: number;
  /** Runs with a test accuracy at this epoch, without and with dropout. */
  runs_no_dropout: number;
  runs_dropout: number;
  train_loss_no_dropout: number | null;
  train_loss_dropout: number | null;
  test_loss_no_dropout: number | null;
  test_loss_dropout: number | null;
  train_acc_eval_no_dropout: number | null;
  train_acc_eval_dropout: number | null;
  test_acc_no_dropout: number | null;
  test_acc_dropout: number | null;
  gap_no_dropout: number | null;
  gap_dropout: number | null;
  act_var1_dropped_out: number | null;
  act_var1_no_dropout: number | null;
  act_var2_dropped_out: number | null;
  act_var2_no_dropout: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}

/** The `weight_norm_curve` view: per sweep, weight decay and epoch, the mean Frobenius norm of W1, W2 and W3. */
export interface WeightNormCurveView {
  sweep_id: string;
  weight_decay: number;
  epoch: number;
  runs: number;
  w1: number | null;
  w2: number | null;
  w3: number | null;
  /** The row's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label); every statistic is within it. */
  variant: string;
}
