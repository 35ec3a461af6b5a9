import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { regularizerNames, type RegularizerName } from '../../domain/training-limits';
import { selectBackend } from '../../training/backends';
import { dropoutMask, dropoutMaskSeed, fillDropoutMask, type MaskFill } from '../../training/dropout-mask';
import { buildMlp } from '../../training/mlp';
import { additiveGaussianNoise, dropconnectMask, gaussianNoise, noiseSeed } from '../../training/regularizer-noise';
import { createRng } from '../../training/seeded-random';
import { withTrainDefaults } from '../../training/train-config';
import { nativeSkipReason } from '../native/kernel-comparison';
import {
  finiteDifferenceGradients,
  loadReferenceParams,
  randomPixelRows,
  randomReferenceParams,
  referenceForward,
  type Matrix,
  type ReferenceNoise,
} from './reference-mlp';

// A 4-3-3-10 network: 784-pixel images whose pixels past the first four are zero, hidden [3, 3].
const inputs = 4;
const rows = 5;
const [p1, p2] = [0.3, 0.6];
const seed = 13;
const trainingMode = { training: true, epoch: 2, batch: 3 } as const;
const keyOf = (layer: number) => ({ seed, epoch: trainingMode.epoch, batch: trainingMode.batch, layer });
const pixelRows: Matrix = randomPixelRows(rows, inputs);

function images(): tf.Tensor2D {
  const pixels = new Float32Array(rows * 784);
  pixelRows.forEach((row, r) => pixels.set(row, r * 784));
  return tf.tensor2d(pixels, [rows, 784]);
}

