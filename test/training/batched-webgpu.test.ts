import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { trainBatched, type BatchedRunOutcome } from '../../training/batched-train';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { imagePixels } from '../../training/idx-format';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults, type TrainConfigInput } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { withoutTiming } from '../helpers/variant-runs';

// Needs a WebGPU adapter: Mesa's llvmpipe through Dawn's OpenGL ES backend on any machine
// (`npm test`'s prerequisites install the Mesa packages), or a GPU's Vulkan driver.

/**
 * docs/training.md, "Batched runs": each metric of a run trained in a batched unit lies within
 * this relative difference of the same run trained alone on the same engine. Measured on
 * llvmpipe (Mesa 22.3) and on the cpu engine: 0, the stacked products summing in the same order
 * as a single run's; the bound is the one the webgpu engine keeps against the cpu engine
 * (test/training/webgpu-engine.test.ts), for adapters whose batched products tile differently.
 */
const batchedTolerance = 1e-5;

// The d2l network (784-256-256-10) on 300 training images in batches of 64 and the first 1,000
// test images: a few seconds per run and epoch on llvmpipe.
const shared = { seed: 5, trainSubset: 300, batchSize: 64 } as const;
const runs: TrainConfigInput[] = [
  { ...shared, dropout1: 0.2, dropout2: 0.5, weightDecay: 0, epochs: 2 },
  { ...shared, dropout1: 0, dropout2: 0, weightDecay: 1e-3, epochs: 2 },
  { ...shared, dropout1: 0.5, dropout2: 0.5, weightDecay: 0, epochs: 2, lr: 0.3 },
];
const compared = [
  'trainLoss',
  'trainAcc',
  'trainAccEval',
  'testLoss',
  'testAcc',
  'gap',
  'actVar1',
  'actVar2',
  'weightNorm1',
  'weightNorm2',
  'weightNorm3',
] as const;

let data: Dataset;

before(async () => {
  const full = loadDatasetCached(realDatasetDir());
  const testCount = 1000;
  data = { ...full, testImages: full.testImages.subarray(0, testCount * imagePixels), testLabels: full.testLabels.subarray(0, testCount), testCount };
  await selectBackend('webgpu', { warn: () => {} });
});

function okMetrics(outcome: BatchedRunOutcome): EpochMetrics[] {
  if (!outcome.ok) throw new Error(`expected a trained run, got ${String(outcome.error)}`);
  return outcome.metrics;
}

async function batched(resumeFrom: Checkpoint[] = []) {
  const checkpoints: Checkpoint[][] = runs.map(() => []);
  const outcomes = await trainBatched(
    runs.map((input, k) => ({
      config: withTrainDefaults(input),
      resumeFrom: resumeFrom[k] ?? null,
      callbacks: { onEpoch: (_m, cp) => void checkpoints[k]!.push(cp) },
    })),
    data,
  );
  return { metrics: outcomes.map(okMetrics), checkpoints };
}

test('on webgpu each run of a batched unit gets its single-run metrics within the stated tolerance, and the unit is deterministic and resumes exactly', async () => {
  assert.equal(tf.getBackend(), 'webgpu');
  const tensorsBefore = tf.memory().numTensors;
  const first = await batched();
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor left behind');
  for (const [k, input] of runs.entries()) {
    const alone = await train(withTrainDefaults(input), data);
    assert.equal(first.metrics[k]!.length, alone.length);
    alone.forEach((m, e) => {
      for (const field of compared) {
        const relative = Math.abs(first.metrics[k]![e]![field] - m[field]) / Math.max(Math.abs(m[field]), 1e-12);
        assert.ok(relative <= batchedTolerance, `run ${k} epoch ${e + 1} ${field}: batched ${first.metrics[k]![e]![field]}, alone ${m[field]}`);
      }
    });
  }
  const again = await batched();
  assert.deepEqual(again.metrics.map(withoutTiming), first.metrics.map(withoutTiming), 'a second unit gives identical metrics');
  assert.deepEqual(again.checkpoints, first.checkpoints, 'and identical checkpoints');
  const resumed = await batched(first.checkpoints.map((cps) => cps[0]!));
  assert.deepEqual(
    resumed.metrics.map(withoutTiming),
    first.metrics.map((m) => withoutTiming(m.slice(1))),
    'resumed from epoch 1, each run continues exactly',
  );
});
