import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import type { WeightArray } from '../../training/checkpoint-codec';
import { dense } from '../../training/dense-op';
import { dropoutMask, dropoutMaskSeed, fillDropoutMask, type MaskFill } from '../../training/dropout-mask';
import { activationVariances } from '../../training/evaluate';
import { buildMlp } from '../../training/mlp';
import { createRng } from '../../training/seeded-random';
import { withTrainDefaults } from '../../training/train-config';
import { CheckpointError, TrainConfigError } from '../../training/training-errors';

before(async () => {
  await selectBackend('wasm');
});

/** Small synthetic pixel rows: enough to check arithmetic, never used as a training result. */
function syntheticImages(rows: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * 784 }, () => rng.nextFloat()), [rows, 784]);
}

function matMulAdd(x: number[][], w: WeightArray, b: WeightArray): number[][] {
  const [inputs, outputs] = w.shape as [number, number];
  return x.map((row) =>
    Array.from({ length: outputs }, (_, j) => {
      let sum = b.data[j]!;
      for (let i = 0; i < inputs; i++) sum += row[i]! * w.data[i * outputs + j]!;
      return sum;
    }),
  );
}

const relu = (m: number[][]): number[][] => m.map((row) => row.map((v) => Math.max(0, v)));

test('buildMlp draws weights from N(0, initStd²) with zero biases and validates the config first', () => {
  const mlp = buildMlp(withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 5, epochs: 1 }));
  try {
    const [W1, b1, W2, , W3, b3] = mlp.readWeights();
    assert.deepEqual([W1!.shape, W2!.shape, W3!.shape, b3!.shape], [[784, 256], [256, 256], [256, 10], [10]]);
    assert.ok(b1!.data.every((v) => v === 0));
    const values = W1!.data;
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(mean) < 1e-4 && Math.abs(std - 0.01) < 2e-4, `mean ${mean}, std ${std}`);
    const again = buildMlp(mlp.config);
    assert.deepEqual(again.readWeights(), mlp.readWeights());
    again.dispose();
  } finally {
    mlp.dispose();
  }
  assert.throws(() => buildMlp({ ...withTrainDefaults({ dropout1: 0, dropout2: 0, weightDecay: 0, seed: 1, epochs: 1 }), dropout1: 1.2 }), TrainConfigError);
});

test('forward in inference mode applies no dropout and matches a manual computation when dropout is 0.9', () => {
  const mlp = buildMlp(withTrainDefaults({ dropout1: 0.9, dropout2: 0.9, weightDecay: 0, seed: 11, epochs: 1, hidden: [8, 6], initStd: 0.5 }));
  const x = syntheticImages(4, 3);
  try {
    const first = mlp.forward(x, { training: false });
    const second = mlp.forward(x, { training: false });
    const [W1, b1, W2, b2, W3, b3] = mlp.readWeights() as [WeightArray, WeightArray, WeightArray, WeightArray, WeightArray, WeightArray];
    const expected = matMulAdd(relu(matMulAdd(relu(matMulAdd(x.arraySync(), W1, b1)), W2, b2)), W3, b3);
    assert.deepEqual(first.dataSync(), second.dataSync());
    first.arraySync().forEach((row, r) =>
      row.forEach((value, j) => assert.ok(Math.abs(value - expected[r]![j]!) < 1e-4, `${value} vs ${expected[r]![j]}`)),
    );
    tf.dispose([first, second]);
  } finally {
    x.dispose();
    mlp.dispose();
  }
});

