import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropoutMaskSeed } from '../../training/dropout-mask';
import { evalActivationNoise, evalDropconnectMask, evalNoiseSeed } from '../../training/eval-noise';
import { noiseSeed } from '../../training/regularizer-noise';
import { createRng, streamSeedAfter } from '../../training/seeded-random';

test('streamSeedAfter starts a stream exactly where the original stream is after that many draws', () => {
  for (const seed of [0, 1, 0xdeadbeef, 2 ** 32 - 1]) {
    const rng = createRng(seed);
    for (let drawn = 0; drawn <= 1000; drawn++) {
      const expected = rng.nextUint32();
      if (drawn % 97 === 0 || drawn < 5) assert.equal(createRng(streamSeedAfter(seed, drawn)).nextUint32(), expected, `seed ${seed}, draw ${drawn}`);
    }
    // Skips far beyond 2^32 draws compose like additions of draw counts.
    const [a, b] = [3_000_000_123, 5_000_000_007];
    assert.equal(streamSeedAfter(streamSeedAfter(seed, a), b), streamSeedAfter(seed, a + b));
  }
});

test('evalActivationNoise gives every piece of a pass stream exactly as drawn in one piece, at odd offsets too', () => {
  const key = { seed: 11, epoch: 3, pass: 2, layer: 1 };
  for (const regularizer of ['dropout', 'gaussian', 'additive-gaussian'] as const) {
    const whole = evalActivationNoise(regularizer, 0.4, key, 0, 101);
    for (const [offset, count] of [[0, 1], [1, 1], [1, 2], [2, 7], [7, 10], [9, 92], [50, 51]] as const) {
      assert.deepEqual(evalActivationNoise(regularizer, 0.4, key, offset, count), whole.subarray(offset, offset + count), `${regularizer} [${offset}, +${count})`);
    }
  }
  const mask = evalActivationNoise('dropout', 0.4, key, 0, 10_000);
  const dropped = mask.filter((m) => m === 0).length / mask.length;
  assert.ok(Math.abs(dropped - 0.4) < 0.02, `dropped fraction ${dropped}`);
  assert.ok(mask.every((m) => m === 0 || m === Math.fround(1 / 0.6)));
});

test('evaluation noise comes from its own stream, never a training stream, for the same numbers', () => {
  const key = { seed: 3, epoch: 4, pass: 5, layer: 1 };
  const trainingKey = { seed: 3, epoch: 4, batch: 5, layer: 1 };
  const training = [dropoutMaskSeed(trainingKey), noiseSeed('dropconnect', trainingKey), noiseSeed('gaussian', trainingKey), noiseSeed('additiveGaussian', trainingKey)];
  assert.ok(!training.includes(evalNoiseSeed(key)));
  assert.deepEqual(evalDropconnectMask(20, 20, 0.5, key), evalDropconnectMask(20, 20, 0.5, { ...key }));
  for (const change of [{ epoch: 5 }, { pass: 6 }, { layer: 2 }, { seed: 4 }]) {
    assert.notEqual(evalNoiseSeed({ ...key, ...change }), evalNoiseSeed(key));
    assert.notDeepEqual(evalDropconnectMask(20, 20, 0.5, { ...key, ...change }), evalDropconnectMask(20, 20, 0.5, key));
    assert.notDeepEqual(evalActivationNoise('gaussian', 0.5, { ...key, ...change }, 0, 100), evalActivationNoise('gaussian', 0.5, key, 0, 100));
  }
});
