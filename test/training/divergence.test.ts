import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { checkMinibatchLoss, explodingLossLimit } from '../../training/divergence';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { train, type EpochMetrics } from '../../training/train';
import type { TrainConfig } from '../../training/train-config';
import { TrainingDivergedError } from '../../training/training-errors';
import { divergingAt, divergingConfig, divergingMessage, nanAt, nanConfig } from '../helpers/diverging-run';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';

let data: Dataset;

before(async () => {
  await selectBackend('wasm');
  data = loadDatasetCached(realDatasetDir());
});

/** Trains `config` expecting divergence; returns the error and what the callbacks saw. */
async function trainUntilDiverged(config: TrainConfig) {
  const epochsSeen: EpochMetrics[] = [];
  const batchesSeen: Array<[number, number]> = [];
  const tensorsBefore = tf.memory().numTensors;
  const err = await train(config, data, {
    onEpoch: (m) => void epochsSeen.push(m),
    onBatch: ({ epoch, batch }) => void batchesSeen.push([epoch, batch]),
  }).then(
    () => assert.fail('expected the run to diverge'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainingDivergedError, String(err));
  assert.equal(tf.memory().numTensors, tensorsBefore);
  return { err, epochsSeen, batchesSeen };
}

test('train stops with TrainingDivergedError at the epoch and batch where the training loss becomes NaN', async () => {
  const { err, epochsSeen, batchesSeen } = await trainUntilDiverged(nanConfig);
  assert.equal(err.epoch, nanAt.epoch);
  assert.equal(err.batch, nanAt.batch);
  assert.equal(err.quantity, 'training loss');
  assert.ok(Number.isNaN(err.value));
  assert.equal(err.message, 'training diverged at epoch 1, batch 2: training loss is NaN, a finite value is required to continue');
  // No epoch is reported, and training stopped at the NaN batch, before its onBatch.
  assert.deepEqual(epochsSeen, []);
  assert.deepEqual(batchesSeen, [[1, 1]]);
});

test('train stops with TrainingDivergedError at the batch where a finite training loss explodes past the limit', async () => {
  const { err, epochsSeen, batchesSeen } = await trainUntilDiverged(divergingConfig);
  assert.equal(err.epoch, divergingAt.epoch);
  assert.equal(err.batch, divergingAt.batch);
  assert.equal(err.quantity, 'training loss');
  assert.ok(Number.isFinite(err.value) && err.value > explodingLossLimit, `value ${err.value}`);
  assert.match(err.message, divergingMessage);
  // Epoch 1 is a valid result below the limit and is reported; the diverged epoch is not.
  assert.deepEqual(
    epochsSeen.map((m) => m.epoch),
    [1],
  );
  assert.ok(epochsSeen[0]!.trainLoss < explodingLossLimit, `epoch 1 train loss ${epochsSeen[0]!.trainLoss}`);
  assert.deepEqual(batchesSeen.at(-1), [1, 8]);
});

test('checkMinibatchLoss accepts losses up to the limit and rejects larger or non-finite ones', () => {
  for (const healthy of [0, Math.LN10, 261, explodingLossLimit]) checkMinibatchLoss(healthy, 3, 7);
  const rejection = (loss: number): TrainingDivergedError => {
    try {
      checkMinibatchLoss(loss, 3, 7);
    } catch (err) {
      assert.ok(err instanceof TrainingDivergedError, String(err));
      return err;
    }
    return assert.fail(`loss ${loss} was accepted`);
  };
  const exploded = rejection(1000.5);
  assert.deepEqual([exploded.epoch, exploded.batch, exploded.quantity, exploded.value], [3, 7, 'training loss', 1000.5]);
  assert.equal(
    exploded.message,
    'training diverged at epoch 3, batch 7: training loss is 1000.5, at most 1000 nats per example is required to continue (no healthy run comes near it)',
  );
  assert.equal(rejection(3e21).value, 3e21);
  for (const broken of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.match(rejection(broken).message, /: training loss is (NaN|-?Infinity), a finite value is required to continue$/);
  }
});