test('forward in training mode zeroes about p of the units and scales the rest by 1/(1-p)', () => {
  const p = 0.3;
  const mlp = buildMlp(withTrainDefaults({ dropout1: p, dropout2: 0.6, weightDecay: 0, seed: 2, epochs: 1, initStd: 0.1 }));
  const x = syntheticImages(64, 4);
  try {
    const clean = mlp.forwardWithActivations(x, { training: false });
    const dropped = mlp.forwardWithActivations(x, { training: true, epoch: 1, batch: 0 });
    const repeat = mlp.forwardWithActivations(x, { training: true, epoch: 1, batch: 0 });
    const nextBatch = mlp.forwardWithActivations(x, { training: true, epoch: 1, batch: 1 });
    const reference = clean.hidden1.dataSync();
    const observed = dropped.hidden1.dataSync();
    let active = 0;
    let zeroed = 0;
    reference.forEach((value, i) => {
      if (value <= 0) return;
      active++;
      if (observed[i] === 0) zeroed++;
      else assert.ok(Math.abs(observed[i]! - value / (1 - p)) <= 1e-6 * value, `${observed[i]} vs ${value / (1 - p)}`);
    });
    assert.ok(active > 5000, `only ${active} active units`);
    assert.ok(Math.abs(zeroed / active - p) < 0.03, `zeroed fraction ${zeroed / active}`);
    assert.deepEqual(repeat.logits.dataSync(), dropped.logits.dataSync());
    assert.notDeepEqual(nextBatch.hidden1.dataSync(), observed);
    tf.dispose([clean, dropped, repeat, nextBatch].flatMap((o) => [o.logits, o.hidden1, o.hidden2]));
  } finally {
    x.dispose();
    mlp.dispose();
  }
});

test('dropoutMask drops a fraction p and keeps 1/(1-p) when drawn for 100k units', () => {
  const p = 0.5;
  const mask = dropoutMask(100, 1000, p, { seed: 1, epoch: 2, batch: 3, layer: 1 });
  const zeros = mask.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / mask.length - p) < 0.01);
  assert.ok(mask.every((v) => v === 0 || v === Math.fround(1 / (1 - p))));
  assert.deepEqual(dropoutMask(100, 1000, p, { seed: 1, epoch: 2, batch: 3, layer: 1 }), mask);
  assert.notDeepEqual(dropoutMask(100, 1000, p, { seed: 1, epoch: 2, batch: 3, layer: 2 }), mask);
});

test('activationVariances matches a hand computation on a 784-2-2-10 network', () => {
  const mlp = buildMlp(withTrainDefaults({ dropout1: 0.5, dropout2: 0.5, weightDecay: 0, seed: 1, epochs: 1, hidden: [2, 2] }));
  const W1 = new Float32Array(784 * 2);
  W1.set([1, -1, 2, 1]); // pixel 0 → (1, -1), pixel 1 → (2, 1)
  mlp.assignWeights([
    { name: 'W1', shape: [784, 2], data: W1 },
    { name: 'b1', shape: [2], data: Float32Array.from([0, 0.1]) },
    { name: 'W2', shape: [2, 2], data: Float32Array.from([1, 0, 1, -1]) },
    { name: 'b2', shape: [2], data: Float32Array.from([0, 0.3]) },
    { name: 'W3', shape: [2, 10], data: new Float32Array(20) },
    { name: 'b3', shape: [10], data: new Float32Array(10) },
  ]);
  const pixels = new Float32Array(3 * 784);
  [[0.1, 0.2], [0.5, 0], [1, 0.4]].forEach(([p0, p1], r) => pixels.set([p0!, p1!], r * 784));
  const probe = tf.tensor2d(pixels, [3, 784]);
  try {
    // hidden1 = relu(x·W1 + b1) = [[0.5, 0.2], [0.5, 0], [1.8, 0]]: mean 0.5, variance 2.28 / 6 = 0.38.
    // hidden2 = relu(h1·W2 + b2) = [[0.7, 0.1], [0.5, 0.3], [1.8, 0.3]]: mean 3.7 / 6, variance 0.3147222…
    const [var1, var2] = activationVariances(mlp, probe);
    assert.ok(Math.abs(var1 - 0.38) < 1e-6, `var1 ${var1}`);
    assert.ok(Math.abs(var2 - 0.3147222222) < 1e-6, `var2 ${var2}`);
  } finally {
    probe.dispose();
    mlp.dispose();
  }
});

test('assignWeights throws a CheckpointError naming the tensor when a shape does not fit the model', () => {
  const mlp = buildMlp(withTrainDefaults({ dropout1: 0, dropout2: 0, weightDecay: 0, seed: 1, epochs: 1, hidden: [4, 3] }));
  const other = buildMlp(withTrainDefaults({ dropout1: 0, dropout2: 0, weightDecay: 0, seed: 1, epochs: 1, hidden: [4, 5] }));
  try {
    assert.throws(() => mlp.assignWeights(other.readWeights()), (error: unknown) =>
      error instanceof CheckpointError && error.message === 'checkpoint tensor W2 has shape [4, 5], the model needs [4, 3] (hidden 4x3)');
    assert.throws(() => mlp.assignWeights(other.readWeights().slice(1)), /checkpoint lacks W1/);
  } finally {
    mlp.dispose();
    other.dispose();
  }
});

