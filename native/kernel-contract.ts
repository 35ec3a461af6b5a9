/**
 * The contract between the training loop and an engine's fused kernels: the names the training
 * loop runs some of its steps under (training/fused-ops.ts) and the attributes each kernel
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
  /** A dense layer's product, bias, optional ReLU and optional mask in one pass (training/dense-op.ts). */
  dense: 'RegsweepDense',
  /** The dense layer's gradients with respect to its weights, bias and (when asked) input. */
  denseGrad: 'RegsweepDenseGrad',
  /** Inference-mode loss sum and hit count of a chunk through the whole MLP, and optionally its first rows' hidden activations (training/evaluate.ts). */
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

/** What follows a dense layer's product and bias. */
export type DenseActivation = 'relu' | 'linear';

/**
 * Attributes of `dense`: inputs x [rows, in], weights [in, out], bias [out] and, with ReLU, an
 * optional mask [rows, out]. Outputs y = x·weights + bias (linear), or y = relu(z)·mask and the
 * pre-activation z = x·weights + bias (relu; y = relu(z) without a mask).
 */
export interface DenseAttrs {
  activation: DenseActivation;
}

/**
 * Attributes of `denseGrad`: inputs dy [rows, out], x, weights and, with ReLU, z and the
 * optional mask; outputs dWeights, dBias and, when `inputGradient`, dx.
 */
export interface DenseGradAttrs {
  activation: DenseActivation;
  inputGradient: boolean;
}

/**
 * Attributes of `inferenceScore`: inputs x [rows, in], int32 labels [rows] and the three
 * layers' W1, b1, W2, b2, W3, b3; outputs the chunk's summed cross-entropy and hit count and,
 * when `keptRows` > 0, both hidden layers' inference activations of the chunk's first
 * `keptRows` rows ([keptRows, hidden1] and [keptRows, hidden2]).
 */
export interface InferenceScoreAttrs {
  keptRows: number;
}
