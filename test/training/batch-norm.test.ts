import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { batchNormEpsilon, batchNormInference, batchNormMomentum, batchNormTrain, createBatchNormLayer, type BatchNormLayer } from '../../training/batch-norm';
import { disposeBatch, rangeIndices, uploadBatch } from '../../training/batching';
import { encodeWeights, decodeWeights } from '../../training/checkpoint-codec';
import { batchNormStateNames, buildMlp, mlpParamNames } from '../../training/mlp';
import { sgdStep } from '../../training/sgd-step';
import { withTrainDefaults } from '../../training/train-config';
import { CheckpointError } from '../../training/training-errors';

before(async () => {
  await selectBackend('wasm');
});

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance * (1 + Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function layerWith(gamma: number[], beta: number[]): BatchNormLayer {
  const layer = createBatchNormLayer(gamma.length);
  layer.gamma.assign(tf.tensor1d(gamma));
  layer.beta.assign(tf.tensor1d(beta));
  return layer;
}

const disposeLayer = (layer: BatchNormLayer): void => tf.dispose([layer.gamma, layer.beta, layer.runningMean, layer.runningVar]);

test('createBatchNormLayer starts with γ 1, β 0, running mean 0 and running variance 1 as PyTorch does', () => {
  const layer = createBatchNormLayer(3);
  assert.deepEqual(
    [layer.gamma, layer.beta, layer.runningMean, layer.runningVar].map((v) => Array.from(v.dataSync())),
    [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]],
  );
  assert.deepEqual([layer.gamma.trainable, layer.beta.trainable, layer.runningMean.trainable, layer.runningVar.trainable], [true, true, false, false]);
  disposeLayer(layer);
});

test('batchNormTrain normalizes with the biased batch variance and moves the running statistics by momentum 0.1 towards the unbiased ones', () => {
  assert.equal(batchNormEpsilon, 1e-5);
  assert.equal(batchNormMomentum, 0.1);
  const layer = layerWith([2, 0.5], [0.1, -1]);
  // Columns (1, 3, 5) and (2, 6, 10): means 3 and 6, biased variances 8/3 and 32/3, unbiased 4 and 16.
  const z = tf.tensor2d([[1, 2], [3, 6], [5, 10]]);
  try {
    const y = tf.tidy(() => batchNormTrain(z, layer));
    const s1 = Math.sqrt(8 / 3 + 1e-5);
    const s2 = Math.sqrt(32 / 3 + 1e-5);
    const expected = [[-2, -4], [0, 0], [2, 4]].flatMap(([d1, d2]) => [(2 * d1!) / s1 + 0.1, (0.5 * d2!) / s2 - 1]);
    assertClose(y.dataSync(), expected, 1e-6, 'y');
    // running = 0.9·(0, 0) + 0.1·(3, 6) and 0.9·(1, 1) + 0.1·(4, 16).
    assertClose(layer.runningMean.dataSync(), [0.3, 0.6], 1e-6, 'running mean');
    assertClose(layer.runningVar.dataSync(), [1.3, 2.5], 1e-6, 'running variance');
    y.dispose();

    const inferred = tf.tidy(() => batchNormInference(z, layer));
    const expectedInference = [1, 3, 5].flatMap((v, r) => [
      (2 * (v - 0.3)) / Math.sqrt(1.3 + 1e-5) + 0.1,
      (0.5 * ([2, 6, 10][r]! - 0.6)) / Math.sqrt(2.5 + 1e-5) - 1,
    ]);
    assertClose(inferred.dataSync(), expectedInference, 1e-6, 'inference');
    assertClose(layer.runningMean.dataSync(), [0.3, 0.6], 1e-6, 'running mean after inference');
    inferred.dispose();
  } finally {
    z.dispose();
    disposeLayer(layer);
  }
});