/** The draws the model makes for `trainingMode`, taken from the same seeded streams. */
function drawsOf(regularizer: RegularizerName): ReferenceNoise {
  const layer: ReferenceNoise['layer'] = (() => {
    switch (regularizer) {
      case 'dropout':
        return [dropoutMask(rows, 3, p1, keyOf(1)), dropoutMask(rows, 3, p2, keyOf(2))];
      case 'dropconnect':
        return [dropconnectMask(3, 3, p1, keyOf(1)), dropconnectMask(3, 10, p2, keyOf(2))];
      case 'gaussian':
        return [gaussianNoise(rows, 3, p1, keyOf(1)), gaussianNoise(rows, 3, p2, keyOf(2))];
      case 'additive-gaussian':
        return [additiveGaussianNoise(rows, 3, p1, keyOf(1)), additiveGaussianNoise(rows, 3, p2, keyOf(2))];
    }
  })();
  return { regularizer, layer };
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance * (1 + Math.abs(expected[i]!));
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= bound, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

// Fixed upstream gradient: the loss Σ logits ⊙ G reaches every logit with a different weight.
const upstream: Matrix = (() => {
  const rng = createRng(99);
  return Array.from({ length: rows }, () => Array.from({ length: 10 }, () => rng.nextNormal()));
})();
const referenceLoss = (logits: Matrix): number => logits.reduce((sum, row, r) => row.reduce((s, v, j) => s + v * upstream[r]![j]!, sum), 0);

const engines = [
  { engine: 'wasm' as const, skip: false as const },
  { engine: 'native' as const, skip: nativeSkipReason() },
];

for (const { engine, skip } of engines) {
  for (const batchNorm of [false, true]) {
    for (const regularizer of regularizerNames) {
      const label = `${regularizer}${batchNorm ? ' with batch norm' : ''} on ${engine}`;

      test(`training forward and gradients of ${label} match a float64 hand computation with the seeded draws`, { skip }, async () => {
        await selectBackend(engine);
        const mlp = buildMlp(withTrainDefaults({ dropout1: p1, dropout2: p2, weightDecay: 0, seed, epochs: 1, hidden: [3, 3], regularizer, batchNorm }));
        const params = randomReferenceParams(inputs, batchNorm, 0.8);
        const noise = drawsOf(regularizer);
        const x = images();
        const g = tf.tensor2d(upstream);
        try {
          const expected = referenceForward(params, pixelRows, noise);
          loadReferenceParams(mlp, params);
          const out = mlp.forwardWithActivations(x, trainingMode);
          assertClose(out.logits.dataSync(), expected.logits.flat(), 1e-5, 'logits');
          assertClose(out.hidden1.dataSync(), expected.hidden1.flat(), 1e-5, 'hidden1');
          assertClose(out.hidden2.dataSync(), expected.hidden2.flat(), 1e-5, 'hidden2');
          tf.dispose([out.logits, out.hidden1, out.hidden2]);

          loadReferenceParams(mlp, params);
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(mlp.forward(x, trainingMode), g)) as tf.Scalar, mlp.variables);
          assertClose([value.dataSync()[0]!], [referenceLoss(expected.logits)], 1e-5, 'loss');
          const reference = finiteDifferenceGradients(params, () => referenceLoss(referenceForward(params, pixelRows, noise).logits));
          const names = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', ...(batchNorm ? ['gamma1', 'beta1', 'gamma2', 'beta2'] : [])];
          assert.equal(mlp.variables.length, names.length);
          mlp.variables.forEach((variable, i) => {
            const name = names[i]!;
            const got = grads[variable.name]!.dataSync();
            const want = reference.get(name)!;
            // W1's rows past the four live pixels see zero input, so their gradient is zero.
            assertClose(name === 'W1' ? got.subarray(0, want.length) : got, want, 1e-4, `∂L/∂${name}`);
            if (name === 'W1') assert.ok(got.subarray(want.length).every((v) => v === 0), 'W1 rows of zero pixels');
          });
          if (regularizer === 'dropconnect') {
            // A dropped weight took no part in the minibatch, so it gets no gradient from it.
            const [mask2, mask3] = noise.layer as [Float32Array, Float32Array];
            const [gradW2, gradW3] = [grads[mlp.params.W2.name]!.dataSync(), grads[mlp.params.W3.name]!.dataSync()];
            assert.ok(mask2.some((m) => m === 0) && mask3.some((m) => m === 0), 'the masks drop some weights');
            mask2.forEach((m, i) => m === 0 && assert.equal(Math.abs(gradW2[i]!), 0, `∂L/∂W2[${i}]`));
            mask3.forEach((m, i) => m === 0 && assert.equal(Math.abs(gradW3[i]!), 0, `∂L/∂W3[${i}]`));
          }
          tf.dispose([value, ...Object.values(grads)]);
        } finally {
          tf.dispose([x, g]);
          mlp.dispose();
        }
      });

      test(`inference of ${label} has no noise and matches the noise-free hand computation`, { skip }, async () => {
        await selectBackend(engine);
        const mlp = buildMlp(withTrainDefaults({ dropout1: p1, dropout2: p2, weightDecay: 0, seed, epochs: 1, hidden: [3, 3], regularizer, batchNorm }));
        const params = randomReferenceParams(inputs, batchNorm, 0.8);
        const x = images();
        try {
          loadReferenceParams(mlp, params);
          const before = mlp.readWeights();
          const first = mlp.forwardWithActivations(x, { training: false });
          const second = mlp.forwardWithActivations(x, { training: false });
          const expected = referenceForward(params, pixelRows, null);
          assert.deepEqual(second.logits.dataSync(), first.logits.dataSync());
          assertClose(first.logits.dataSync(), expected.logits.flat(), 1e-5, 'logits');
          assertClose(first.hidden2.dataSync(), expected.hidden2.flat(), 1e-5, 'hidden2');
          // Inference leaves batch norm's running statistics (and everything else) as they were.
          assert.deepEqual(mlp.readWeights(), before);
          tf.dispose([first, second].flatMap((o) => [o.logits, o.hidden1, o.hidden2]));
        } finally {
          x.dispose();
          mlp.dispose();
        }
      });
    }
  }
}

