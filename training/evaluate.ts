import * as tf from '@tensorflow/tfjs';
import { fusedKernelNames } from '../native/kernel-contract';
import type { DeviceBatch, EvalSet } from './batching';
import { softmaxCrossEntropyWithHits } from './fused-ops';
import type { Mlp } from './mlp';

/** Mean loss and accuracy of a split in inference mode. */
export interface SplitScore {
  loss: number;
  acc: number;
}

type ChunkScore = (mlp: Mlp, chunk: DeviceBatch) => tf.Tensor;

/** A chunk's [summed loss, hits] through the model's forward pass and the fused cross-entropy: one tfjs kernel per step. */
const scoreChunkByOps: ChunkScore = (mlp, chunk) =>
  tf.tidy(() => {
    const logits = mlp.forward(chunk.x, { training: false });
    const { loss, hits } = softmaxCrossEntropyWithHits(logits, chunk.labels, chunk.oneHot, 'sum');
    return tf.stack([loss, hits]);
  });

/**
 * The same sums from one kernel for the whole forward pass and score, where the backend has
 * it (native: no tensor or kernel dispatch per layer, the same rounding). Batch norm's
 * models take the step-by-step path.
 */
const scoreChunkFused: ChunkScore = (mlp, chunk) => {
  const { W1, b1, W2, b2, W3, b3 } = mlp.params;
  const inputs = { x: chunk.x, labels: chunk.labels, W1, b1, W2, b2, W3, b3 };
  return tf.tidy(() => tf.stack(tf.engine().runKernel(fusedKernelNames.inferenceScore, inputs) as tf.Scalar[]));
};

function scoreSplit(mlp: Mlp, set: EvalSet, scoreChunk: ChunkScore): SplitScore {
  let lossSum = 0;
  let correct = 0;
  for (const chunk of set.chunks) {
    const sums = scoreChunk(mlp, chunk);
    const [chunkLoss, chunkHits] = sums.dataSync();
    sums.dispose();
    lossSum += chunkLoss!;
    correct += chunkHits!;
  }
  return { loss: lossSum / set.count, acc: correct / set.count };
}

/**
 * Scores `set` in inference mode (no dropout), summing per chunk in float64: in one fused
 * kernel per chunk where the backend registers one and the model has no batch norm,
 * otherwise with {@link evaluateSplitByOps}; both give the same values.
 */
export function evaluateSplit(mlp: Mlp, set: EvalSet): SplitScore {
  const fused = mlp.batchNorm === null && tf.getKernel(fusedKernelNames.inferenceScore, tf.getBackend()) !== undefined;
  return scoreSplit(mlp, set, fused ? scoreChunkFused : scoreChunkByOps);
}

/** {@link evaluateSplit} through the model's forward pass, one tfjs op per step, on any backend. */
export function evaluateSplitByOps(mlp: Mlp, set: EvalSet): SplitScore {
  return scoreSplit(mlp, set, scoreChunkByOps);
}

/** Test accuracies of stochastic passes, the regularizer's noise on (docs/training.md, "Test-time dropout"). */
export interface StochasticScore {
  /** Accuracy of pass 0 alone: first maximal logit against the label. */
  onePassAcc: number;
  /** Accuracy of the argmax of the mean of the passes' softmax probabilities (MC dropout). */
  meanAcc: number;
}

function hitCount(scores: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), labels), 'float32'));
}

/**
 * Scores `set` with `passes` (≥ 1) stochastic forward passes of epoch `epoch`, each with the
 * noise of its own evaluation stream (training/eval-noise.ts); batch norm keeps its running
 * statistics and no state changes. Chunk by chunk, so memory holds one chunk's activations
 * and the running sum of its probabilities, whatever the number of passes.
 */
export function evaluateStochastic(mlp: Mlp, set: EvalSet, epoch: number, passes: number): StochasticScore {
  let onePass = 0;
  let mean = 0;
  let firstRow = 0;
  for (const chunk of set.chunks) {
    const held: { sum: tf.Tensor2D | null; firstHits: tf.Scalar | null } = { sum: null, firstHits: null };
    try {
      for (let pass = 0; pass < passes; pass++) {
        // One tidy per pass, so a pass's activations are freed before the next is drawn.
        const next: tf.Tensor2D = tf.tidy(() => {
          const logits = mlp.forward(chunk.x, { training: false, evalPass: { epoch, pass, firstRow } });
          if (pass === 0) held.firstHits = tf.keep(hitCount(logits, chunk.labels));
          const probabilities = tf.softmax(logits);
          return held.sum === null ? probabilities : tf.add(held.sum, probabilities);
        });
        held.sum?.dispose();
        held.sum = next;
      }
      const { sum, firstHits } = held;
      const counts = tf.tidy(() => tf.stack([firstHits!, hitCount(tf.div(sum!, passes), chunk.labels)]));
      const [chunkOnePass, chunkMean] = counts.dataSync();
      counts.dispose();
      onePass += chunkOnePass!;
      mean += chunkMean!;
    } finally {
      held.sum?.dispose();
      held.firstHits?.dispose();
    }
    firstRow += chunk.rows;
  }
  return { onePassAcc: onePass / set.count, meanAcc: mean / set.count };
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
