import * as tf from '@tensorflow/tfjs';

/**
 * Batch normalization of a hidden layer's pre-activations (Ioffe & Szegedy 2015), with
 * PyTorch's BatchNorm1d conventions so results compare with the usual reference:
 * training normalizes with the batch mean and biased variance, and updates
 * running = (1 − momentum)·running + momentum·batch, using the unbiased batch variance for the
 * running variance; inference normalizes with the running statistics.
 */
export const batchNormEpsilon = 1e-5;

/** PyTorch's default: the running statistics move 10% of the way to each batch's. */
export const batchNormMomentum = 0.1;

/** One layer's learnable scale and shift and its running statistics, one entry per unit. */
export interface BatchNormLayer {
  /** γ, initialised to 1; trained by SGD without weight decay. */
  gamma: tf.Variable<tf.Rank.R1>;
  /** β, initialised to 0; trained by SGD without weight decay. */
  beta: tf.Variable<tf.Rank.R1>;
  /** Running mean, initialised to 0; not trained, updated by every training-mode forward pass. */
  runningMean: tf.Variable<tf.Rank.R1>;
  /** Running variance, initialised to 1; as runningMean. */
  runningVar: tf.Variable<tf.Rank.R1>;
}

/** A layer of `width` units with PyTorch's initial values. The caller disposes the variables. */
export function createBatchNormLayer(width: number): BatchNormLayer {
  return tf.tidy(() => ({
    gamma: tf.variable(tf.ones([width]), true) as tf.Variable<tf.Rank.R1>,
    beta: tf.variable(tf.zeros([width]), true) as tf.Variable<tf.Rank.R1>,
    runningMean: tf.variable(tf.zeros([width]), false) as tf.Variable<tf.Rank.R1>,
    runningVar: tf.variable(tf.ones([width]), false) as tf.Variable<tf.Rank.R1>,
  }));
}

/**
 * Training mode: γ·(z − μ_B)/√(σ²_B + ε) + β over the batch's rows, differentiable in z, γ
 * and β; as a side effect the running statistics take one momentum step towards μ_B and the
 * unbiased σ²_B. A one-row batch normalizes to β and leaves the running statistics alone: its
 * unbiased variance is undefined (PyTorch refuses such a batch; here the last partial batch of
 * an epoch may have one row, and skipping it keeps the running variance finite).
 */
export function batchNormTrain(z: tf.Tensor2D, layer: BatchNormLayer): tf.Tensor2D {
  const rows = z.shape[0];
  const mean = tf.mean(z, 0);
  const centered = tf.sub(z, mean);
  const variance = tf.mean(tf.square(centered), 0);
  const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, batchNormEpsilon)));
  if (rows > 1) {
    const unbiased = tf.mul(variance, rows / (rows - 1));
    layer.runningMean.assign(tf.add(tf.mul(layer.runningMean, 1 - batchNormMomentum), tf.mul(mean, batchNormMomentum)));
    layer.runningVar.assign(tf.add(tf.mul(layer.runningVar, 1 - batchNormMomentum), tf.mul(unbiased, batchNormMomentum)));
  }
  return tf.add(tf.mul(normalized, layer.gamma), layer.beta);
}

/** Inference mode: γ·(z − running mean)/√(running variance + ε) + β; changes nothing. */
export function batchNormInference(z: tf.Tensor2D, layer: BatchNormLayer): tf.Tensor2D {
  const scale = tf.mul(layer.gamma, tf.rsqrt(tf.add(layer.runningVar, batchNormEpsilon)));
  return tf.add(tf.mul(tf.sub(z, layer.runningMean), scale), layer.beta);
}