test('batchNormTrain outputs β and leaves the running statistics alone when the batch has one row', () => {
  const layer = layerWith([2, 3], [0.25, -0.5]);
  const z = tf.tensor2d([[4, -7]]);
  try {
    const y = tf.tidy(() => batchNormTrain(z, layer));
    assert.deepEqual(Array.from(y.dataSync()), [0.25, -0.5]);
    assert.deepEqual([Array.from(layer.runningMean.dataSync()), Array.from(layer.runningVar.dataSync())], [[0, 0], [1, 1]]);
    y.dispose();
  } finally {
    z.dispose();
    disposeLayer(layer);
  }
});

test('batchNormTrain gradients match the closed form of Ioffe and Szegedy when differentiated in z, γ and β', () => {
  const zValues = [[0.3, -1.2, 2], [1.1, 0.4, -0.5], [-0.7, 0.9, 1.5], [2.2, -0.3, 0.1]];
  const dyValues = [[0.5, -1, 0.25], [-0.75, 0.2, 1], [1.5, 0.6, -0.4], [0.1, -0.9, 0.3]];
  const gamma = [1.5, -0.5, 0.8];
  const layer = layerWith(gamma, [0.2, 0.1, -0.3]);
  const [z, dy] = [tf.tensor2d(zValues), tf.tensor2d(dyValues)];
  try {
    const grads = tf.grads((zi, gi, bi) => {
      const held = { ...layer, gamma: gi as tf.Variable<tf.Rank.R1>, beta: bi as tf.Variable<tf.Rank.R1> };
      return tf.sum(tf.mul(batchNormTrain(zi as tf.Tensor2D, held), dy));
    })([z, layer.gamma, layer.beta]);
    // With x̂ = (z − μ)/σ, σ = √(σ²_B + ε), over m rows per column:
    //   ∂L/∂β = Σ dy, ∂L/∂γ = Σ dy·x̂, ∂L/∂z = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)).
    const m = zValues.length;
    const expected = { dz: zValues.map((row) => row.map(() => 0)), dgamma: [0, 0, 0], dbeta: [0, 0, 0] };
    for (let j = 0; j < 3; j++) {
      const column = zValues.map((row) => row[j]!);
      const mean = column.reduce((a, v) => a + v, 0) / m;
      const sigma = Math.sqrt(column.reduce((a, v) => a + (v - mean) ** 2, 0) / m + 1e-5);
      const xHat = column.map((v) => (v - mean) / sigma);
      const d = dyValues.map((row) => row[j]!);
      const meanD = d.reduce((a, v) => a + v, 0) / m;
      const meanDX = d.reduce((a, v, i) => a + v * xHat[i]!, 0) / m;
      expected.dbeta[j] = meanD * m;
      expected.dgamma[j] = meanDX * m;
      for (let i = 0; i < m; i++) expected.dz[i]![j] = (gamma[j]! / sigma) * (d[i]! - meanD - xHat[i]! * meanDX);
    }
    assertClose(grads[0]!.dataSync(), expected.dz.flat(), 1e-5, '∂L/∂z');
    assertClose(grads[1]!.dataSync(), expected.dgamma, 1e-5, '∂L/∂γ');
    assertClose(grads[2]!.dataSync(), expected.dbeta, 1e-5, '∂L/∂β');
    tf.dispose(grads);
  } finally {
    tf.dispose([z, dy]);
    disposeLayer(layer);
  }
});

