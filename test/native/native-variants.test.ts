import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectBackend } from '../../training/backends';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { trainCollecting, variantRunBase, withoutTiming } from '../helpers/variant-runs';
import type { TrainConfigInput } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { nativeSkipReason } from './kernel-comparison';

const skip = nativeSkipReason();
let data: Dataset;

before(async () => {
  if (skip !== false) return;
  await selectBackend('native');
  data = loadDatasetCached(realDatasetDir());
});

const base = variantRunBase;

const variants: Array<Pick<TrainConfigInput, 'regularizer' | 'batchNorm'>> = [
  { regularizer: 'dropconnect', batchNorm: false },
  { regularizer: 'gaussian', batchNorm: false },
  { regularizer: 'additive-gaussian', batchNorm: false },
  { regularizer: 'dropout', batchNorm: true },
  { regularizer: 'dropconnect', batchNorm: true },
];

for (const variant of variants) {
  const label = `regularizer ${variant.regularizer}${variant.batchNorm === true ? ' with batch norm' : ''}`;
  test(`native training is deterministic and resumes exactly from the epoch-1 checkpoint with ${label}`, { skip }, async () => {
    const uninterrupted = await trainCollecting(data, { ...base, ...variant, epochs: 3 });
    assert.equal(uninterrupted.metrics[0]!.backend, 'native');
    const again = await trainCollecting(data, { ...base, ...variant, epochs: 3 });
    assert.deepEqual(withoutTiming(again.metrics), withoutTiming(uninterrupted.metrics));
    assert.deepEqual(again.checkpoints, uninterrupted.checkpoints);
    const first = await trainCollecting(data, { ...base, ...variant, epochs: 1 });
    const resumed = await trainCollecting(data, { ...base, ...variant, epochs: 3 }, first.checkpoints[0]!);
    assert.deepEqual(resumed.metrics.map((m) => m.epoch), [2, 3]);
    assert.deepEqual(withoutTiming(resumed.metrics), withoutTiming(uninterrupted.metrics.slice(1)));
    assert.deepEqual(resumed.checkpoints, uninterrupted.checkpoints.slice(1));
    assert.ok(uninterrupted.metrics.every((m) => Number.isFinite(m.trainLoss) && Number.isFinite(m.testLoss)));
  });
}