test('dense gives the gradients of plain matMul + add when differentiated with and without the input', () => {
  const rng = createRng(8);
  const random = (shape: number[]): tf.Tensor =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.nextNormal()), shape);
  const [x, w, b, dy] = [random([3, 4]), random([4, 5]), random([5]), random([3, 5])] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
  const reference = tf.grads((xi, wi, bi) => tf.sum(tf.mul(tf.add(tf.matMul(xi as tf.Tensor2D, wi as tf.Tensor2D), bi!), dy)))([x, w, b]);
  const custom = tf.grads((xi, wi, bi) => tf.sum(tf.mul(dense(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D, true), dy)))([x, w, b]);
  const onData = tf.grads((wi, bi) => tf.sum(tf.mul(dense(x, wi as tf.Tensor2D, bi as tf.Tensor1D, false), dy)))([w, b]);
  const close = (a: tf.Tensor, e: tf.Tensor): void =>
    a.dataSync().forEach((v, i) => assert.ok(Math.abs(v - e.dataSync()[i]!) < 1e-5, `${v} vs ${e.dataSync()[i]}`));
  reference.forEach((g, i) => close(custom[i]!, g));
  close(onData[0]!, reference[1]!);
  close(onData[1]!, reference[2]!);
  tf.dispose([x, w, b, dy, ...reference, ...custom, ...onData]);
});

test('forward gives the same gradients for [n, 28, 28] images as for flattened rows when training', () => {
  const mlp = buildMlp(withTrainDefaults({ dropout1: 0.5, dropout2: 0, weightDecay: 0, seed: 4, epochs: 1, hidden: [6, 5], initStd: 0.3 }));
  const flat = syntheticImages(3, 12);
  const square = tf.reshape(flat, [3, 28, 28]);
  const mode = { training: true, epoch: 2, batch: 5 } as const;
  try {
    const lossOf = (images: tf.Tensor) => () => tf.sum(mlp.forward(images, mode)) as tf.Scalar;
    const fromFlat = tf.variableGrads(lossOf(flat), mlp.variables);
    const fromSquare = tf.variableGrads(lossOf(square), mlp.variables);
    for (const v of mlp.variables) {
      assert.deepEqual(fromSquare.grads[v.name]!.dataSync(), fromFlat.grads[v.name]!.dataSync());
    }
    tf.dispose([fromFlat.value, fromSquare.value, ...Object.values(fromFlat.grads), ...Object.values(fromSquare.grads)]);
  } finally {
    tf.dispose([flat, square]);
    mlp.dispose();
  }
});

test('buildMlp draws its training-mode dropout masks with the mask fill it is given', () => {
  const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 9, epochs: 1, hidden: [4, 3] });
  const calls: Array<[number, number, number]> = [];
  const recording: MaskFill = (seed, p, out) => {
    calls.push([seed, p, out.length]);
    fillDropoutMask(seed, p, out);
  };
  const injected = buildMlp(config, { maskFill: recording });
  const plain = buildMlp(config);
  const images = syntheticImages(2, 4);
  const mode = { training: true, epoch: 3, batch: 5 } as const;
  try {
    const [a, b] = [injected.forward(images, mode), plain.forward(images, mode)];
    // Both layers' masks come from the injected fill, keyed (seed, epoch, batch, layer), and
    // since every mask fill draws the same values the logits match the default model's.
    assert.deepEqual(calls, [
      [dropoutMaskSeed({ seed: 9, epoch: 3, batch: 5, layer: 1 }), 0.2, 2 * 4],
      [dropoutMaskSeed({ seed: 9, epoch: 3, batch: 5, layer: 2 }), 0.5, 2 * 3],
    ]);
    assert.deepEqual(a.dataSync(), b.dataSync());
    tf.dispose([a, b]);
    injected.forward(images, { training: false }).dispose();
    assert.equal(calls.length, 2);
  } finally {
    images.dispose();
    injected.dispose();
    plain.dispose();
  }
});
