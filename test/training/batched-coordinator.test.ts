import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectBackend } from '../../training/backends';
import { createBatchCoordinator } from '../../training/batched-coordinator';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { imagePixels } from '../../training/idx-format';
import { train } from '../../training/train';
import { withTrainDefaults, type TrainConfigInput } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { withoutTiming } from '../helpers/variant-runs';

// Small enough for the cpu engine: 784-32-32-10 on 300 training and 1,000 test images, one epoch.
const shared = { seed: 7, trainSubset: 300, batchSize: 64, hidden: [32, 32] as [number, number], epochs: 1 } as const;
const compatible: TrainConfigInput[] = [0, 0.2, 0.5, 0.8].map((dropout1) => ({ ...shared, dropout1, dropout2: 0.5, weightDecay: 0 }));
const otherSeed: TrainConfigInput = { ...shared, seed: 8, dropout1: 0.2, dropout2: 0.5, weightDecay: 0 };
const withBatchNorm: TrainConfigInput = { ...shared, dropout1: 0.2, dropout2: 0.5, weightDecay: 0, batchNorm: true };

let data: Dataset;

before(async () => {
  const full = loadDatasetCached(realDatasetDir());
  const testCount = 1000;
  data = { ...full, testImages: full.testImages.subarray(0, testCount * imagePixels), testLabels: full.testLabels.subarray(0, testCount), testCount };
  await selectBackend('cpu', { warn: () => {} });
});

test('the coordinator trains up to K compatible concurrent calls in one unit, the rest alone, each getting what train() gives it', async () => {
  const lines: string[] = [];
  const coordinated = createBatchCoordinator({ maxRuns: 3, gatherMs: 200, log: (line) => lines.push(line) });
  const inputs = [...compatible, otherSeed, withBatchNorm];
  const results = await Promise.all(inputs.map((input) => coordinated(withTrainDefaults(input), data)));
  // Three compatible calls fill a unit at once; the fourth, alone after the gathering window,
  // and the other seed and the batch-norm run take train()'s single-run path.
  assert.deepEqual(lines, ['training 3 runs in one batched unit']);
  for (const [k, input] of inputs.entries()) {
    assert.deepEqual(withoutTiming(results[k]!), withoutTiming(await train(withTrainDefaults(input), data)), `call ${k}`);
  }
});

test('a call cancelled through its own callback rejects with its error while the calls beside it finish with their metrics', async () => {
  const coordinated = createBatchCoordinator({ maxRuns: 3, gatherMs: 200 });
  const cancelled = new Error('run cancelled');
  const calls = compatible.slice(0, 3).map((input, k) =>
    coordinated(withTrainDefaults(input), data, {
      onBatch: ({ batch }) => {
        if (k === 1 && batch === 2) throw cancelled;
      },
    }),
  );
  const settled = await Promise.allSettled(calls);
  assert.deepEqual(settled[1], { status: 'rejected', reason: cancelled });
  for (const k of [0, 2]) {
    const outcome = settled[k]!;
    assert.equal(outcome.status, 'fulfilled');
    assert.deepEqual(withoutTiming(outcome.value), withoutTiming(await train(withTrainDefaults(compatible[k]!), data)), `call ${k}`);
  }
});
