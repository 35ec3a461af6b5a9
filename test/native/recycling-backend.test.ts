import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { RecyclingCpuBackend } from '../../native/recycling-backend';
import { selectBackend } from '../../training/backends';
import { nativeSkipReason, seededValues } from './kernel-comparison';

const skip = nativeSkipReason();

/** The array behind a tensor, read without the read-out that makes the backend give it up. */
function backingArray(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as RecyclingCpuBackend;
  return backend.data.get(t.dataId).values as Float32Array;
}

async function nativeBackend(): Promise<RecyclingCpuBackend> {
  await selectBackend('native');
  const backend = tf.backend();
  assert.ok(backend instanceof RecyclingCpuBackend);
  return backend;
}

test('a disposed kernel output is handed to the next output of the same length, newest first', { skip }, async () => {
  await nativeBackend();
  const a = tf.tensor2d(seededValues(64 * 64, 1), [64, 64]);
  const first = tf.add(a, a);
  const firstMemory = backingArray(first).buffer;
  first.dispose();
  const second = tf.mul(a, a);
  assert.equal(backingArray(second).buffer, firstMemory);
  // And it holds the new values, not the old ones.
  const expected = seededValues(64 * 64, 1).map((v) => Math.fround(v * v));
  assert.deepEqual(second.dataSync(), expected);
  tf.dispose([a, second]);
});

test('values read out with dataSync stay intact after their tensor is disposed and kernels run on', { skip }, async () => {
  await nativeBackend();
  const a = tf.tensor2d(seededValues(64 * 64, 2), [64, 64]);
  const sum = tf.add(a, a);
  const read = sum.dataSync();
  const copy = Float32Array.from(read);
  sum.dispose();
  const others = Array.from({ length: 4 }, () => tf.mul(a, tf.scalar(3)));
  assert.deepEqual(read, copy);
  tf.dispose([a, ...others]);
});

test('memory that a second tensor views (a contiguous slice) is never recycled under it', { skip }, async () => {
  await nativeBackend();
  const a = tf.tensor2d(seededValues(64 * 64, 3), [64, 64]);
  const product = tf.mul(a, a);
  const rows = tf.slice(product, [0, 0], [16, 64]);
  // tfjs's cpu slice returns a view for contiguous rows: the case this test is about.
  assert.equal(backingArray(rows).buffer, backingArray(product).buffer);
  const expected = Float32Array.from(backingArray(rows));
  product.dispose();
  const others = Array.from({ length: 4 }, () => tf.add(a, a));
  assert.deepEqual(backingArray(rows), expected);
  tf.dispose([a, rows, ...others]);
});

test('arrays a tensor was made from are never recycled', { skip }, async () => {
  const backend = await nativeBackend();
  const values = seededValues(64 * 64, 4);
  const copy = Float32Array.from(values);
  const before = backend.pooledBytes();
  tf.tensor2d(values, [64, 64]).dispose();
  assert.equal(backend.pooledBytes(), before);
  const outputs = Array.from({ length: 4 }, () => tf.tidy(() => tf.add(tf.tensor2d(copy, [64, 64]), 1)));
  assert.deepEqual(values, copy);
  tf.dispose(outputs);
});

test('the pool keeps at most 16 free arrays of one length', { skip }, async () => {
  const backend = await nativeBackend();
  const a = tf.tensor1d(seededValues(5000, 5));
  const startBytes = backend.pooledBytes();
  const outputs = Array.from({ length: 40 }, () => tf.add(a, a));
  tf.dispose(outputs);
  assert.equal(backend.pooledBytes() - startBytes, 16 * 5000 * 4);
  a.dispose();
});
