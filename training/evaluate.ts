import * as tf from '@tensorflow/tfjs';
import type { EvalSet } from './batching';
import { softmaxCrossEntropyWithHits } from './fused-ops';
import type { Mlp } from './mlp';

/** Mean loss and accuracy of a split in inference mode. */
export interface SplitScore {
  loss: number;
  acc: number;
}

/** Scores `set` in inference mode (no dropout), summing per chunk in float64. */
export function evaluateSplit(mlp: Mlp, set: EvalSet): SplitScore {
  let lossSum = 0;
  let correct = 0;
  for (const chunk of set.chunks) {
    const sums = tf.tidy(() => {
      const logits = mlp.forward(chunk.x, { training: false });
      const { loss, hits } = softmaxCrossEntropyWithHits(logits, chunk.labels, chunk.oneHot, 'sum');
      return tf.stack([loss, hits]);
    });
    const [chunkLoss, chunkHits] = sums.dataSync();
    sums.dispose();
    lossSum += chunkLoss!;
    correct += chunkHits!;
  }
  return { loss: lossSum / set.count, acc: correct / set.count };
}

/** Population variance (divide by n), two-pass in float64 for accuracy on float32 inputs. */
export function populationVariance(values: ArrayLike<number>): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares += d * d;
  }
  return squares / n;
}

/**
 * Variance over all units and examples of each hidden layer's post-ReLU activations in
 * inference mode, on a fixed probe batch.
 */
export function activationVariances(mlp: Mlp, probe: tf.Tensor2D): [number, number] {
  const { logits, hidden1, hidden2 } = mlp.forwardWithActivations(probe, { training: false });
  try {
    return [populationVariance(hidden1.dataSync()), populationVariance(hidden2.dataSync())];
  } finally {
    tf.dispose([logits, hidden1, hidden2]);
  }
}

/** Frobenius norm, accumulated in float64. */
export function frobeniusNorm(values: ArrayLike<number>): number {
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += values[i]! * values[i]!;
  return Math.sqrt(squares);
}
