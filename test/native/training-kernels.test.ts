import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { fusedKernelNames } from '../../native/kernel-contract';
import { reluDropout, sgdUpdate, softmaxCrossEntropyWithHits } from '../../training/fused-ops';
import { firstBitDifference, nativeSkipReason, onBothBackends, seededValues } from './kernel-comparison';

const skip = nativeSkipReason();

/** A dropout mask of 0 and 1/(1-p) entries. */
function maskValues(length: number, p: number): Float32Array {
  return seededValues(length, 31).map((u) => ((u + 1) / 2 < p ? 0 : 1 / (1 - p)));
}

test('the fused kernels are registered on native only, so every other backend runs the stock composite', { skip }, async () => {
  await selectBackend('native');
  for (const name of Object.values(fusedKernelNames)) {
    assert.ok(tf.getKernel(name, 'native'), `${name} on native`);
    assert.equal(tf.getKernel(name, 'cpu'), undefined, `${name} on cpu`);
  }
});

test('reluDropout and its gradient are bit-identical to tf.mul(tf.relu(x), mask)', { skip }, async () => {
  const shape = [256, 256];
  const x = { values: seededValues(256 * 256, 3), shape };
  const mask = { values: maskValues(256 * 256, 0.5), shape };
  const dy = { values: seededValues(256 * 256, 4), shape };
  // On cpu the composite runs (the fused kernel is not registered there); on native the fused kernel.
  const forward = await onBothBackends([x, mask], (a, m) => reluDropout(a as tf.Tensor2D, m as tf.Tensor2D));
  assert.equal(firstBitDifference(forward.stock, forward.native), -1);
  const backward = await onBothBackends([x, mask, dy], (a, m, d) =>
    tf.grad((input: tf.Tensor) => tf.sum(tf.mul(reluDropout(input as tf.Tensor2D, m as tf.Tensor2D), d!)))(a!),
  );
  assert.equal(firstBitDifference(backward.stock, backward.native), -1);
  assert.deepEqual(backward.nativeShape, shape);
});

test('sgdUpdate is bit-identical to the stock ops with and without weight decay', { skip }, async () => {
  const w = { values: seededValues(784 * 256, 5), shape: [784, 256] };
  const g = { values: seededValues(784 * 256, 6), shape: [784, 256] };
  for (const decay of [0, 1e-3, 0.5]) {
    const result = await onBothBackends([w, g], (a, b) => sgdUpdate(a!, b!, 0.5, decay));
    assert.equal(firstBitDifference(result.stock, result.native), -1, `weight decay ${decay}`);
  }
});

test('softmaxCrossEntropyWithHits agrees with tf.losses.softmaxCrossEntropy and argMax, in value and gradient', { skip }, async () => {
  const rows = 256;
  const logits = { values: seededValues(rows * 10, 8).map((v) => v * 6), shape: [rows, 10] };
  const labelValues = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 10);
  const labels = { values: labelValues, shape: [rows] };
  const oneHot = { values: Float32Array.from({ length: rows * 10 }, (_, i) => (labelValues[Math.floor(i / 10)] === i % 10 ? 1 : 0)), shape: [rows, 10] };
  for (const reduction of ['mean', 'sum'] as const) {
    const score = await onBothBackends([logits, labels, oneHot], (z, l, o) => {
      const { loss, hits } = softmaxCrossEntropyWithHits(z as tf.Tensor2D, l as tf.Tensor1D, o as tf.Tensor2D, reduction);
      return tf.stack([loss, hits]);
    });
    assert.ok(Math.abs(score.native[0]! - score.stock[0]!) <= 1e-6 * Math.abs(score.stock[0]!), `${reduction} loss ${score.native[0]} vs ${score.stock[0]}`);
    assert.equal(score.native[1], score.stock[1], `${reduction} hits`);
    const gradient = await onBothBackends([logits, labels, oneHot], (z, l, o) =>
      tf.grad((input: tf.Tensor) => softmaxCrossEntropyWithHits(input as tf.Tensor2D, l as tf.Tensor1D, o as tf.Tensor2D, reduction).loss)(z!),
    );
    const worst = Array.from(gradient.native).reduce((max, v, i) => Math.max(max, Math.abs(v - gradient.stock[i]!)), 0);
    assert.ok(worst <= 1e-7 * (reduction === 'sum' ? rows : 1), `${reduction} gradient differs by ${worst}`);
  }
});

