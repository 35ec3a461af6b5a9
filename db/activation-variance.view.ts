/** The `activation_variance` view: one row per sweep, run, epoch and hidden layer (1 or 2). */
export interface ActivationVarianceView {
  sweep_id: string;
  run_id: string;
  epoch: number;
  layer: 1 | 2;
  act_var: number;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  seed: number;
  /** The dropout rate applied after this layer (dropout1 for layer 1, dropout2 for layer 2). */
  layer_dropout: number;
  has_dropout: boolean;
  layer_has_dropout: boolean;
  /** The run's variant, `<regularizer>[+batchnorm] lr=<lr>` (regsweep_variant_label). */
  variant: string;
}
