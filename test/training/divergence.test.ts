import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { train } from '../../training/train';
import { TrainingDivergedError } from '../../training/training-errors';
import { divergingAt, divergingConfig } from '../helpers/diverging-run';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';

let data: Dataset;

before(async () => {
  await selectBackend('wasm');
  data = loadDatasetCached(realDatasetDir());
});

test('train stops with TrainingDivergedError at the epoch and batch where the training loss becomes NaN', async () => {
  const epochsSeen: number[] = [];
  const batchesSeen: Array<[number, number]> = [];
  const tensorsBefore = tf.memory().numTensors;
  const err = await train(divergingConfig, data, {
    onEpoch: (m) => void epochsSeen.push(m.epoch),
    onBatch: ({ epoch, batch }) => void batchesSeen.push([epoch, batch]),
  }).then(
    () => assert.fail('expected the run to diverge'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainingDivergedError, String(err));
  assert.equal(err.epoch, divergingAt.epoch);
  assert.equal(err.batch, divergingAt.batch);
  assert.equal(err.quantity, 'training loss');
  assert.ok(Number.isNaN(err.value));
  assert.match(err.message, /diverged at epoch 2, batch 3: training loss is NaN/);
  // Epoch 1 is reported; the diverged epoch is not, and training stopped at the NaN batch.
  assert.deepEqual(epochsSeen, [1]);
  assert.deepEqual(batchesSeen.at(-1), [2, 2]);
  assert.equal(tf.memory().numTensors, tensorsBefore);
});
