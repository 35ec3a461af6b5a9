import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fusedKernelNames } from '../../native/kernel-contract';
import { selectBackend } from '../../training/backends';
import { denseLayer } from '../../training/dense-op';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults, type TrainConfig } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { firstBitDifference, nativeSkipReason, seededValues } from './kernel-comparison';

const skip = nativeSkipReason();
let data: Dataset;

before(async () => {
  if (skip !== false) return;
  await selectBackend('native');
  data = loadDatasetCached(realDatasetDir());
});

const denseKernelNames = [fusedKernelNames.dense, fusedKernelNames.denseGrad];

/** Runs `work` on native with the fused dense kernels unregistered: the kernel-by-kernel chain they replace. */
async function withoutDenseKernels<T>(work: () => Promise<T> | T): Promise<T> {
  const configs = denseKernelNames.map((name) => tf.getKernel(name, 'native'));
  assert.ok(
    configs.every((config) => config !== undefined),
    'native registers the fused dense kernels',
  );
  configs.forEach((config) => tf.unregisterKernel(config!.kernelName, 'native'));
  try {
    return await work();
  } finally {
    configs.forEach((config) => tf.registerKernel(config!));
  }
}

function withoutTiming(metrics: EpochMetrics[]): Array<Partial<EpochMetrics>> {
  return metrics.map(({ seconds: _s, evalSeconds: _e, samplesPerSec: _r, ...rest }) => rest);
}

async function trainCollecting(config: TrainConfig) {
  const checkpoints: Checkpoint[] = [];
  const metrics = await train(config, data, { onEpoch: (_m, checkpoint) => void checkpoints.push(checkpoint) });
  return { metrics: withoutTiming(metrics), checkpoints };
}

const variants: Array<[string, Partial<TrainConfig>]> = [
  ['dropout', {}],
  ['no dropout', { dropout1: 0, dropout2: 0 }],
  ['dropconnect', { regularizer: 'dropconnect' }],
  ['gaussian', { regularizer: 'gaussian' }],
  ['additive-gaussian', { regularizer: 'additive-gaussian' }],
  ['batch norm', { batchNorm: true }],
];

for (const [name, variant] of variants) {
  test(`native training with fused dense layers gives exactly the kernel-by-kernel metrics and checkpoints (${name})`, { skip }, async () => {
    // 1,500 images with a partial last batch; weight decay on, so every parameter path is used.
    const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 1e-3, seed: 11, epochs: 2, trainSubset: 1500, ...variant });
    const fused = await trainCollecting(config);
    const chain = await withoutDenseKernels(() => trainCollecting(config));
    assert.equal(fused.metrics[0]!.backend, 'native');
    assert.deepEqual(fused.metrics, chain.metrics);
    assert.deepEqual(fused.checkpoints, chain.checkpoints);
  });
}

/** Values and gradients of one dense layer for seeded inputs, with the gradient taken through a weighted sum. */
function layerResults(activation: 'relu' | 'linear', withMask: boolean, inputGradient: boolean): tf.TypedArray[] {
  const [rows, inputs, units] = [37, 29, 13];
  return tf.tidy(() => {
    const x = tf.tensor2d(seededValues(rows * inputs, 1), [rows, inputs]);
    const weights = tf.tensor2d(seededValues(inputs * units, 2), [inputs, units]);
    const bias = tf.tensor1d(seededValues(units, 3));
    const mask = withMask ? tf.tensor2d(seededValues(rows * units, 4), [rows, units]) : null;
    const upstream = tf.tensor2d(seededValues(rows * units, 5), [rows, units]);
    const f = (...args: tf.Tensor[]) => {
      const [xIn, w, b] = inputGradient ? args : [x, ...args];
      return tf.sum(tf.mul(denseLayer(xIn as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, { activation, mask, inputGradient }), upstream));
    };
    const y = denseLayer(x, weights, bias, { activation, mask, inputGradient });
    const grads = tf.grads(f)(inputGradient ? [x, weights, bias] : [weights, bias]);
    return [y, ...grads].map((t) => t.dataSync());
  });
}

for (const [activation, withMask] of [
  ['relu', true],
  ['relu', false],
  ['linear', false],
] as const) {
  for (const inputGradient of [true, false]) {
    test(
      `the fused dense layer (${activation}${withMask ? ', mask' : ''}, ${inputGradient ? 'with' : 'without'} dx) equals the chain bit for bit`,
      { skip },
      async () => {
        await selectBackend('native');
        const fused = layerResults(activation, withMask, inputGradient);
        const chain = await withoutDenseKernels(() => layerResults(activation, withMask, inputGradient));
        assert.equal(fused.length, inputGradient ? 4 : 3);
        fused.forEach((values, i) => assert.equal(firstBitDifference(values, chain[i]!), -1, `output ${i}`));
      },
    );
  }
}

test('the fused dense kernel rejects a mask on a linear layer and mismatched shapes, naming them', { skip }, async () => {
  await selectBackend('native');
  tf.tidy(() => {
    const x = tf.ones([4, 3]);
    const weights = tf.ones([3, 2]);
    const bias = tf.zeros([2]);
    assert.throws(
      () => tf.engine().runKernel(fusedKernelNames.dense, { x, weights, bias, mask: tf.ones([4, 2]) }, { activation: 'linear' }),
      /RegsweepDense: a mask needs activation relu, got linear/,
    );
    assert.throws(
      () => tf.engine().runKernel(fusedKernelNames.dense, { x, weights: tf.ones([2, 2]), bias }, { activation: 'relu' }),
      /RegsweepDense: x must be \[rows, in\] and weights \[in, out\], got \[4, 3\] and \[2, 2\]/,
    );
    assert.throws(
      () => tf.engine().runKernel(fusedKernelNames.dense, { x, weights, bias, mask: tf.ones([4, 3]) }, { activation: 'relu' }),
      /RegsweepDense: mask must be \[4, 2\], got \[4, 3\]/,
    );
  });
});