test('softmaxCrossEntropyWithHits counts ties as tfjs argMax does: the first maximal logit wins', { skip }, async () => {
  const logits = { values: Float32Array.from([1, 1, 0, 2, 2, 2]), shape: [2, 3] };
  const labels = { values: Int32Array.from([1, 0]), shape: [2] };
  const oneHot = { values: Float32Array.from([0, 1, 0, 1, 0, 0]), shape: [2, 3] };
  const result = await onBothBackends(
    [logits, labels, oneHot],
    (z, l, o) => softmaxCrossEntropyWithHits(z as tf.Tensor2D, l as tf.Tensor1D, o as tf.Tensor2D, 'sum').hits,
  );
  assert.equal(result.stock[0], 1);
  assert.equal(result.native[0], 1);
});

test('the fused kernels name the bad input: a label out of range, mismatched shapes, a wrong dtype', { skip }, async () => {
  await selectBackend('native');
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const oneHot = tf.zeros([2, 3]) as tf.Tensor2D;
    assert.throws(() => softmaxCrossEntropyWithHits(logits, tf.tensor1d([0, 3], 'int32'), oneHot, 'mean'), /labels\[1\] is 3; labels must be in \[0, 3\)/);
    assert.throws(
      () => softmaxCrossEntropyWithHits(logits, tf.tensor1d([0, 1, 2], 'int32'), oneHot, 'mean'),
      /logits must be \[rows, classes\] and labels \[rows\], got \[2, 3\] and \[3\]/,
    );
    assert.throws(() => softmaxCrossEntropyWithHits(logits, tf.tensor1d([0, 1]), oneHot, 'mean'), /labels must be an int32 tensor, got float32/);
    assert.throws(() => reluDropout(logits, tf.ones([3, 2]) as tf.Tensor2D), /mask has shape \[3, 2\], x has \[2, 3\]; they must match/);
    assert.throws(() => sgdUpdate(logits, tf.ones([6]), 0.1, 0), /grad has shape \[6\], w has \[2, 3\]/);
  });
  assert.equal(tf.memory().numTensors, before);
});

test('GatherV2 on float32 and int32 rows is bit-identical to the stock kernel and rejects out-of-range indices with its message', { skip }, async () => {
  const images = { values: seededValues(100 * 784, 9), shape: [100, 784] };
  const rows = { values: Int32Array.from([5, 99, 0, 5, 42]), shape: [5] };
  const result = await onBothBackends([images, rows], (x, i) => tf.gather(x!, i!));
  assert.equal(firstBitDifference(result.stock, result.native), -1);
  assert.deepEqual(result.nativeShape, [5, 784]);
  const matrix = await onBothBackends([images, { values: Int32Array.from([1, 2, 3, 4]), shape: [2, 2] }], (x, i) => tf.gather(x!, i!));
  assert.deepEqual(matrix.nativeShape, [2, 2, 784]);
  assert.equal(firstBitDifference(matrix.stock, matrix.native), -1);
  const labels = await onBothBackends(
    [{ values: Int32Array.from({ length: 100 }, (_, i) => (i * 7919) % 2 ** 31 - 2 ** 30), shape: [100] }, rows],
    (x, i) => tf.gather(x!, i!),
  );
  assert.deepEqual(Array.from(labels.native), Array.from(labels.stock));
  // Other axes keep the stock kernel and still agree.
  const columns = await onBothBackends([images, rows], (x, i) => tf.gather(x!, i!, 1));
  assert.equal(firstBitDifference(columns.stock, columns.native), -1);
  await selectBackend('native');
  assert.throws(() => tf.tidy(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([3], 'int32'))), /GatherV2: the index value 3 is not in \[0, 2\]/);
});
