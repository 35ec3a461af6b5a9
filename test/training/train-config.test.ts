import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateTrainConfig, withTrainDefaults, type TrainConfig } from '../../training/train-config';
import { TrainConfigError } from '../../training/training-errors';

const good: TrainConfig = {
  dropout1: 0.2,
  dropout2: 0.5,
  weightDecay: 0,
  seed: 1,
  epochs: 10,
  lr: 0.5,
  batchSize: 256,
  hidden: [256, 256],
  trainSubset: null,
};

function rejects(change: Partial<Record<keyof TrainConfig, unknown>>, field: string, message: string): void {
  assert.throws(
    () => validateTrainConfig({ ...good, ...change } as TrainConfig),
    (error: unknown) => error instanceof TrainConfigError && error.field === field && error.message === message,
  );
}

test('validateTrainConfig fills initStd, regularizer, batchNorm and evalDropoutSamples and keeps every other field when the config is valid', () => {
  assert.deepEqual(validateTrainConfig(good), { ...good, initStd: 0.01, regularizer: 'dropout', batchNorm: false, evalDropoutSamples: 0 });
  const variant = { ...good, regularizer: 'additive-gaussian', batchNorm: true } as const;
  assert.deepEqual(validateTrainConfig(variant), { ...variant, initStd: 0.01, evalDropoutSamples: 0 });
  for (const samples of [0, 1, 100]) {
    assert.equal(validateTrainConfig({ ...good, evalDropoutSamples: samples }).evalDropoutSamples, samples);
  }
});

test('validateTrainConfig names evalDropoutSamples, its range and the value when it is not an integer in [0, 100]', () => {
  rejects({ evalDropoutSamples: -1 }, 'evalDropoutSamples', 'evalDropoutSamples must be an integer in [0, 100], got -1');
  rejects({ evalDropoutSamples: 1.5 }, 'evalDropoutSamples', 'evalDropoutSamples must be an integer in [0, 100], got 1.5');
  rejects({ evalDropoutSamples: 101 }, 'evalDropoutSamples', 'evalDropoutSamples must be an integer in [0, 100], got 101');
  rejects({ evalDropoutSamples: '3' }, 'evalDropoutSamples', 'evalDropoutSamples must be an integer in [0, 100], got "3"');
  rejects({ evalDropoutSamples: null }, 'evalDropoutSamples', 'evalDropoutSamples must be an integer in [0, 100], got null');
});

test('validateTrainConfig names the field, the range and the value when a field is out of range', () => {
  rejects({ dropout1: 1.2 }, 'dropout1', 'dropout1 must be in [0, 1), got 1.2');
  rejects({ dropout2: 1 }, 'dropout2', 'dropout2 must be in [0, 1), got 1');
  rejects({ dropout2: -0.1 }, 'dropout2', 'dropout2 must be in [0, 1), got -0.1');
  rejects({ weightDecay: -1 }, 'weightDecay', 'weightDecay must be a finite number >= 0, got -1');
  rejects({ seed: 1.5 }, 'seed', 'seed must be an integer in [0, 2147483647], got 1.5');
  rejects({ epochs: 0 }, 'epochs', 'epochs must be an integer in [1, 10000], got 0');
  rejects({ lr: 0 }, 'lr', 'lr must be a finite number > 0, got 0');
  rejects({ batchSize: 0 }, 'batchSize', 'batchSize must be an integer in [1, 60000], got 0');
  rejects({ hidden: [256] }, 'hidden', 'hidden must be two integer layer widths in [1, 8192], got [256]');
  rejects({ trainSubset: 5 }, 'trainSubset', 'trainSubset must be null or an integer in [10, 60000], got 5');
  rejects({ initStd: Number.NaN }, 'initStd', 'initStd must be a finite number > 0, got NaN');
});

test('validateTrainConfig rejects wrongly typed fields when the config comes from JSON', () => {
  rejects({ dropout1: '0.2' }, 'dropout1', 'dropout1 must be in [0, 1), got "0.2"');
  rejects({ epochs: null }, 'epochs', 'epochs must be an integer in [1, 10000], got null');
  rejects({ batchNorm: 'true' }, 'batchNorm', 'batchNorm must be true or false, got "true"');
  rejects({ batchNorm: 1 }, 'batchNorm', 'batchNorm must be true or false, got 1');
  rejects({ batchNorm: null }, 'batchNorm', 'batchNorm must be true or false, got null');
});

test('validateTrainConfig names the allowed regularizers and the value when the regularizer is unknown', () => {
  const allowed = 'dropout, dropconnect, gaussian, additive-gaussian';
  rejects({ regularizer: 'dropblock' }, 'regularizer', `regularizer must be one of ${allowed}, got "dropblock"`);
  rejects({ regularizer: 'Dropout' }, 'regularizer', `regularizer must be one of ${allowed}, got "Dropout"`);
  rejects({ regularizer: null }, 'regularizer', `regularizer must be one of ${allowed}, got null`);
});

test('validateTrainConfig names the regularizer whose rate is out of range when a variant is chosen', () => {
  // The gaussian noise variance p/(1−p) is infinite at p = 1 and negative beyond.
  rejects({ regularizer: 'gaussian', dropout1: 1 }, 'dropout1', 'dropout1 must be in [0, 1) for regularizer gaussian, got 1');
  rejects({ regularizer: 'gaussian', dropout2: 1.5 }, 'dropout2', 'dropout2 must be in [0, 1) for regularizer gaussian, got 1.5');
  rejects({ regularizer: 'additive-gaussian', dropout1: 1 }, 'dropout1', 'dropout1 must be in [0, 1) for regularizer additive-gaussian, got 1');
  rejects({ regularizer: 'dropconnect', dropout2: -0.5 }, 'dropout2', 'dropout2 must be in [0, 1) for regularizer dropconnect, got -0.5');
});

test('withTrainDefaults uses the d2l defaults when only the swept fields are given', () => {
  const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 3, epochs: 2 });
  assert.deepEqual(config, {
    dropout1: 0.2,
    dropout2: 0.5,
    weightDecay: 0,
    seed: 3,
    epochs: 2,
    lr: 0.5,
    batchSize: 256,
    hidden: [256, 256],
    trainSubset: null,
    initStd: 0.01,
    regularizer: 'dropout',
    batchNorm: false,
    evalDropoutSamples: 0,
  });
});
