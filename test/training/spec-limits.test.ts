import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { SpecError } from '../../domain/sweep-spec';
import { fashionMnistClassCount, fashionMnistTrainCount, trainingLimits, type IntegerLimit } from '../../domain/training-limits';
import { balancedSubset } from '../../training/fashion-mnist';
import { buildMlp } from '../../training/mlp';
import { validateTrainConfig, type TrainConfig } from '../../training/train-config';

// "If a spec validates, it must train": every bounded setting, set to its bound, passes the
// spec validator and then every check training makes; one step past it is rejected by the spec.

const base = () => ({
  name: 'limits',
  grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0], epochs: [2] },
  seeds: [1],
  train: { lr: 0.5, batchSize: 256, hidden: [16, 16], trainSubset: null as number | null },
});
type Spec = ReturnType<typeof base>;

interface Bound {
  /** The spec's field, as its error names it. */
  field: string;
  /** What the spec must hold there, exactly as its error states it. */
  requirement: string;
  limit: IntegerLimit;
  set(spec: Spec, value: number): void;
}

const bounds: Bound[] = [
  { field: 'grid.epochs[0]', requirement: 'an integer in [1, 10000]', limit: trainingLimits.epochs, set: (s, v) => (s.grid.epochs = [v]) },
  { field: 'train.hidden[0]', requirement: 'an integer in [1, 8192]', limit: trainingLimits.hidden, set: (s, v) => (s.train.hidden = [v, 1]) },
  { field: 'train.hidden[1]', requirement: 'an integer in [1, 8192]', limit: trainingLimits.hidden, set: (s, v) => (s.train.hidden = [1, v]) },
  { field: 'train.batchSize', requirement: 'an integer in [1, 60000]', limit: trainingLimits.batchSize, set: (s, v) => (s.train.batchSize = v) },
  { field: 'train.trainSubset', requirement: 'an integer in [10, 60000]', limit: trainingLimits.trainSubset, set: (s, v) => (s.train.trainSubset = v) },
  { field: 'seeds[0]', requirement: 'an integer in [0, 2147483647]', limit: trainingLimits.seed, set: (s, v) => (s.seeds = [v]) },
];

/** Every training setting of every run of a validated spec, as the training activity derives it. */
function derivedConfigs(spec: unknown): TrainConfig[] {
  return expandRuns(validateSpec(spec)).map((run) => ({ ...run, epochs: run.maxEpochs }));
}

// 6,000 labels of every class, as in the real training split, so a subset of any allowed size fits.
const labels = Uint8Array.from({ length: fashionMnistTrainCount }, (_, i) => i % fashionMnistClassCount);

for (const bound of bounds) {
  test(`a spec with ${bound.field} at its bounds validates and its run passes validateTrainConfig, buildMlp and the subset sampler`, () => {
    for (const value of [bound.limit.min, bound.limit.max]) {
      const spec = base();
      bound.set(spec, value);
      const [config, ...others] = derivedConfigs(spec);
      assert.equal(others.length, 0);
      const valid = validateTrainConfig(config!);
      const mlp = buildMlp(valid);
      try {
        assert.deepEqual(mlp.params.W1.shape, [784, valid.hidden[0]]);
        assert.deepEqual(mlp.params.W3.shape, [valid.hidden[1], 10]);
      } finally {
        mlp.dispose();
      }
      if (valid.trainSubset !== null) assert.equal(balancedSubset(labels, valid.trainSubset, 0).length, valid.trainSubset);
    }
  });

  test(`validateSpec names ${bound.field}, its range and the value when it is just past its bounds`, () => {
    for (const value of [bound.limit.min - 1, bound.limit.max + 1]) {
      const spec = base();
      bound.set(spec, value);
      assert.throws(
        () => validateSpec(spec),
        (err: unknown) =>
          err instanceof SpecError && err.field === bound.field && err.message === `${bound.field} must be ${bound.requirement}, got ${value}`,
      );
    }
  });
}
