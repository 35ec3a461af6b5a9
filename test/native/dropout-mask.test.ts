import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNativeKernels } from '../../native/native-addon';
import { dropoutMask, dropoutMaskSeed, fillDropoutMask } from '../../training/dropout-mask';
import { createRng } from '../../training/seeded-random';
import { nativeSkipReason } from './kernel-comparison';

/** The mask as first defined: one createRng draw per entry. */
function maskFromRng(seed: number, p: number, length: number): Float32Array {
  const rng = createRng(seed);
  const kept = 1 / (1 - p);
  return Float32Array.from({ length }, () => (rng.nextFloat() < p ? 0 : kept));
}

const probabilities = [0, 0.2, 0.5, 0.9, 0.999];

test('fillDropoutMask draws exactly the masks of createRng for every p', () => {
  for (const p of probabilities) {
    for (const seed of [0, 1, 0xffffffff, dropoutMaskSeed({ seed: 7, epoch: 3, batch: 11, layer: 2 })]) {
      const mask = new Float32Array(4099);
      fillDropoutMask(seed, p, mask);
      assert.deepEqual(mask, maskFromRng(seed, p, mask.length), `seed ${seed}, p ${p}`);
    }
  }
});

test('the native dropout mask equals the JavaScript one value for value', { skip: nativeSkipReason() }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  for (const p of probabilities) {
    for (const length of [0, 1, 255, 65536]) {
      const seed = dropoutMaskSeed({ seed: 123456789012, epoch: 2, batch: length, layer: 1 });
      const fromJs = dropoutMask(1, length, p, { seed: 123456789012, epoch: 2, batch: length, layer: 1 });
      const fromNative = new Float32Array(length);
      load.kernels.dropoutMask(seed, p, fromNative);
      assert.deepEqual(fromNative, fromJs, `p ${p}, length ${length}`);
    }
  }
});

test('the native dropout mask rejects p outside [0, 1) and seeds outside 32 bits', { skip: nativeSkipReason() }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  assert.throws(() => load.kernels.dropoutMask(1, 1, new Float32Array(4)), /p must be in \[0, 1\), got 1/);
  assert.throws(() => load.kernels.dropoutMask(2 ** 32, 0.5, new Float32Array(4)), RangeError);
});

test('the native dropout mask matches JavaScript where p·2^32 falls between or on integers, and next to 0 and 1', { skip: nativeSkipReason() }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  // The native kernel compares the raw draw with ceil(p·2^32); these p put that bound on, just
  // above, and just below an integer, and at both ends of the range.
  for (const p of [2 ** -33, 2 ** -32, 0.5, 0.5 + 2 ** -40, 0.5 - 2 ** -40, 1 - 2 ** -32, 1 - 2 ** -33, 1 - 2 ** -52]) {
    for (const seed of [0, 42, 0xfffffffe]) {
      const fromJs = new Float32Array(20011);
      fillDropoutMask(seed, p, fromJs);
      const fromNative = new Float32Array(fromJs.length);
      load.kernels.dropoutMask(seed, p, fromNative);
      assert.deepEqual(fromNative, fromJs, `p ${p}, seed ${seed}`);
    }
  }
  const allDropped = new Float32Array(1000);
  load.kernels.dropoutMask(5, 1 - 2 ** -52, allDropped);
  assert.ok(allDropped.every((v) => v === 0));
});
