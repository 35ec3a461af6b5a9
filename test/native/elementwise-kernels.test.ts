import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { firstBitDifference, nativeSkipReason, onBothBackends, seededValues } from './kernel-comparison';

const skip = nativeSkipReason();

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

// Every broadcast the model and its gradients use ([n, h] with [h]: bias; with a scalar: the
// learning rate; with [n, 1]: softmax), plus general ones.
const shapePairs: Array<[number[], number[]]> = [
  [
    [256, 256],
    [256, 256],
  ],
  [[256, 256], [256]],
  [
    [256, 10],
    [256, 1],
  ],
  [[256, 784], []],
  [[], [5, 3]],
  [[1], [4, 3]],
  [
    [3, 1, 5],
    [1, 4, 1],
  ],
  [
    [2, 3, 4, 5],
    [3, 1, 5],
  ],
  [
    [4, 1],
    [1, 6],
  ],
  [[0, 3], [3]],
];

const binaryOps: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['Add', tf.add],
  ['Sub', tf.sub],
  ['Multiply', tf.mul],
  ['RealDiv', tf.div],
];

for (const [name, op] of binaryOps) {
  test(`${name} is bit-identical to the stock cpu kernel for every broadcast shape pair`, { skip }, async () => {
    for (const [aShape, bShape] of shapePairs) {
      for (const [first, second] of [
        [aShape, bShape],
        [bShape, aShape],
      ] as const) {
        const result = await onBothBackends(
          [
            { values: seededValues(size(first), first.length + 1), shape: first },
            { values: seededValues(size(second), 7), shape: second },
          ],
          (a, b) => op(a!, b!),
        );
        assert.deepEqual(result.nativeShape, result.stockShape);
        const at = firstBitDifference(result.stock, result.native);
        assert.equal(at, -1, `[${first}] ${name} [${second}] at ${at}: native ${result.native[at]} vs stock ${result.stock[at]}`);
      }
    }
  });
}

test('binary kernels leave int32 tensors to the stock kernel and give its result', { skip }, async () => {
  const a = Int32Array.from([1, -2, 3, 2147483647]);
  const b = Int32Array.from([5, 6, -7, 1]);
  const result = await onBothBackends(
    [
      { values: a, shape: [4] },
      { values: b, shape: [4] },
    ],
    (x, y) => tf.add(x!, y!),
  );
  assert.deepEqual(Array.from(result.native), Array.from(result.stock));
});

test('Relu and Step are bit-identical to the stock cpu kernels, including NaN, ±0 and ±Infinity', { skip }, async () => {
  const special = Float32Array.from([Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45]);
  const values = new Float32Array(special.length + 1000);
  values.set(special);
  values.set(seededValues(1000, 3), special.length);
  for (const op of [tf.relu, (x: tf.Tensor) => tf.step(x, 0), (x: tf.Tensor) => tf.step(x, 0.3)]) {
    const result = await onBothBackends([{ values, shape: [values.length] }], (x) => op(x!));
    const at = firstBitDifference(result.stock, result.native);
    assert.equal(at, -1, `at ${at}: input ${values[at]}, native ${result.native[at]} vs stock ${result.stock[at]}`);
  }
});

test('gradients of a dropout MLP layer agree with the stock cpu backend', { skip }, async () => {
  const x = seededValues(32 * 20, 41);
  const w = seededValues(20 * 8, 42);
  const bias = seededValues(8, 43);
  const mask = seededValues(32 * 8, 44).map((v) => (v < 0 ? 0 : 2));
  const result = await onBothBackends(
    [
      { values: x, shape: [32, 20] },
      { values: w, shape: [20, 8] },
      { values: bias, shape: [8] },
      { values: mask, shape: [32, 8] },
    ],
    (xs, ws, bs, ms) => {
      const grads = tf.grads((wv, bv) => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(xs!, wv!), bv!)), ms!)))([ws!, bs!]);
      return tf.concat([tf.reshape(grads[0]!, [-1]), grads[1]!]);
    },
  );
  result.stock.forEach((value, i) => assert.ok(Math.abs(value - result.native[i]!) <= 1e-5 * (1 + Math.abs(value)), `grad ${i}`));
});
