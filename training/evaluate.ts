import * as tf from '@tensorflow/tfjs';
import { fusedKernelNames, type InferenceScoreAttrs } from '../native/kernel-contract';
import type { DeviceBatch, EvalSet } from './batching';
import { softmaxCrossEntropyWithHits } from './fused-ops';
import type { Mlp } from './mlp';

/** Mean loss and accuracy of a split in inference mode. */
export interface SplitScore {
  loss: number;
  acc: number;
}

/** A split's score and the activation variances of its first rows (the probe). */
export interface ProbedSplitScore extends SplitScore {
  activationVariances: [number, number];
}

/** A chunk's [summed loss, hits] and, when asked, the hidden activations of its first `keptRows` rows. */
interface ChunkScore {
  sums: tf.Tensor;
  kept: [tf.Tensor2D, tf.Tensor2D] | null;
}

type ScoreChunk = (mlp: Mlp, chunk: DeviceBatch, keptRows: number) => ChunkScore;

/** A chunk's sums through the model's forward pass and the fused cross-entropy: one tfjs kernel per step. */
const scoreChunkByOps: ScoreChunk = (mlp, chunk, keptRows) => {
  const sums = tf.tidy(() => {
    const logits = mlp.forward(chunk.x, { training: false });
    const { loss, hits } = softmaxCrossEntropyWithHits(logits, chunk.labels, chunk.oneHot, 'sum');
    return tf.stack([loss, hits]);
  });
  if (keptRows === 0) return { sums, kept: null };
  const kept = tf.tidy(() => {
    const { hidden1, hidden2 } = mlp.forwardWithActivations(tf.slice(chunk.x, [0, 0], [keptRows, -1]), { training: false });
    return [hidden1, hidden2] as [tf.Tensor2D, tf.Tensor2D];
  });
  return { sums, kept };
};

/**
 * The same sums from one kernel for the whole forward pass and score, where the backend has
 * it (native: no tensor or kernel dispatch per layer, the same rounding), and the first rows'
 * activations from that same pass. Batch norm's models take the step-by-step path.
 */
const scoreChunkFused: ScoreChunk = (mlp, chunk, keptRows) => {
  const { W1, b1, W2, b2, W3, b3 } = mlp.params;
  const inputs = { x: chunk.x, labels: chunk.labels, W1, b1, W2, b2, W3, b3 };
  const attrs: InferenceScoreAttrs = { keptRows };
  const [loss, hits, hidden1, hidden2] = tf.engine().runKernel(fusedKernelNames.inferenceScore, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const sums = tf.tidy(() => tf.stack([loss!, hits!]));
  tf.dispose([loss!, hits!]);
  return { sums, kept: keptRows === 0 ? null : [hidden1 as tf.Tensor2D, hidden2 as tf.Tensor2D] };
};

function scoreSplit(mlp: Mlp, set: EvalSet, scoreChunk: ScoreChunk, probeRows: number): SplitScore & { kept: [tf.Tensor2D, tf.Tensor2D] | null } {
  const firstRows = set.chunks[0]?.rows ?? 0;
  if (probeRows > firstRows) throw new RangeError(`the probe's ${probeRows} rows must lie in the first evaluation chunk, which has ${firstRows}`);
  let lossSum = 0;
  let correct = 0;
  let kept: [tf.Tensor2D, tf.Tensor2D] | null = null;
  set.chunks.forEach((chunk, index) => {
    const score = scoreChunk(mlp, chunk, index === 0 ? probeRows : 0);
    const [chunkLoss, chunkHits] = score.sums.dataSync();
    score.sums.dispose();
    kept ??= score.kept;
    lossSum += chunkLoss!;
    correct += chunkHits!;
  });
  return { loss: lossSum / set.count, acc: correct / set.count, kept };
}

function fusedScoreAvailable(mlp: Mlp): boolean {
  return mlp.batchNorm === null && tf.getKernel(fusedKernelNames.inferenceScore, tf.getBackend()) !== undefined;
}

/**
 * Scores `set` in inference mode (no dropout), summing per chunk in float64: in one fused
 * kernel per chunk where the backend registers one and the model has no batch norm,
 * otherwise with {@link evaluateSplitByOps}; both give the same values.
 */
export function evaluateSplit(mlp: Mlp, set: EvalSet): SplitScore {
  const { loss, acc } = scoreSplit(mlp, set, fusedScoreAvailable(mlp) ? scoreChunkFused : scoreChunkByOps, 0);
  return { loss, acc };
}

/** {@link evaluateSplit} through the model's forward pass, one tfjs op per step, on any backend. */
export function evaluateSplitByOps(mlp: Mlp, set: EvalSet): SplitScore {
  const { loss, acc } = scoreSplit(mlp, set, scoreChunkByOps, 0);
  return { loss, acc };
}

/**
 * {@link evaluateSplit}, and the {@link activationVariances} of the split's first `probeRows`
 * rows (which must lie in its first chunk), taken from the same forward pass where the fused
 * kernel runs it: the probe then costs no second pass. The values equal
 * `activationVariances(mlp, firstRows)` either way.
 */
export function evaluateSplitWithProbe(mlp: Mlp, set: EvalSet, probeRows: number, byOps = false): ProbedSplitScore {
  const { loss, acc, kept } = scoreSplit(mlp, set, fusedScoreAvailable(mlp) && !byOps ? scoreChunkFused : scoreChunkByOps, probeRows);
  if (kept === null) throw new RangeError(`the probe needs at least one row, got ${probeRows}`);
  try {
    return { loss, acc, activationVariances: [populationVariance(kept[0].dataSync()), populationVariance(kept[1].dataSync())] };
  } finally {
    tf.dispose(kept);
  }
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