test('each variant draws from its own stream, never dropout\'s masks, for the same (seed, epoch, batch, layer)', () => {
  const key = { seed: 3, epoch: 4, batch: 5, layer: 1 };
  const seeds = [dropoutMaskSeed(key), noiseSeed('dropconnect', key), noiseSeed('gaussian', key), noiseSeed('additiveGaussian', key)];
  assert.equal(new Set(seeds).size, 4);
  assert.notDeepEqual(dropconnectMask(100, 100, 0.5, key), dropoutMask(100, 100, 0.5, key));
  assert.deepEqual(dropconnectMask(100, 100, 0.5, key), dropconnectMask(100, 100, 0.5, { ...key }));
  const standardized = Array.from(gaussianNoise(10, 10, 0.5, key), (v) => v - 1);
  assert.notDeepEqual(standardized, Array.from(additiveGaussianNoise(10, 10, 1, key)));
  for (const change of [{ epoch: 5 }, { batch: 6 }, { layer: 2 }, { seed: 4 }]) {
    assert.notDeepEqual(gaussianNoise(10, 10, 0.5, { ...key, ...change }), gaussianNoise(10, 10, 0.5, key));
    assert.notDeepEqual(additiveGaussianNoise(10, 10, 0.5, { ...key, ...change }), additiveGaussianNoise(10, 10, 0.5, key));
    assert.notDeepEqual(dropconnectMask(10, 10, 0.5, { ...key, ...change }), dropconnectMask(10, 10, 0.5, key));
  }
});

function moments(values: Float32Array): { mean: number; variance: number } {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  return { mean, variance: values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length };
}

test('gaussian noise has mean 1 and dropout\'s variance p/(1-p), additive noise mean 0 and variance σ², when drawn 200k times', () => {
  const key = { seed: 1, epoch: 1, batch: 0, layer: 2 };
  const p = 0.5;
  const multiplicative = moments(gaussianNoise(200, 1000, p, key));
  const mask = moments(dropoutMask(200, 1000, p, key));
  assert.ok(Math.abs(multiplicative.mean - 1) < 0.01, `mean ${multiplicative.mean}`);
  assert.ok(Math.abs(multiplicative.variance - p / (1 - p)) < 0.02, `variance ${multiplicative.variance}`);
  assert.ok(Math.abs(mask.variance - p / (1 - p)) < 0.02, `dropout mask variance ${mask.variance}`);
  const additive = moments(additiveGaussianNoise(200, 1000, 0.3, key));
  assert.ok(Math.abs(additive.mean) < 0.005, `mean ${additive.mean}`);
  assert.ok(Math.abs(additive.variance - 0.09) < 0.003, `variance ${additive.variance}`);
  assert.ok(dropconnectMask(200, 1000, 0, key).every((v) => v === 1));
});

test('dropconnect masks the weight matrices reading each hidden layer, drawn with the given mask fill', async () => {
  await selectBackend('wasm');
  const calls: Array<[number, number, number]> = [];
  const recording: MaskFill = (fillSeed, p, out) => {
    calls.push([fillSeed, p, out.length]);
    fillDropoutMask(fillSeed, p, out);
  };
  const mlp = buildMlp(withTrainDefaults({ dropout1: p1, dropout2: p2, weightDecay: 0, seed, epochs: 1, hidden: [4, 3], regularizer: 'dropconnect' }), { maskFill: recording });
  const x = images();
  try {
    tf.dispose(mlp.forward(x, trainingMode));
    // One mask per minibatch the shape of W2 (4x3) and W3 (3x10), whatever the batch's rows.
    assert.deepEqual(calls, [
      [noiseSeed('dropconnect', keyOf(1)), p1, 4 * 3],
      [noiseSeed('dropconnect', keyOf(2)), p2, 3 * 10],
    ]);
  } finally {
    x.dispose();
    mlp.dispose();
  }
});
