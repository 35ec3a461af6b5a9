import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { stackedMasks, maskDraws, maskRates, disposeMaskRates } from '../../training/batched-masks';
import { batchGroupKey, trainBatched, type BatchedRunOutcome } from '../../training/batched-train';
import { dropoutMask } from '../../training/dropout-mask';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { imagePixels } from '../../training/idx-format';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults, type TrainConfigInput } from '../../training/train-config';
import { TrainConfigError, TrainingDivergedError } from '../../training/training-errors';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { withoutTiming } from '../helpers/variant-runs';

// A narrow network (784-32-32-10) on 300 training images (batches of 64: four full and a
// partial one of 44) and the first 1,000 test images, so the cpu engine trains and evaluates
// a run's epoch in a fraction of a second; test/training/batched-webgpu.test.ts trains the d2l
// width on webgpu.
const shared = { seed: 7, trainSubset: 300, batchSize: 64, hidden: [32, 32] as [number, number] } as const;
const runs: TrainConfigInput[] = [
  { ...shared, dropout1: 0.2, dropout2: 0.5, weightDecay: 1e-3, epochs: 2 },
  { ...shared, dropout1: 0, dropout2: 0, weightDecay: 0, epochs: 2 },
  { ...shared, dropout1: 0.5, dropout2: 0.2, weightDecay: 0, epochs: 2, lr: 0.3 },
  { ...shared, dropout1: 0.9, dropout2: 0.7, weightDecay: 1e-2, epochs: 2 },
];

let data: Dataset;

before(async () => {
  const full = loadDatasetCached(realDatasetDir());
  const testCount = 1000;
  data = { ...full, testImages: full.testImages.subarray(0, testCount * imagePixels), testLabels: full.testLabels.subarray(0, testCount), testCount };
  await selectBackend('cpu', { warn: () => {} });
});

async function single(input: TrainConfigInput, resumeFrom: Checkpoint | null = null) {
  const checkpoints: Checkpoint[] = [];
  const metrics = await train(withTrainDefaults(input), data, { onEpoch: (_m, cp) => void checkpoints.push(cp) }, resumeFrom);
  return { metrics, checkpoints };
}

function okMetrics(outcome: BatchedRunOutcome): EpochMetrics[] {
  if (!outcome.ok) throw new Error(`expected a trained run, got ${String(outcome.error)}`);
  return outcome.metrics;
}

test("stacked masks are value for value each run's single-run dropout mask, at rates 0, tiny, ordinary and near 1", () => {
  const rates = [0, 1e-9, 0.2, 0.5, 0.9, 1 - 2 ** -30];
  const key = { seed: 3, epoch: 2, batch: 5, layer: 1 };
  const [rows, cols] = [7, 33];
  const stacked = tf.tidy(() => {
    const r = maskRates(rates);
    try {
      return stackedMasks(maskDraws(key, rows * cols), rows, cols, r);
    } finally {
      disposeMaskRates(r);
    }
  });
  const values = stacked.dataSync();
  stacked.dispose();
  rates.forEach((p, k) => {
    assert.deepEqual(values.subarray(k * rows * cols, (k + 1) * rows * cols), dropoutMask(rows, cols, p, key), `rate ${p}`);
  });
});

test('a batched unit gives each of 4 runs exactly its single-run metrics and checkpoints on the cpu engine, and leaks no tensor', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const checkpoints: Checkpoint[][] = runs.map(() => []);
  const outcomes = await trainBatched(
    runs.map((input, k) => ({ config: withTrainDefaults(input), callbacks: { onEpoch: (_m, cp) => void checkpoints[k]!.push(cp) } })),
    data,
  );
  assert.equal(tf.memory().numTensors, tensorsBefore);
  for (const [k, input] of runs.entries()) {
    const alone = await single(input);
    assert.deepEqual(withoutTiming(okMetrics(outcomes[k]!)), withoutTiming(alone.metrics), `run ${k}`);
    assert.deepEqual(checkpoints[k], alone.checkpoints, `run ${k}'s checkpoints`);
  }
});

