import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { firstBitDifference, nativeSkipReason, onBothBackends, seededValues } from './kernel-comparison';

const skip = nativeSkipReason();

const cases: Array<{ shape: number[]; axis: number | number[] | null; keepDims: boolean }> = [
  { shape: [256, 256], axis: 0, keepDims: false },
  { shape: [256, 10], axis: 1, keepDims: false },
  { shape: [256, 10], axis: -1, keepDims: true },
  { shape: [256, 10], axis: null, keepDims: false },
  { shape: [256, 784], axis: [0, 1], keepDims: true },
  { shape: [3, 4, 5], axis: 1, keepDims: false },
  { shape: [3, 4, 5, 2], axis: [1, 2], keepDims: true },
  { shape: [3, 4, 5], axis: [0, 2], keepDims: false },
  { shape: [3, 4, 5], axis: [2, 0], keepDims: false },
  { shape: [7], axis: 0, keepDims: false },
  { shape: [0, 4], axis: 0, keepDims: false },
];

test('Sum is bit-identical to the stock cpu kernel for every axis set, with and without keepDims', { skip }, async () => {
  for (const { shape, axis, keepDims } of cases) {
    const length = shape.reduce((a, b) => a * b, 1);
    // Values of very different magnitudes make any change of summation order visible.
    const values = seededValues(length, length).map((v, i) => v * 10 ** ((i % 7) - 3));
    const result = await onBothBackends([{ values, shape }], (x) => tf.sum(x!, axis ?? undefined, keepDims));
    assert.deepEqual(result.nativeShape, result.stockShape, `shape of sum over ${JSON.stringify(axis)} of [${shape}]`);
    const at = firstBitDifference(result.stock, result.native);
    assert.equal(at, -1, `sum over ${JSON.stringify(axis)} of [${shape}] at ${at}: ${result.native[at]} vs ${result.stock[at]}`);
  }
});

test('Mean is bit-identical to the stock cpu kernel for every axis set, with and without keepDims', { skip }, async () => {
  for (const { shape, axis, keepDims } of cases) {
    const length = shape.reduce((a, b) => a * b, 1);
    const values = seededValues(length, length + 1).map((v, i) => v * 10 ** ((i % 7) - 3));
    const result = await onBothBackends([{ values, shape }], (x) => tf.mean(x!, axis ?? undefined, keepDims));
    assert.deepEqual(result.nativeShape, result.stockShape, `shape of mean over ${JSON.stringify(axis)} of [${shape}]`);
    const at = firstBitDifference(result.stock, result.native);
    assert.equal(at, -1, `mean over ${JSON.stringify(axis)} of [${shape}] at ${at}: ${result.native[at]} vs ${result.stock[at]}`);
  }
});

test('Sum of an int32 tensor gives the stock kernel result', { skip }, async () => {
  const result = await onBothBackends([{ values: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] }], (x) => tf.sum(x!, 0));
  assert.deepEqual(Array.from(result.native), [5, 7, 9]);
  assert.deepEqual(Array.from(result.stock), [5, 7, 9]);
});
