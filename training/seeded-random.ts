/**
 * Deterministic pseudo-random numbers for training. Every random draw of a run (weight init,
 * shuffle order, dropout masks, the regularizer variants' masks and noise, training subset,
 * the noise of test-time stochastic evaluation passes)
 * comes from a stream whose seed is derived from a tuple such as (seed, stream, epoch, batch,
 * layer). No stream carries state across epochs, so a run resumed at an epoch boundary draws
 * exactly what an uninterrupted run would have drawn.
 */

/** Stream identifiers, the second element of every {@link deriveSeed} tuple used by training. */
export const randomStreams = {
  init: 1,
  shuffle: 2,
  dropout: 3,
  subset: 4,
  // One tag per regularizer variant, so no variant's draws coincide with dropout's masks
  // (or another variant's) for the same (seed, epoch, batch, layer).
  dropconnect: 5,
  gaussian: 6,
  additiveGaussian: 7,
  // The regularizer noise of test-time stochastic passes: a stream of its own, so evaluating
  // with noise draws nothing that training draws and leaves every training stream untouched.
  evalNoise: 8,
} as const;

/** A seeded generator; not shareable across streams by design. */
export interface Rng {
  /** Uniform on [0, 1), 32 bits of resolution. */
  nextFloat(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Standard normal N(0, 1) by the Box–Muller transform. */
  nextNormal(): number;
  /** Fisher–Yates shuffle of `values`, in place; returns the same array. */
  shuffleInPlace(values: Int32Array): Int32Array;
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes a tuple of integers into one 32-bit seed; different tuples (including tuples that
 * differ only in length or order) give unrelated seeds.
 *
 * @param parts safe integers (negative and values above 2^32 are allowed).
 * @throws RangeError when a part is not a safe integer.
 */
export function deriveSeed(...parts: number[]): number {
  let h = mix32(0x9e3779b9 ^ parts.length);
  for (const part of parts) {
    if (!Number.isSafeInteger(part)) {
      throw new RangeError(`deriveSeed parts must be safe integers, got ${part}`);
    }
    const low = part >>> 0;
    const high = Math.floor(part / 0x100000000) >>> 0;
    for (const word of [low, high]) {
      h = mix32(Math.imul(h ^ word, 0xcc9e2d51) + 0x9e3779b9);
    }
  }
  return h;
}

/** mulberry32 adds this to its state at every draw. */
const mulberry32Increment = 0x6d2b79f5;

/**
 * The seed of the mulberry32 stream that begins at draw `draws` of stream `seed`. The
 * generator's state after n draws is seed + n·increment (mod 2^32), so a long stream can be
 * drawn in pieces, in any order, with the values of one unbroken pass.
 *
 * @param draws a non-negative safe integer.
 */
export function streamSeedAfter(seed: number, draws: number): number {
  // Math.imul reduces both factors mod 2^32 exactly (ToInt32), which is all the sum needs.
  return (seed + Math.imul(draws, mulberry32Increment)) >>> 0;
}

/** Creates a mulberry32 generator; identical seeds give identical sequences on every platform. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spareNormal: number | null = null;

  const nextUint32 = (): number => {
    state = (state + mulberry32Increment) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const nextFloat = (): number => nextUint32() / 0x100000000;

  return {
    nextFloat,
    nextUint32,
    nextNormal(): number {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      // 1 - u lies in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - nextFloat()));
      const angle = 2 * Math.PI * nextFloat();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    shuffleInPlace(values: Int32Array): Int32Array {
      for (let i = values.length - 1; i > 0; i--) {
        const j = Math.floor(nextFloat() * (i + 1));
        const held = values[i]!;
        values[i] = values[j]!;
        values[j] = held;
      }
      return values;
    },
  };
}
