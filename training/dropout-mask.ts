import { createRng, deriveSeed, randomStreams } from './seeded-random';

/** Which dropout mask: one per (seed, epoch, batch, layer), so resumed runs redraw identical masks. */
export interface DropoutMaskKey {
  seed: number;
  epoch: number;
  /** 0-based minibatch index within the epoch. */
  batch: number;
  /** 1 or 2: the hidden layer the mask follows. */
  layer: number;
}

/**
 * An inverted-dropout mask of rows x cols: each entry is 0 with probability p and 1/(1-p)
 * otherwise, so the expected activation is unchanged and inference needs no rescaling.
 * Drawn in JS from a derived stream rather than tf.randomUniform, whose draws depend on
 * backend and call history.
 */
export function dropoutMask(rows: number, cols: number, p: number, key: DropoutMaskKey): Float32Array {
  const rng = createRng(deriveSeed(key.seed, randomStreams.dropout, key.epoch, key.batch, key.layer));
  const keptValue = 1 / (1 - p);
  const mask = new Float32Array(rows * cols);
  for (let i = 0; i < mask.length; i++) {
    mask[i] = rng.nextFloat() < p ? 0 : keptValue;
  }
  return mask;
}
