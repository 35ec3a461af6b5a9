/**
 * The contract between the training loop and an engine's fused kernels: the names the training
 * loop runs three of its steps under (training/fused-ops.ts) and the attributes each kernel
 * takes. It lives with the engines, the lower layer: an engine implements the contract without
 * knowing the training loop (native/training-kernels.ts), and the training loop uses whichever
 * engine registered it, falling back to stock tfjs ops when none did.
 */

/** Kernel names a backend may register to run a step as one fused kernel. */
export const fusedKernelNames = {
  reluDropout: 'RegsweepReluDropout',
  reluDropoutGrad: 'RegsweepReluDropoutGrad',
  softmaxCrossEntropy: 'RegsweepSoftmaxCrossEntropy',
  softmaxCrossEntropyGrad: 'RegsweepSoftmaxCrossEntropyGrad',
  sgdUpdate: 'RegsweepSgdUpdate',
  /** Inference-mode loss sum and hit count of a chunk through the whole MLP (training/evaluate.ts). */
  inferenceScore: 'RegsweepInferenceScore',
} as const;

/** How the cross-entropy of a batch is reduced: `mean` for training, `sum` for evaluation. */
export type LossReduction = 'mean' | 'sum';

/** Attributes of `softmaxCrossEntropy` and its gradient. */
export interface SoftmaxCrossEntropyAttrs {
  reduction: LossReduction;
}

/** Attributes of `sgdUpdate`: w − lr·(grad + weightDecay·w). */
export interface SgdUpdateAttrs {
  lr: number;
  weightDecay: number;
}
