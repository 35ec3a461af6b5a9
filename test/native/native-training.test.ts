import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels } from '../../native/native-addon';
import { selectBackend } from '../../training/backends';
import { disposeBatch, uploadBatch } from '../../training/batching';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { buildMlp } from '../../training/mlp';
import { sgdStep } from '../../training/sgd-step';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { nativeSkipReason } from './kernel-comparison';

const skip = nativeSkipReason();
let data: Dataset;
let uninterrupted: Awaited<ReturnType<typeof trainCollecting>>;

before(async () => {
  if (skip !== false) return;
  await selectBackend('native');
  data = loadDatasetCached(realDatasetDir());
  uninterrupted = await trainCollecting(3);
});

// A 2,000-image subset keeps the file fast; evaluation still covers all 10,000 test images.
const config = (epochs: number) => withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 1e-3, seed: 7, epochs, trainSubset: 2000 });

function withoutTiming(metrics: EpochMetrics[]): Array<Partial<EpochMetrics>> {
  return metrics.map(({ seconds: _s, evalSeconds: _e, samplesPerSec: _r, ...rest }) => rest);
}

async function trainCollecting(epochs: number, resumeFrom: Checkpoint | null = null) {
  const checkpoints: Checkpoint[] = [];
  const metrics = await train(config(epochs), data, { onEpoch: (_m, checkpoint) => void checkpoints.push(checkpoint) }, resumeFrom);
  return { metrics, checkpoints };
}

test('native training gives identical metrics and checkpoints when run twice with one seed', { skip }, async () => {
  const again = await trainCollecting(3);
  assert.equal(uninterrupted.metrics[0]!.backend, 'native');
  assert.deepEqual(withoutTiming(again.metrics), withoutTiming(uninterrupted.metrics));
  assert.deepEqual(again.checkpoints, uninterrupted.checkpoints);
});

test('native training resumed from the epoch-1 checkpoint ends with exactly the uninterrupted metrics', { skip }, async () => {
  const first = await trainCollecting(1);
  const resumed = await trainCollecting(3, first.checkpoints[0]!);
  assert.deepEqual(
    resumed.metrics.map((m) => m.epoch),
    [2, 3],
  );
  assert.deepEqual(withoutTiming(resumed.metrics), withoutTiming(uninterrupted.metrics.slice(1)));
  assert.deepEqual(resumed.checkpoints, uninterrupted.checkpoints.slice(1));
});

// Runs are reproducible for a fixed thread count, which selectBackend fixes per process.
test('native training is reproducible for each fixed OpenBLAS thread count', { skip }, async () => {
  const initial = loadNativeKernels();
  assert.ok(initial.ok);
  const threads = initial.kernels.threads();
  try {
    for (const nativeThreads of [1, 2]) {
      await selectBackend('native', { nativeThreads });
      const first = await trainCollecting(2);
      const second = await trainCollecting(2);
      assert.deepEqual(withoutTiming(second.metrics), withoutTiming(first.metrics), `${nativeThreads} threads`);
    }
  } finally {
    await selectBackend('native', { nativeThreads: threads });
  }
});

// The products are cut into blocks by shape alone and each block is one single-threaded sgemm,
// so the thread count decides only how many blocks run at once, never the bits.
test('native training gives the same metrics and checkpoints on 1 and 2 threads', { skip }, async () => {
  const initial = loadNativeKernels();
  assert.ok(initial.ok);
  const threads = initial.kernels.threads();
  try {
    const runs = [];
    for (const nativeThreads of [1, 2]) {
      await selectBackend('native', { nativeThreads });
      runs.push(await trainCollecting(2));
    }
    assert.deepEqual(withoutTiming(runs[1]!.metrics), withoutTiming(runs[0]!.metrics));
    assert.deepEqual(runs[1]!.checkpoints, runs[0]!.checkpoints);
  } finally {
    await selectBackend('native', { nativeThreads: threads });
  }
});

test('native training learns and leaks no tensors', { skip }, async () => {
  const [first, , last] = uninterrupted.metrics as [EpochMetrics, EpochMetrics, EpochMetrics];
  assert.ok(last.trainLoss < first.trainLoss, `training loss should fall: ${first.trainLoss} → ${last.trainLoss}`);
  // 24 steps from d2l's N(0, 0.01²) init only start to leave chance level (0.1).
  assert.ok(last.testAcc > 0.2, `test accuracy after 3 epochs on 2,000 images: ${last.testAcc}`);
  const baseline = tf.memory().numTensors;
  await trainCollecting(1);
  assert.equal(tf.memory().numTensors, baseline);
});

/** The tfjs kernels one d2l training step (batch 256) runs on `backend`, by name. */
async function stepKernels(backend: 'native' | 'cpu'): Promise<string[]> {
  await selectBackend(backend);
  const mlp = buildMlp(withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 3, epochs: 1 }));
  const order = Int32Array.from({ length: 256 }, (_, i) => i);
  const batch = uploadBatch(data.trainImages, data.trainLabels, order, 0, 256);
  try {
    const profile = await tf.profile(() => void sgdStep(mlp, batch, { epoch: 1, batch: 0, lr: 0.5, weightDecay: 0 }));
    return profile.kernels.map((k) => k.name);
  } finally {
    disposeBatch(batch);
    mlp.dispose();
  }
}

test('a native training step runs the fused kernels in place of the stock chains, under a third as many kernels', { skip }, async () => {
  const stock = await stepKernels('cpu');
  const native = await stepKernels('native');
  await selectBackend('native');
  // The chains the fused kernels replace: the products, bias adds and sums of the dense layers,
  // ReLU and its Step gradient, softmax's Exp/Log/Max, argMax/equal for accuracy.
  for (const replaced of ['BatchMatMul', 'Add', 'Transpose', 'Relu', 'Step', 'Exp', 'Log', 'Max', 'ArgMax', 'Equal']) {
    assert.ok(stock.includes(replaced), `the composite step on cpu runs ${replaced}`);
    assert.ok(!native.includes(replaced), `the native step runs no ${replaced}`);
  }
  for (const fused of ['RegsweepDense', 'RegsweepDenseGrad', 'RegsweepSoftmaxCrossEntropy', 'RegsweepSoftmaxCrossEntropyGrad', 'RegsweepSgdUpdate']) {
    assert.ok(native.includes(fused), `the native step runs ${fused}`);
  }
  assert.equal(native.filter((name) => name === 'RegsweepDense').length, 3);
  assert.equal(native.filter((name) => name === 'RegsweepDenseGrad').length, 3);
  assert.equal(stock.length, 102);
  // 16 computing kernels; the rest are tfjs's Identity clones of the tensors kept for the backward pass.
  assert.equal(native.filter((name) => name !== 'Identity' && name !== 'unnamed scope').length, 16);
  assert.equal(native.length, 31);
});
