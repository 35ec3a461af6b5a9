/**
 * Three steps of the training loop as tfjs ops that a backend may run as one fused kernel each.
 * A backend that registers a kernel under the names of native/kernel-contract.ts (the `native`
 * engine does) gets one pass over memory and one tfjs op instead of a chain of 3 to 25; every
 * other backend, tfjs-node-gpu included, runs the composite of stock tfjs ops below, so the
 * model stays plain tfjs and each result means the same on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernelNames, type LossReduction, type SgdUpdateAttrs, type SoftmaxCrossEntropyAttrs } from '../native/kernel-contract';

function fused(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * ReLU followed by elementwise multiplication: relu(x) · mask, for any mask of x's shape (an
 * inverted-dropout mask, or multiplicative Gaussian noise); differentiable in x and mask.
 */
export function reluDropout(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  if (fused(fusedKernelNames.reluDropout)) {
    return tf.engine().runKernel(fusedKernelNames.reluDropout, { x, mask }) as tf.Tensor2D;
  }
  return tf.mul(tf.relu(x), mask);
}

/** The cross-entropy of softmax(logits) against integer labels, and how many rows argmax gets right. */
export interface ClassificationScore {
  /** Mean or summed loss (scalar), differentiable with respect to the logits. */
  loss: tf.Scalar;
  /** Number of rows whose first maximal logit is the label (scalar, float32). */
  hits: tf.Scalar;
}

/**
 * Softmax cross-entropy of `logits` [rows, classes] against `labels` [rows] (int32), given
 * also as `oneHot` [rows, classes] for backends without the fused kernel, plus the hit count.
 */
export function softmaxCrossEntropyWithHits(logits: tf.Tensor2D, labels: tf.Tensor1D, oneHot: tf.Tensor2D, reduction: LossReduction): ClassificationScore {
  if (fused(fusedKernelNames.softmaxCrossEntropy)) {
    const attrs: SoftmaxCrossEntropyAttrs = { reduction };
    const [loss, hits, probs] = tf.engine().runKernel(fusedKernelNames.softmaxCrossEntropy, { logits, labels }, attrs as unknown as tf.NamedAttrMap) as [
      tf.Scalar,
      tf.Scalar,
      tf.Tensor2D,
    ];
    probs!.dispose();
    return { loss: loss!, hits: hits! };
  }
  const loss = tf.losses.softmaxCrossEntropy(
    oneHot,
    logits,
    undefined,
    0,
    reduction === 'sum' ? tf.Reduction.SUM : tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
  ) as tf.Scalar;
  const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar;
  return { loss, hits };
}

/** The SGD step's new value of a parameter: w − lr·(grad + weightDecay·w). */
export function sgdUpdate(w: tf.Tensor, grad: tf.Tensor, lr: number, weightDecay: number): tf.Tensor {
  if (fused(fusedKernelNames.sgdUpdate)) {
    const attrs: SgdUpdateAttrs = { lr, weightDecay };
    return tf.engine().runKernel(fusedKernelNames.sgdUpdate, { w, grad }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  const direction = weightDecay === 0 ? grad : tf.add(grad, tf.mul(w, weightDecay));
  return tf.sub(w, tf.mul(direction, lr));
}
