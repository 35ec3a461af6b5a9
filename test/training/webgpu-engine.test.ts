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

/** A pre-activation whose float32 value is zero to within the rounding of its own sum. */
interface ReluTie {
  layer: 1 | 2;
  row: number;
  unit: number;
}

/**
 * The ReLU inputs of one minibatch, recomputed in float64 from float32 weights, that lie within
 * 1e-7 of zero relative to the sum of their terms' magnitudes: below float32's rounding of such
 * a sum (6e-8 per addition), so their sign, and whether the unit passes a gradient, depends on
 * the order in which an engine adds the terms.
 */
function reluTies(weights: Float32Array[], images: Float32Array, rows: Int32Array): ReluTie[] {
  const [w1, b1, w2, b2] = weights as [Float32Array, Float32Array, Float32Array, Float32Array];
  const [inputs, h1, h2] = [w1.length / b1.length, b1.length, b2.length];
  const ties: ReluTie[] = [];
  rows.forEach((image, row) => {
    const hidden = new Float64Array(h1);
    for (let unit = 0; unit < h1; unit++) {
      let z = b1[unit]!;
      let magnitude = Math.abs(z);
      for (let p = 0; p < inputs; p++) {
        const term = images[image * inputs + p]! * w1[p * h1 + unit]!;
        z += term;
        magnitude += Math.abs(term);
      }
      if (Math.abs(z) < 1e-7 * magnitude) ties.push({ layer: 1, row, unit });
      hidden[unit] = Math.max(z, 0);
    }
    for (let unit = 0; unit < h2; unit++) {
      let z = b2[unit]!;
      let magnitude = Math.abs(z);
      for (let p = 0; p < h1; p++) {
        const term = hidden[p]! * w2[p * h2 + unit]!;
        z += term;
        magnitude += Math.abs(term);
      }
      if (Math.abs(z) < 1e-7 * magnitude) ties.push({ layer: 2, row, unit });
    }
  });
  return ties;
}

/** Per step: the weights before it and, after one step from exactly those weights, on `engine`. */
async function singleSteps(
  engine: 'cpu' | 'webgpu',
  startingPoints: Float32Array[][] | null,
  count: number,
): Promise<{ before: Float32Array[][]; after: Float32Array[][] }> {
  await selectBackend(engine, { warn: () => {} });
  const config = withTrainDefaults({ ...d2lRunDefaults, dropout1: 0, dropout2: 0, weightDecay: 1e-4, epochs: 1 });
  const order = createRng(deriveSeed(config.seed, randomStreams.shuffle, 1)).shuffleInPlace(rangeIndices(data.trainCount));
  const mlp = buildMlp(config, { maskFill: activeMaskFill() });
  const before: Float32Array[][] = [];
  const after: Float32Array[][] = [];
  try {
    const names = mlp.readWeights();
    for (let b = 0; b < count; b++) {
      if (startingPoints !== null) mlp.assignWeights(names.map((w, i) => ({ ...w, data: startingPoints[b]![i]! })));
      before.push(mlp.readWeights().map((w) => w.data));
      const batch = uploadBatch(data.trainImages, data.trainLabels, order, b * config.batchSize, (b + 1) * config.batchSize);
      try {
        sgdStep(mlp, batch, { epoch: 1, batch: b, lr: config.lr, weightDecay: config.weightDecay });
      } finally {
        disposeBatch(batch);
      }
      after.push(mlp.readWeights().map((w) => w.data));
    }
  } finally {
    mlp.dispose();
  }
  return { before, after };
}

// Without dropout at weight decay 1e-4, the cpu and webgpu trajectories part by 1e-3 in the
// biases within 10 steps (docs/training.md, "Known difference"). This pins the cause: one ReLU
// decision on a pre-activation that is zero within float32 rounding, which two correct engines
// summing in different orders may take either way; every other step agrees to rounding.
test('webgpu engine parts from cpu without dropout at weight decay 1e-4 only at a ReLU tie, and agrees step by step elsewhere', async () => {
  const count = 3;
  const cpu = await singleSteps('cpu', null, count);
  const config = withTrainDefaults({ ...d2lRunDefaults, epochs: 1 });
  const order = createRng(deriveSeed(config.seed, randomStreams.shuffle, 1)).shuffleInPlace(rangeIndices(data.trainCount));
  const ties = cpu.before.map((weights, b) => reluTies(weights, data.trainImages, order.subarray(b * config.batchSize, (b + 1) * config.batchSize)));
  // The second step's batch holds the one tie of these steps: row 121's input to unit 208 of the second layer.
  assert.deepEqual(ties, [[], [{ layer: 2, row: 121, unit: 208 }], []]);

  const webgpu = await singleSteps('webgpu', cpu.before, count);
  for (const b of [0, 2]) {
    const difference = maxRelativeDifference(webgpu.after[b]!, cpu.after[b]!);
    assert.ok(difference < weightTolerance, `step ${b}: largest relative weight difference ${difference} is not below ${weightTolerance}`);
  }
  // At the tie, b2 differs in unit 208 alone: the one row whose gradient the engines passed differently.
  const [gpuB2, cpuB2] = [webgpu.after[1]![3]!, cpu.after[1]![3]!];
  const norm = Math.hypot(...cpuB2);
  const differing = [...cpuB2.keys()].filter((unit) => Math.abs(gpuB2[unit]! - cpuB2[unit]!) > weightTolerance * norm);
  assert.deepEqual(differing, [208]);
  // W3 reads the tied unit's output, which is zero within rounding either way, so it still agrees.
  const w3Difference = maxRelativeDifference([webgpu.after[1]![4]!], [cpu.after[1]![4]!]);
  assert.ok(w3Difference < weightTolerance, `W3 differs by ${w3Difference} at the tie`);
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
