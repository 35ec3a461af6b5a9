import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import { selectBackend } from '../../training/backends';
import { decodeWeights } from '../../training/checkpoint-codec';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { batchNormStateNames, mlpParamNames } from '../../training/mlp';
import type { EpochMetrics } from '../../training/train';
import { trainCollecting, variantRunBase, withoutTiming } from '../helpers/variant-runs';
import type { TrainConfigInput } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';

let data: Dataset;

before(async () => {
  await selectBackend('wasm');
  data = loadDatasetCached(realDatasetDir());
});

const base = variantRunBase;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

test('train gives exactly the metrics and checkpoints of the engine before the variants existed when regularizer and batchNorm are unset', async () => {
  // Recorded on wasm with the engine before regularizer and batchNorm were added, same config.
  const before = [
    {
      epoch: 1, trainLoss: 2.3041668192545575, trainAcc: 0.09, trainAccEval: 0.2, testLoss: 2.29955712890625, testAcc: 0.1976,
      gap: 0.0024000000000000132, actVar1: 0.006709129080919951, actVar2: 0.0001454618878638482,
      weightNorm1: 4.473300480859624, weightNorm2: 2.5506196236029726, weightNorm3: 0.5041922612106874, backend: 'wasm',
    },
    {
      epoch: 2, trainLoss: 2.3010754140218097, trainAcc: 0.15333333333333332, trainAccEval: 0.21333333333333335,
      testLoss: 2.2928751953125, testAcc: 0.2069, gap: 0.0064333333333333464, actVar1: 0.011299016273607713,
      actVar2: 0.0004270255712886972, weightNorm1: 4.465184996806599, weightNorm2: 2.5496327169258093,
      weightNorm3: 0.5310202542584328, backend: 'wasm',
    },
  ];
  const checkpointDigests = [
    '525f86dfc9135d97250492100c35d20b2801cd9357e6722bed501f4078a13456',
    'e3fc22311d8ac443173e2b8819217d679ab0dccc8741dbde17363b327fe83971',
  ];
  // Epoch metrics later gained testCount, the size of the test set the accuracy is measured on;
  // it is checked on its own so the recorded values above stay exactly as they were recorded.
  const unset = await trainCollecting(data, { ...base, epochs: 2 });
  assert.deepEqual(unset.metrics.map((m) => m.testCount), [10000, 10000]);
  const withoutTestCount = (ms: EpochMetrics[]) => withoutTiming(ms.map(({ testCount: _testCount, ...m }) => m as EpochMetrics));
  assert.deepEqual(withoutTestCount(unset.metrics), before);
  assert.deepEqual(unset.checkpoints.map((c) => sha256(c.weights)), checkpointDigests);
  const explicit = await trainCollecting(data, { ...base, epochs: 2, regularizer: 'dropout', batchNorm: false });
  assert.deepEqual(withoutTestCount(explicit.metrics), before);
  assert.deepEqual(explicit.checkpoints, unset.checkpoints);
});

const variants: Array<Pick<TrainConfigInput, 'regularizer' | 'batchNorm'>> = [
  { regularizer: 'dropconnect', batchNorm: false },
  { regularizer: 'gaussian', batchNorm: false },
  { regularizer: 'additive-gaussian', batchNorm: false },
  { regularizer: 'dropout', batchNorm: true },
  { regularizer: 'dropconnect', batchNorm: true },
  { regularizer: 'gaussian', batchNorm: true },
  { regularizer: 'additive-gaussian', batchNorm: true },
];

for (const variant of variants) {
  const label = `regularizer ${variant.regularizer}${variant.batchNorm === true ? ' with batch norm' : ''}`;
  test(`train is deterministic and resumes exactly from the epoch-1 checkpoint with ${label}`, async () => {
    const uninterrupted = await trainCollecting(data, { ...base, ...variant, epochs: 3 });
    const again = await trainCollecting(data, { ...base, ...variant, epochs: 3 });
    assert.deepEqual(withoutTiming(again.metrics), withoutTiming(uninterrupted.metrics));
    assert.deepEqual(again.checkpoints, uninterrupted.checkpoints);

    const first = await trainCollecting(data, { ...base, ...variant, epochs: 1 });
    const resumed = await trainCollecting(data, { ...base, ...variant, epochs: 3 }, first.checkpoints[0]!);
    assert.deepEqual(resumed.metrics.map((m) => m.epoch), [2, 3]);
    assert.deepEqual(withoutTiming(resumed.metrics), withoutTiming(uninterrupted.metrics.slice(1)));
    assert.deepEqual(resumed.checkpoints, uninterrupted.checkpoints.slice(1));

    const stored = decodeWeights(uninterrupted.checkpoints[2]!.weights).map((w) => w.name);
    assert.deepEqual(stored, variant.batchNorm === true ? [...mlpParamNames, ...batchNormStateNames] : [...mlpParamNames]);
    // The variant changes the trajectory of the d2l model.
    const plain = await trainCollecting(data, { ...base, epochs: 1 });
    assert.notEqual(uninterrupted.metrics[0]!.trainLoss, plain.metrics[0]!.trainLoss);
    assert.ok(uninterrupted.metrics.every((m) => Number.isFinite(m.trainLoss) && Number.isFinite(m.testLoss)));
  });
}
