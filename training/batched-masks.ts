/**
 * Dropout masks for K stacked runs that share a seed, drawn once and thresholded per run on the
 * backend. Runs with the same seed draw the same mulberry32 stream for a (epoch, batch, layer):
 * a single run's mask entry is 0 when the draw u (a 32-bit unsigned integer) is below p·2^32,
 * else 1/(1−p) (training/dropout-mask.ts), so K runs' masks differ only in p. The draws are
 * uploaded once as two float32 halves (each below 2^16, so float32 holds them exactly and every
 * comparison on them is exact on any backend), and each run's mask is then computed on the
 * backend from its own threshold: value for value the mask its single-run training draws.
 */
import * as tf from '@tensorflow/tfjs';
import { dropoutMaskSeed, type DropoutMaskKey } from './dropout-mask';

/** One (epoch, batch, layer)'s draws, as the high and low 16 bits of each 32-bit draw. */
export interface MaskDraws {
  high: Float32Array;
  low: Float32Array;
}

/**
 * The first `count` draws of the mask stream for `key`, split into 16-bit halves. mulberry32
 * is inlined as in fillDropoutMask, whose stream this is, draw for draw.
 */
export function maskDraws(key: DropoutMaskKey, count: number): MaskDraws {
  const high = new Float32Array(count);
  const low = new Float32Array(count);
  let state = dropoutMaskSeed(key) >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (t ^ (t >>> 14)) >>> 0;
    high[i] = u >>> 16;
    low[i] = u & 0xffff;
  }
  return { high, low };
}

/**
 * Per-run constants of the masks of one hidden layer: the threshold ⌈p·2^32⌉ split as the draws
 * are (a draw u is dropped exactly when u < p·2^32, which for an integer u is u < ⌈p·2^32⌉), and
 * the kept value 1/(1−p) rounded to float32 as a single run's mask stores it. Shapes [K, 1, 1].
 */
export interface MaskRates {
  thresholdHigh: tf.Tensor3D;
  thresholdLow: tf.Tensor3D;
  kept: tf.Tensor3D;
}

export function maskRates(rates: readonly number[]): MaskRates {
  const k = rates.length;
  const high = new Float32Array(k);
  const low = new Float32Array(k);
  const kept = new Float32Array(k);
  rates.forEach((p, i) => {
    // At most 2^32 (then every draw is dropped: its high half is at most 2^16 − 1 < 2^16).
    const threshold = Math.ceil(p * 0x100000000);
    high[i] = Math.floor(threshold / 0x10000);
    low[i] = threshold % 0x10000;
    kept[i] = 1 / (1 - p);
  });
  return {
    thresholdHigh: tf.tensor3d(high, [k, 1, 1]),
    thresholdLow: tf.tensor3d(low, [k, 1, 1]),
    kept: tf.tensor3d(kept, [k, 1, 1]),
  };
}

/**
 * The K runs' masks [K, rows, cols] from one set of draws (rows·cols of them) and the runs'
 * rates: 0 where u < ⌈p_k·2^32⌉, else 1/(1−p_k). Call inside a tidy.
 */
export function stackedMasks(draws: MaskDraws, rows: number, cols: number, rates: MaskRates): tf.Tensor3D {
  const high = tf.tensor2d(draws.high, [rows, cols]);
  const low = tf.tensor2d(draws.low, [rows, cols]);
  const dropped = tf.logicalOr(tf.less(high, rates.thresholdHigh), tf.logicalAnd(tf.equal(high, rates.thresholdHigh), tf.less(low, rates.thresholdLow)));
  // 1·kept and 0·kept are exact, so each entry is exactly 0 or the run's float32 kept value.
  return tf.mul(tf.cast(tf.logicalNot(dropped), 'float32'), rates.kept) as tf.Tensor3D;
}

export function disposeMaskRates(rates: MaskRates): void {
  tf.dispose([rates.thresholdHigh, rates.thresholdLow, rates.kept]);
}
