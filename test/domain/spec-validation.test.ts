import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpecJson, validateSpec } from '../../domain/spec-validation';
import { SpecError } from '../../domain/sweep-spec';

const base = () => ({
  name: 'd2l-dropout',
  grid: { dropout1: [0, 0.2, 0.5], dropout2: [0, 0.2, 0.5], weightDecay: [0, 0.0001, 0.001], epochs: [5, 10, 20] },
  seeds: [1, 2, 3],
  train: { lr: 0.5, batchSize: 256, hidden: [256, 256], trainSubset: null },
  maxParallel: 8,
});

function rejects(mutate: (s: any) => void, message: RegExp, field?: string): void {
  const spec = base();
  mutate(spec);
  assert.throws(
    () => validateSpec(spec),
    (err: unknown) => err instanceof SpecError && message.test(err.message) && (field === undefined || err.field === field) && !err.message.includes('\n'),
  );
}

test('validateSpec accepts the README spec and fills orchestration defaults', () => {
  const spec = validateSpec(base());
  assert.equal(spec.maxParallel, 8);
  assert.deepEqual(spec.train.hidden, [256, 256]);
  assert.equal(spec.orchestration.trainTaskQueue, 'regsweep-train');
  assert.equal(spec.orchestration.heartbeatTimeoutSeconds, 120);
});

test('validateSpec fills train defaults when the train block is absent', () => {
  const s: any = base();
  delete s.train;
  assert.deepEqual(validateSpec(s).train, { lr: 0.5, batchSize: 256, hidden: [256, 256], trainSubset: null });
});

test('validateSpec names the field and the range when a dropout is out of [0, 1)', () => {
  rejects((s) => (s.grid.dropout1[1] = 1.2), /^grid\.dropout1\[1\] must be in \[0, 1\), got 1\.2$/, 'grid.dropout1[1]');
  rejects((s) => (s.grid.dropout2[0] = 1), /grid\.dropout2\[0\] must be in \[0, 1\), got 1/);
  rejects((s) => (s.grid.dropout2[0] = -0.1), /got -0\.1/);
});

test('validateSpec rejects NaN, Infinity and strings where numbers belong', () => {
  rejects((s) => (s.grid.weightDecay[0] = Number.NaN), /grid\.weightDecay\[0\] must be a finite number >= 0, got NaN/);
  rejects((s) => (s.grid.weightDecay[0] = Number.POSITIVE_INFINITY), /got Infinity/);
  rejects((s) => (s.grid.dropout1[0] = '0.2'), /must be a number in \[0, 1\), got "0\.2"/);
});

test('validateSpec rejects negative weight decay', () => {
  rejects((s) => (s.grid.weightDecay = [-0.001]), /grid\.weightDecay\[0\] must be a finite number >= 0, got -0\.001/);
});

test('validateSpec rejects zero, negative and fractional epochs', () => {
  for (const bad of [0, -3, 2.5]) rejects((s) => (s.grid.epochs = [bad]), /grid\.epochs\[0\] must be an integer in \[1, 10000\]/);
});

test('validateSpec rejects empty axes and duplicate values', () => {
  rejects((s) => (s.grid.dropout1 = []), /grid\.dropout1 must be a non-empty array, got \[\]/);
  rejects((s) => (s.seeds = [1, 2, 1]), /seeds must not repeat values, got 1 twice/);
});

test('validateSpec rejects unknown keys at every level', () => {
  rejects((s) => (s.gird = {}), /^gird is not a known setting; allowed keys are name, grid/);
  rejects((s) => (s.grid.dropout3 = [0]), /grid\.dropout3 is not a known setting/);
  rejects((s) => (s.train.momentum = 0.9), /train\.momentum is not a known setting/);
});

test('validateSpec rejects a grid over the cap', () => {
  assert.throws(() => validateSpec(base(), { maxTrials: 100 }), /the grid has 243 trials, more than the cap of 100/);
});

test('validateSpec rejects a hidden block that is not two layer sizes', () => {
  rejects((s) => (s.train.hidden = [256]), /train\.hidden must be an array of two layer sizes/);
});

test('parseSpecJson turns malformed JSON into one SpecError line', () => {
  assert.throws(
    () => parseSpecJson('{"name": '),
    (err: unknown) => err instanceof SpecError && /^spec is not valid JSON: /.test(err.message),
  );
});

test('validateSpec accepts the variant axes and test-time dropout, and leaves them out when absent', () => {
  const s: any = base();
  delete s.train.lr;
  s.grid = { ...s.grid, regularizer: ['dropout', 'gaussian'], batchNorm: [false, true], lr: [0.1, 0.5] };
  s.train.evalDropoutSamples = 20;
  const spec = validateSpec(s);
  assert.deepEqual(
    [spec.grid.regularizer, spec.grid.batchNorm, spec.grid.lr, spec.train.evalDropoutSamples],
    [['dropout', 'gaussian'], [false, true], [0.1, 0.5], 20],
  );
  const plain = validateSpec(base());
  assert.deepEqual(Object.keys(plain.grid), ['dropout1', 'dropout2', 'weightDecay', 'epochs']);
  assert.equal('evalDropoutSamples' in plain.train, false);
});

test('validateSpec counts the variant axes in the trials cap', () => {
  const s: any = base();
  s.grid.regularizer = ['dropout', 'dropconnect'];
  s.grid.batchNorm = [false, true];
  assert.throws(() => validateSpec(s, { maxTrials: 243 * 4 - 1 }), /the grid has 972 trials, more than the cap of 971/);
});

test('validateSpec names the field of a bad variant value in one line', () => {
  rejects(
    (s) => (s.grid.regularizer = ['dropout', 'dropblock']),
    /^grid\.regularizer\[1\] must be one of "dropout", "dropconnect", "gaussian", "additive-gaussian", got "dropblock"$/,
    'grid.regularizer[1]',
  );
  rejects((s) => (s.grid.regularizer = 'gaussian'), /^grid\.regularizer must be a non-empty array, got "gaussian"$/);
  rejects((s) => (s.grid.regularizer = ['gaussian', 'gaussian']), /grid\.regularizer must not repeat values, got "gaussian" twice/);
  rejects((s) => (s.grid.batchNorm = ['true']), /^grid\.batchNorm\[0\] must be true or false, got "true"$/, 'grid.batchNorm[0]');
  rejects((s) => (s.grid.batchNorm = [0]), /^grid\.batchNorm\[0\] must be true or false, got 0$/);
  // A Gaussian rate p gives noise variance p/(1−p): at 1 it is infinite, so rates stay below 1 for every regularizer.
  rejects((s) => ((s.grid.regularizer = ['gaussian']), (s.grid.dropout2 = [0.5, 1])), /^grid\.dropout2\[1\] must be in \[0, 1\), got 1$/, 'grid.dropout2[1]');
  for (const bad of [-1, 101, 2.5, '4']) {
    rejects((s) => (s.train.evalDropoutSamples = bad), /^train\.evalDropoutSamples must be an integer in \[0, 100\], got /, 'train.evalDropoutSamples');
  }
  rejects((s) => (delete s.train.lr, (s.grid.lr = [0.1, 0])), /^grid\.lr\[1\] must be a finite number > 0, got 0$/);
});

test('validateSpec refuses a learning rate given both as an axis and as a setting', () => {
  rejects(
    (s) => (s.grid.lr = [0.1, 0.5]),
    /^grid\.lr and train\.lr are both given \(train\.lr = 0\.5\); keep one: grid\.lr to sweep learning rates, train\.lr for a single one$/,
    'grid.lr',
  );
});
