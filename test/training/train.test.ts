import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { decodeWeights } from '../../training/checkpoint-codec';
import { frobeniusNorm } from '../../training/evaluate';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults } from '../../training/train-config';
import { CheckpointError, TrainConfigError } from '../../training/training-errors';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';

let data: Dataset;
let uninterrupted: Awaited<ReturnType<typeof trainCollecting>>;

before(async () => {
  await selectBackend('wasm');
  data = loadDatasetCached(realDatasetDir());
  uninterrupted = await trainCollecting(3);
});

// A 512-image subset keeps each epoch well under a second; evaluation still covers all 10,000 test images.
const config = (epochs: number) =>
  withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 1e-3, seed: 7, epochs, trainSubset: 512 });

/** Everything but the timing fields, which legitimately differ between runs. */
function withoutTiming(metrics: EpochMetrics[]): Array<Partial<EpochMetrics>> {
  return metrics.map(({ seconds: _s, evalSeconds: _e, samplesPerSec: _r, ...rest }) => rest);
}

async function trainCollecting(epochs: number, resumeFrom: Checkpoint | null = null) {
  const checkpoints: Checkpoint[] = [];
  const metrics = await train(config(epochs), data, { onEpoch: (_m, checkpoint) => void checkpoints.push(checkpoint) }, resumeFrom);
  return { metrics, checkpoints };
}

test('train gives identical metrics and checkpoints when run twice with one seed', async () => {
  const again = await trainCollecting(3);
  assert.equal(uninterrupted.metrics.length, 3);
  assert.deepEqual(withoutTiming(again.metrics), withoutTiming(uninterrupted.metrics));
  assert.deepEqual(again.checkpoints, uninterrupted.checkpoints);
  const otherSeed = await train({ ...config(1), seed: 8 }, data);
  assert.notEqual(otherSeed[0]!.trainLoss, uninterrupted.metrics[0]!.trainLoss);
});

test('train resumed from the epoch-1 checkpoint ends with exactly the metrics of an uninterrupted 3-epoch run', async () => {
  const first = await trainCollecting(1);
  assert.deepEqual(withoutTiming(first.metrics), withoutTiming(uninterrupted.metrics.slice(0, 1)));
  const resumed = await trainCollecting(3, first.checkpoints[0]!);
  assert.deepEqual(resumed.metrics.map((m) => m.epoch), [2, 3]);
  assert.deepEqual(withoutTiming(resumed.metrics), withoutTiming(uninterrupted.metrics.slice(1)));
  assert.deepEqual(resumed.checkpoints, uninterrupted.checkpoints.slice(1));
});

test('train reports consistent metrics when an epoch ends', () => {
  const [m, , last] = uninterrupted.metrics as [EpochMetrics, EpochMetrics, EpochMetrics];
  assert.equal(m.backend, 'wasm');
  assert.equal(m.gap, m.trainAccEval - m.testAcc);
  assert.ok(Math.abs(m.samplesPerSec - 512 / m.seconds) < 1e-6 * m.samplesPerSec);
  assert.ok(m.seconds > 0 && m.evalSeconds > 0);
  for (const value of [m.trainAcc, m.trainAccEval, m.testAcc]) assert.ok(value >= 0 && value <= 1);
  // Test accuracy is a count over exactly 10,000 images; training accuracy over the 512 subset images.
  assert.ok(Math.abs(m.testAcc * 10000 - Math.round(m.testAcc * 10000)) < 1e-9);
  assert.ok(Math.abs(m.trainAccEval * 512 - Math.round(m.trainAccEval * 512)) < 1e-9);
  const weights = decodeWeights(uninterrupted.checkpoints[2]!.weights);
  assert.deepEqual(weights.map((w) => w.name), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
  assert.equal(last.weightNorm1, frobeniusNorm(weights[0]!.data));
  assert.equal(last.weightNorm3, frobeniusNorm(weights[4]!.data));
  assert.ok(m.actVar1 > 0 && m.actVar2 > 0);
  assert.ok(last.trainLoss < m.trainLoss, `training loss should fall: ${m.trainLoss} → ${last.trainLoss}`);
});

test('train leaks no tensors across epochs and frees everything when it returns', async () => {
  const baseline = tf.memory().numTensors;
  const perEpoch: number[] = [];
  const batches: Array<[number, number, number]> = [];
  await train({ ...config(3), trainSubset: 500 }, data, {
    onEpoch: () => void perEpoch.push(tf.memory().numTensors),
    onBatch: ({ epoch, batch, batches: total }) => void batches.push([epoch, batch, total]),
  });
  assert.equal(perEpoch.length, 3);
  assert.ok(perEpoch.every((count) => count === perEpoch[0]), `tensors per epoch: ${perEpoch.join(', ')}`);
  assert.equal(tf.memory().numTensors, baseline);
  // 500 images in batches of 256: one full batch and a partial one of 244, both trained.
  assert.deepEqual(batches, [[1, 1, 2], [1, 2, 2], [2, 1, 2], [2, 2, 2], [3, 1, 2], [3, 2, 2]]);
});

test('train stops, frees every tensor and rethrows when onBatch throws to cancel', async () => {
  const baseline = tf.memory().numTensors;
  let onEpochCalls = 0;
  await assert.rejects(
    train(config(2), data, {
      onBatch: ({ batch }) => {
        if (batch === 2) throw new Error('cancelled by the caller');
      },
      onEpoch: () => void onEpochCalls++,
    }),
    /cancelled by the caller/,
  );
  assert.equal(onEpochCalls, 0);
  assert.equal(tf.memory().numTensors, baseline);
});

test('train returns no metrics when the checkpoint has already reached epochs', async () => {
  assert.deepEqual(await train(config(3), data, {}, uninterrupted.checkpoints[2]!), []);
});

test('train throws a TrainConfigError when the checkpoint is past epochs', async () => {
  await assert.rejects(
    train(config(2), data, {}, uninterrupted.checkpoints[2]!),
    (error: unknown) => error instanceof TrainConfigError && error.field === 'epochs' && /checkpoint epoch 3, epochs 2/.test(error.message),
  );
});

test('train throws a CheckpointError and frees its tensors when the checkpoint is damaged or for another model', async () => {
  const baseline = tf.memory().numTensors;
  const damaged = uninterrupted.checkpoints[0]!.weights.slice();
  damaged[1000] = damaged[1000]! ^ 0xff;
  await assert.rejects(train(config(2), data, {}, { epoch: 1, weights: damaged }), CheckpointError);
  await assert.rejects(
    train({ ...config(2), hidden: [128, 256] }, data, {}, uninterrupted.checkpoints[0]!),
    /checkpoint tensor W1 has shape \[784, 256\], the model needs \[784, 128\]/,
  );
  assert.equal(tf.memory().numTensors, baseline);
});
