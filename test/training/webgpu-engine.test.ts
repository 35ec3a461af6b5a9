import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { d2lRunDefaults } from '../../domain/training-limits';
import { activeMaskFill, describeActiveEngine, selectBackend } from '../../training/backends';
import { disposeBatch, rangeIndices, uploadBatch } from '../../training/batching';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { buildMlp } from '../../training/mlp';
import { createRng, deriveSeed, randomStreams } from '../../training/seeded-random';
import { sgdStep } from '../../training/sgd-step';
import { withTrainDefaults } from '../../training/train-config';
import { noAdapterMessage, webgpuMesaPackages } from '../../training/webgpu-engine';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';

// These tests need a WebGPU adapter: Mesa's llvmpipe through Dawn's OpenGL ES backend on any
// machine (`npm test`'s prerequisites install the Mesa packages), or a GPU's Vulkan driver.

const steps = 20;
// Measured on llvmpipe (Mesa 22.3): after 20 steps at lr 0.5 the largest loss difference from
// cpu is 2.4e-7 and the largest relative weight difference 6.2e-7 (float32 sums taken in
// another order); the bounds leave a factor of over 10 for other adapters.
const lossTolerance = 1e-5;
const weightTolerance = 1e-5;

let data: Dataset;

before(() => {
  data = loadDatasetCached(realDatasetDir());
});

interface Trajectory {
  losses: number[];
  weights: Float32Array[];
  tensorsLeft: number;
}

/** The first `steps` minibatches of seed 1's first epoch under the d2l settings, on `engine`. */
async function trajectory(engine: 'cpu' | 'webgpu'): Promise<Trajectory> {
  await selectBackend(engine, { warn: () => {} });
  const tensorsBefore = tf.memory().numTensors;
  const config = withTrainDefaults({ ...d2lRunDefaults, epochs: 1 });
  const order = createRng(deriveSeed(config.seed, randomStreams.shuffle, 1)).shuffleInPlace(rangeIndices(data.trainCount));
  const mlp = buildMlp(config, { maskFill: activeMaskFill() });
  const losses: number[] = [];
  let weights: Float32Array[];
  try {
    for (let b = 0; b < steps; b++) {
      const batch = uploadBatch(data.trainImages, data.trainLabels, order, b * config.batchSize, (b + 1) * config.batchSize);
      try {
        losses.push(sgdStep(mlp, batch, { epoch: 1, batch: b, lr: config.lr, weightDecay: 0 }).lossSum / batch.rows);
      } finally {
        disposeBatch(batch);
      }
    }
    weights = mlp.readWeights().map((w) => w.data);
  } finally {
    mlp.dispose();
  }
  return { losses, weights, tensorsLeft: tf.memory().numTensors - tensorsBefore };
}

function maxRelativeDifference(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(
    ...a.map((x, p) => {
      const y = b[p]!;
      let difference = 0;
      let norm = 0;
      for (let i = 0; i < y.length; i++) {
        difference += (x[i]! - y[i]!) ** 2;
        norm += y[i]! ** 2;
      }
      return Math.sqrt(difference / norm);
    }),
  );
}

test('webgpu engine follows the cpu engine within tolerance over 20 training steps with one seed and masks', async (t) => {
  const cpu = await trajectory('cpu');
  const webgpu = await trajectory('webgpu');
  assert.match(describeActiveEngine(), /^webgpu \(.+ via (OpenGL ES|Vulkan)/);
  assert.equal(webgpu.losses.length, steps);
  const lossDifference = Math.max(...webgpu.losses.map((loss, i) => Math.abs(loss - cpu.losses[i]!)));
  t.diagnostic(`largest loss difference ${lossDifference}, largest relative weight difference ${maxRelativeDifference(webgpu.weights, cpu.weights)}`);
  assert.ok(lossDifference < lossTolerance, `largest loss difference ${lossDifference} is not below ${lossTolerance}`);
  assert.equal(webgpu.weights.length, cpu.weights.length);
  const weightDifference = maxRelativeDifference(webgpu.weights, cpu.weights);
  assert.ok(weightDifference < weightTolerance, `largest relative weight difference ${weightDifference} is not below ${weightTolerance}`);
  assert.ok(cpu.losses[steps - 1]! < cpu.losses[0]!, 'the loss falls over the steps');
  assert.equal(webgpu.tensorsLeft, 0);
});

test('webgpu engine gives bit-identical losses and weights when run twice with one seed', async () => {
  const first = await trajectory('webgpu');
  const second = await trajectory('webgpu');
  assert.deepEqual(second.losses, first.losses);
  assert.deepEqual(second.weights, first.weights);
});

test('webgpu prerequisites check for exactly the packages the no-adapter message names', () => {
  const script = fs.readFileSync(new URL('../../infra/setup/webgpu-requirements.sh', import.meta.url), 'utf8');
  const checked = [...script.matchAll(/need\+=\(([\w.-]+)\)/g)].map((m) => m[1]);
  assert.deepEqual(checked, [...webgpuMesaPackages]);
  assert.equal(
    noAdapterMessage(),
    `backend webgpu: no WebGPU adapter found; install the Mesa EGL/GLES drivers (sudo apt-get install ${webgpuMesaPackages.join(' ')}) or a GPU driver with Vulkan`,
  );
});