test('a checkpoint of the six d2l tensors loads into a model without batch norm and is refused by one with it', () => {
  const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 4, epochs: 1, hidden: [4, 3] });
  const plain = buildMlp(config);
  const normalized = buildMlp({ ...config, batchNorm: true });
  const other = buildMlp({ ...config, seed: 5 });
  try {
    const sixTensors = decodeWeights(encodeWeights(other.readWeights()));
    assert.deepEqual(sixTensors.map((w) => w.name), [...mlpParamNames]);
    plain.assignWeights(sixTensors);
    assert.deepEqual(plain.readWeights(), other.readWeights());
    assert.throws(
      () => normalized.assignWeights(sixTensors),
      (error: unknown) => error instanceof CheckpointError && error.message.startsWith(`checkpoint lacks gamma1; expected tensors ${[...mlpParamNames, ...batchNormStateNames].join(', ')}`),
    );
    assert.throws(
      () => plain.assignWeights(normalized.readWeights()),
      (error: unknown) => error instanceof CheckpointError && error.message.startsWith('checkpoint holds gamma1, which this model (batchNorm false) lacks'),
    );
  } finally {
    [plain, normalized, other].forEach((mlp) => mlp.dispose());
  }
});

test('a batch-norm model stores γ, β and the running statistics and restores them exactly from its checkpoint', () => {
  const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 4, epochs: 1, hidden: [4, 3], batchNorm: true });
  const trained = buildMlp(config);
  const fresh = buildMlp(config);
  const x = tf.tensor2d(Float32Array.from({ length: 6 * 784 }, (_, i) => (i % 13) / 13), [6, 784]);
  try {
    // A training-mode pass moves the running statistics away from their initial values.
    tf.dispose(trained.forward(x, { training: true, epoch: 1, batch: 0 }));
    const weights = trained.readWeights();
    assert.deepEqual(weights.map((w) => [w.name, w.shape]), [
      ['W1', [784, 4]], ['b1', [4]], ['W2', [4, 3]], ['b2', [3]], ['W3', [3, 10]], ['b3', [10]],
      ['gamma1', [4]], ['beta1', [4]], ['gamma2', [3]], ['beta2', [3]],
      ['runningMean1', [4]], ['runningVar1', [4]], ['runningMean2', [3]], ['runningVar2', [3]],
    ]);
    assert.ok(weights.find((w) => w.name === 'runningMean1')!.data.some((v) => v !== 0));
    fresh.assignWeights(decodeWeights(encodeWeights(weights)));
    assert.deepEqual(fresh.readWeights(), weights);
    const [a, b] = [trained.forward(x, { training: false }), fresh.forward(x, { training: false })];
    assert.deepEqual(b.dataSync(), a.dataSync());
    tf.dispose([a, b]);
  } finally {
    x.dispose();
    trained.dispose();
    fresh.dispose();
  }
});

test('sgdStep trains γ and β without weight decay and decays only the weight matrices', () => {
  const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 6, epochs: 1, hidden: [5, 4], batchNorm: true, initStd: 0.3 });
  const rows = 8;
  const images = Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 7) % 11) / 11);
  const labels = Uint8Array.from({ length: rows }, (_, i) => i % 10);
  const batch = uploadBatch(images, labels, rangeIndices(rows), 0, rows);
  const [undecayed, decayed] = [buildMlp(config), buildMlp({ ...config, weightDecay: 0.5 })];
  try {
    const before = undecayed.readWeights();
    for (const mlp of [undecayed, decayed]) sgdStep(mlp, batch, { epoch: 1, batch: 0, lr: 0.1, weightDecay: mlp.config.weightDecay });
    const [a, b] = [undecayed.readWeights(), decayed.readWeights()];
    for (const [i, w] of a.entries()) {
      if (w.name.startsWith('W')) {
        assert.notDeepEqual(b[i]!.data, w.data, `${w.name} is decayed`);
      } else {
        assert.deepEqual(b[i]!.data, w.data, `${w.name} is not decayed`);
      }
    }
    // γ and β did train: the step moved them from 1 and 0.
    for (const name of ['gamma1', 'beta1', 'gamma2', 'beta2']) {
      const index = a.findIndex((w) => w.name === name);
      assert.notDeepEqual(a[index]!.data, before[index]!.data, `${name} moved`);
    }
  } finally {
    disposeBatch(batch);
    undecayed.dispose();
    decayed.dispose();
  }
});
