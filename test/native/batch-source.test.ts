import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { createBatchSource, disposeBatch, residentBatchSource, uploadBatch } from '../../training/batching';
import { createRng } from '../../training/seeded-random';
import { nativeSkipReason } from './kernel-comparison';

const count = 300;
const rng = createRng(17);
const images = Float32Array.from({ length: count * 784 }, () => rng.nextFloat());
const labels = Uint8Array.from({ length: count }, () => Math.floor(rng.nextFloat() * 10));
const order = createRng(18).shuffleInPlace(Int32Array.from({ length: count }, (_, i) => i));

test('resident batches equal uploaded ones value for value, including a partial last batch', { skip: nativeSkipReason() }, async () => {
  await selectBackend('native');
  const before = tf.memory().numTensors;
  const source = residentBatchSource(images, labels);
  for (const [start, end] of [
    [0, 256],
    [256, 300],
  ] as const) {
    const resident = source.batch(order, start, end);
    const uploaded = uploadBatch(images, labels, order, start, end);
    assert.equal(resident.rows, end - start);
    for (const key of ['x', 'oneHot', 'labels'] as const) {
      assert.deepEqual(resident[key].shape, uploaded[key].shape, key);
      assert.equal(resident[key].dtype, uploaded[key].dtype, key);
      assert.deepEqual(resident[key].dataSync(), uploaded[key].dataSync(), key);
    }
    disposeBatch(resident);
    disposeBatch(uploaded);
  }
  source.dispose();
  assert.equal(tf.memory().numTensors, before);
  // The split's tensors used the dataset's own array; disposing them leaves it untouched.
  assert.equal(images[0], Math.fround(createRng(17).nextFloat()));
});

test('createBatchSource gathers from resident tensors on native and uploads on wasm', { skip: nativeSkipReason() }, async () => {
  await selectBackend('native');
  const onNative = createBatchSource(images, labels);
  assert.equal(onNative.kind, 'resident');
  onNative.dispose();
  await selectBackend('wasm');
  const onWasm = createBatchSource(images, labels);
  assert.equal(onWasm.kind, 'upload');
  onWasm.dispose();
});
