import { deriveSeed, randomStreams } from './seeded-random';

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
 * Fills `out` with the mask of the mulberry32 stream `seed`: entry i is 0 when the i-th draw
 * u/2^32 < p, else 1/(1-p). Every implementation (this one, the native addon's) gives the
 * same values.
 */
export type MaskFill = (seed: number, p: number, out: Float32Array) => void;

/**
 * The JavaScript {@link MaskFill}. mulberry32 is inlined rather than called through
 * createRng: an epoch draws about 30 million values, and the per-draw closure call tripled
 * their cost. test/native checks it against createRng draw for draw.
 */
export function fillDropoutMask(seed: number, p: number, out: Float32Array): void {
  const keptValue = 1 / (1 - p);
  // u/2^32 < p exactly when u < p·2^32: both sides scale by a power of two without rounding.
  const threshold = p * 0x100000000;
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (t ^ (t >>> 14)) >>> 0 < threshold ? 0 : keptValue;
  }
}

/** The seed of a mask's stream. */
export function dropoutMaskSeed(key: DropoutMaskKey): number {
  return deriveSeed(key.seed, randomStreams.dropout, key.epoch, key.batch, key.layer);
}

/**
 * An inverted-dropout mask of rows x cols: each entry is 0 with probability p and 1/(1-p)
 * otherwise, so the expected activation is unchanged and inference needs no rescaling.
 * Drawn from a derived stream rather than tf.randomUniform, whose draws depend on backend
 * and call history.
 */
export function dropoutMask(rows: number, cols: number, p: number, key: DropoutMaskKey, fill: MaskFill = fillDropoutMask): Float32Array {
  const mask = new Float32Array(rows * cols);
  fill(dropoutMaskSeed(key), p, mask);
  return mask;
}
