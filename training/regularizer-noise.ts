/**
 * The random draws of the regularizer variants other than dropout (docs/training.md,
 * "Regularizer variants"). Like dropout's masks, each is one stream per (seed, epoch, batch,
 * layer) under its own stream tag, drawn in JavaScript: resumed runs redraw exactly the same
 * values and no backend's random generator is involved.
 */
import { fillDropoutMask, type DropoutMaskKey, type MaskFill } from './dropout-mask';
import { createRng, deriveSeed, randomStreams } from './seeded-random';

/** Which draw: the same key as a dropout mask's; `layer` is the hidden layer (1 or 2) regularized. */
export type NoiseKey = DropoutMaskKey;

/** The seed of a variant's stream for one (seed, epoch, batch, layer). */
export function noiseSeed(stream: 'dropconnect' | 'gaussian' | 'additiveGaussian', key: NoiseKey): number {
  return deriveSeed(key.seed, randomStreams[stream], key.epoch, key.batch, key.layer);
}

/**
 * The DropConnect mask of the rows x cols weight matrix that reads hidden layer `key.layer`:
 * each weight is 0 with probability p, else 1/(1−p), drawn exactly as a dropout mask is (so
 * any {@link MaskFill} serves) but from the dropconnect stream. One mask per minibatch, shared
 * by its examples, as in Wan et al.'s efficient variant.
 */
export function dropconnectMask(rows: number, cols: number, p: number, key: NoiseKey, fill: MaskFill = fillDropoutMask): Float32Array {
  const mask = new Float32Array(rows * cols);
  fill(noiseSeed('dropconnect', key), p, mask);
  return mask;
}

function normals(seed: number, mean: number, std: number, count: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + std * rng.nextNormal();
  return out;
}

/**
 * Multiplicative Gaussian noise for rate p in [0, 1): entries from N(1, p/(1−p)), the variance
 * of an inverted-dropout mask at rate p (its entries are 0 or 1/(1−p) with mean 1), so both
 * perturb the activations by the same amount on average (Srivastava et al. 2014, §10).
 */
export function gaussianNoise(rows: number, cols: number, p: number, key: NoiseKey): Float32Array {
  return normals(noiseSeed('gaussian', key), 1, Math.sqrt(p / (1 - p)), rows * cols);
}

/** Additive Gaussian noise: entries from N(0, σ²). */
export function additiveGaussianNoise(rows: number, cols: number, sigma: number, key: NoiseKey): Float32Array {
  return normals(noiseSeed('additiveGaussian', key), 0, sigma, rows * cols);
}
