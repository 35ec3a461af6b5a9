/**
 * The regularizer noise of test-time stochastic passes (docs/training.md, "Test-time
 * dropout"). Pass t of epoch e draws, for hidden layer k, one stream seeded by
 * (seed, evalNoise, e, t, k): for the activation-level variants the noise of every test image,
 * row after row, as if the whole test set were one batch; for DropConnect one mask of the
 * weight matrix, shared by every test image as a training minibatch shares it. Nothing here
 * touches a training stream, and evaluation chunks draw their rows of the stream without
 * drawing the rows before them, so the chunk size changes nothing.
 */
import type { RegularizerName } from '../domain/training-limits';
import { fillDropoutMask, type MaskFill } from './dropout-mask';
import { createRng, deriveSeed, randomStreams, streamSeedAfter } from './seeded-random';

/** Which stream: one per (seed, epoch, pass, layer). */
export interface EvalNoiseKey {
  seed: number;
  /** The 1-based epoch after which the test set is evaluated. */
  epoch: number;
  /** 0-based index of the stochastic pass, 0..T−1. */
  pass: number;
  /** 1 or 2: the hidden layer regularized. */
  layer: number;
}

/** The seed of a pass's stream for one hidden layer. */
export function evalNoiseSeed(key: EvalNoiseKey): number {
  return deriveSeed(key.seed, randomStreams.evalNoise, key.epoch, key.pass, key.layer);
}

/** Normals `offset .. offset + count − 1` of the Box–Muller sequence of the stream `seed`, as N(mean, std²). */
function normalsFrom(seed: number, offset: number, count: number, mean: number, std: number): Float32Array {
  // Box–Muller turns draws 2j and 2j+1 into normals 2j and 2j+1, so the piece starts at the
  // pair holding normal `offset` and skips that pair's first normal when offset is odd.
  const rng = createRng(streamSeedAfter(seed, offset - (offset % 2)));
  if (offset % 2 === 1) rng.nextNormal();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + std * rng.nextNormal();
  return out;
}

/**
 * Entries `offset .. offset + count − 1` of a pass's activation noise for one hidden layer,
 * the noise of all test images in row-major order ([test image, unit]), drawn as training draws
 * the variant's: an inverted-dropout mask at rate p, N(1, p/(1−p)) factors, or N(0, p²) terms.
 */
export function evalActivationNoise(
  regularizer: Exclude<RegularizerName, 'dropconnect'>,
  p: number,
  key: EvalNoiseKey,
  offset: number,
  count: number,
  fill: MaskFill = fillDropoutMask,
): Float32Array {
  const seed = evalNoiseSeed(key);
  switch (regularizer) {
    case 'dropout': {
      const mask = new Float32Array(count);
      // A MaskFill draws entry i from draw i of its stream, so starting the stream `offset`
      // draws later gives exactly the piece.
      fill(streamSeedAfter(seed, offset), p, mask);
      return mask;
    }
    case 'gaussian':
      return normalsFrom(seed, offset, count, 1, Math.sqrt(p / (1 - p)));
    case 'additive-gaussian':
      return normalsFrom(seed, offset, count, 0, p);
  }
}

/** A pass's DropConnect mask of the rows × cols weight matrix reading hidden layer `key.layer`. */
export function evalDropconnectMask(rows: number, cols: number, p: number, key: EvalNoiseKey, fill: MaskFill = fillDropoutMask): Float32Array {
  const mask = new Float32Array(rows * cols);
  fill(evalNoiseSeed(key), p, mask);
  return mask;
}