test('batched runs resume exactly: from their own epoch-1 checkpoints, or a single run from a batched checkpoint', async () => {
  const first: Checkpoint[] = [];
  const uninterrupted = await trainBatched(
    runs.map((input, k) => ({ config: withTrainDefaults(input), callbacks: { onEpoch: (_m, cp) => void (cp.epoch === 1 && (first[k] = cp)) } })),
    data,
  );
  const resumed = await trainBatched(
    runs.map((input, k) => ({ config: withTrainDefaults(input), resumeFrom: first[k]! })),
    data,
  );
  for (const k of runs.keys()) {
    assert.deepEqual(withoutTiming(okMetrics(resumed[k]!)), withoutTiming(okMetrics(uninterrupted[k]!).slice(1)), `run ${k}`);
  }
  const alone = await single(runs[3]!, first[3]!);
  assert.deepEqual(withoutTiming(alone.metrics), withoutTiming(okMetrics(uninterrupted[3]!).slice(1)));
});

test('a cancelled run and a diverging run leave the unit with their own errors while the others keep their single-run metrics', async () => {
  const cancelled = new Error('cancelled by the sweep');
  // At lr 100 this network's loss passes the exploding-loss limit in the fourth batch of epoch 1.
  const diverging: TrainConfigInput = { ...shared, dropout1: 0, dropout2: 0, weightDecay: 0, epochs: 2, lr: 100 };
  const shorter: TrainConfigInput = { ...runs[0]!, epochs: 1 };
  const outcomes = await trainBatched(
    [
      { config: withTrainDefaults(runs[0]!) },
      {
        config: withTrainDefaults(runs[1]!),
        callbacks: {
          onBatch: ({ epoch, batch }) => {
            if (epoch === 1 && batch === 3) throw cancelled;
          },
        },
      },
      { config: withTrainDefaults(diverging) },
      { config: withTrainDefaults(shorter) },
      { config: withTrainDefaults(runs[2]!) },
    ],
    data,
  );
  assert.deepEqual(outcomes[1], { ok: false, error: cancelled });
  const alone = await single(diverging).then(
    () => assert.fail('lr 100 should diverge'),
    (err: unknown) => err,
  );
  assert.ok(alone instanceof TrainingDivergedError);
  const batched = outcomes[2]!;
  assert.ok(!batched.ok && batched.error instanceof TrainingDivergedError, 'the lr-100 run diverges in the unit too');
  assert.equal(batched.error.message, alone.message);
  assert.deepEqual(withoutTiming(okMetrics(outcomes[0]!)), withoutTiming((await single(runs[0]!)).metrics));
  assert.deepEqual(withoutTiming(okMetrics(outcomes[3]!)), withoutTiming((await single(shorter)).metrics));
  assert.deepEqual(withoutTiming(okMetrics(outcomes[4]!)), withoutTiming((await single(runs[2]!)).metrics));
});

test('runs that cannot share a step are refused with the rule, and only dropout runs without batch norm or test-time passes batch', async () => {
  const a = withTrainDefaults(runs[0]!);
  await assert.rejects(trainBatched([{ config: a }, { config: withTrainDefaults({ ...runs[1]!, seed: 8 }) }], data), (err: unknown) => {
    assert.ok(err instanceof TrainConfigError);
    assert.match(err.message, /^runs trained together must share seed, data, architecture and checkpoint epoch/);
    return true;
  });
  assert.equal(batchGroupKey(withTrainDefaults({ ...runs[0]!, batchNorm: true }), null), null);
  assert.equal(batchGroupKey(withTrainDefaults({ ...runs[0]!, regularizer: 'gaussian' }), null), null);
  assert.equal(batchGroupKey(withTrainDefaults({ ...runs[0]!, evalDropoutSamples: 2 }), null), null);
  assert.equal(batchGroupKey(a, null), batchGroupKey(withTrainDefaults({ ...runs[3]!, epochs: 9, lr: 0.1 }), null));
  assert.notEqual(batchGroupKey(a, null), batchGroupKey(a, { epoch: 1, weights: new Uint8Array() }));
});
