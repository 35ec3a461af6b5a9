import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochBudget, expandRuns, expandTrials } from '../../domain/grid-expansion';
import { runIdOf, type RunTrainingConfig } from '../../domain/run-identity';
import { validateSpec } from '../../domain/spec-validation';

const spec = validateSpec({
  name: 'g',
  grid: { dropout1: [0, 0.5], dropout2: [0.2], weightDecay: [0, 0.001], epochs: [5, 10, 20] },
  seeds: [1, 2],
});

test('expandRuns yields one run per config and seed, trained to the largest epochs', () => {
  const runs = expandRuns(spec);
  assert.equal(runs.length, 2 * 1 * 2 * 2);
  assert.ok(runs.every((r) => r.maxEpochs === 20));
  assert.equal(new Set(runs.map((r) => r.runId)).size, runs.length);
  assert.deepEqual(
    runs.slice(0, 3).map((r) => [r.dropout1, r.weightDecay, r.seed]),
    [
      [0, 0, 1],
      [0, 0, 2],
      [0, 0.001, 1],
    ],
  );
});

test('expandTrials shares one run across the epochs axis', () => {
  const trials = expandTrials(spec);
  assert.equal(trials.length, 24);
  const byRun = new Map<string, number[]>();
  for (const t of trials) byRun.set(t.runId, [...(byRun.get(t.runId) ?? []), t.epochs]);
  assert.equal(byRun.size, 8);
  for (const epochs of byRun.values()) assert.deepEqual(epochs, [5, 10, 20]);
  assert.equal(new Set(trials.map((t) => t.trialKey)).size, 24);
});

const d2lConfig: RunTrainingConfig = {
  dropout1: 0.2,
  dropout2: 0.5,
  weightDecay: 0,
  seed: 1,
  lr: 0.5,
  batchSize: 256,
  hidden: [256, 256],
  trainSubset: null,
  regularizer: 'dropout',
  batchNorm: false,
  evalDropoutSamples: 0,
};

test('runIdOf is stable and ignores nothing that changes training or what a run records', () => {
  const c = d2lConfig;
  assert.equal(runIdOf(c), runIdOf({ ...c }));
  assert.match(runIdOf(c), /^run-[0-9a-f]{20}$/);
  const changes: Partial<RunTrainingConfig>[] = [
    { seed: 2 },
    { lr: 0.1 },
    { batchSize: 128 },
    { hidden: [128, 256] },
    { trainSubset: 512 },
    { weightDecay: 1e-4 },
    { regularizer: 'dropconnect' },
    { regularizer: 'gaussian' },
    { regularizer: 'additive-gaussian' },
    { batchNorm: true },
    { evalDropoutSamples: 20 },
  ];
  const ids = changes.map((change) => runIdOf({ ...c, ...change }));
  assert.equal(new Set([runIdOf(c), ...ids]).size, changes.length + 1);
});

test('runs of the original model keep the ids they had before the variant settings existed', () => {
  // Computed with the run identity of the release before regularizer, batchNorm and
  // evalDropoutSamples existed; databases hold runs under these ids and relaunches must reuse them.
  assert.equal(runIdOf(d2lConfig), 'run-1a02c01a96916e996c50');
  assert.equal(runIdOf({ ...d2lConfig, dropout1: 0, dropout2: 0, weightDecay: 0.001, seed: 7, lr: 0.1, trainSubset: 2000 }), 'run-f58bd05ed4262b2422f5');
  const run = expandRuns(validateSpec({ name: 'd2l', grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0], epochs: [10] }, seeds: [1] }))[0];
  assert.equal(run?.runId, 'run-1a02c01a96916e996c50');
  assert.equal(expandTrials(spec)[0]?.trialKey, 'd1=0,d2=0.2,wd=0,e=5,s=1');
});

test('variant axes multiply the runs, and each run carries its variant to training', () => {
  const variants = validateSpec({
    name: 'v',
    grid: {
      dropout1: [0.2],
      dropout2: [0.5],
      weightDecay: [0],
      epochs: [3, 6],
      regularizer: ['dropout', 'dropconnect'],
      batchNorm: [false, true],
      lr: [0.1, 0.5],
    },
    seeds: [1, 2],
    train: { evalDropoutSamples: 4 },
  });
  const runs = expandRuns(variants);
  assert.equal(runs.length, 2 * 2 * 2 * 2);
  assert.equal(new Set(runs.map((r) => r.runId)).size, runs.length);
  assert.deepEqual(
    runs.slice(0, 5).map((r) => [r.regularizer, r.batchNorm, r.lr, r.seed]),
    [
      ['dropout', false, 0.1, 1],
      ['dropout', false, 0.1, 2],
      ['dropout', false, 0.5, 1],
      ['dropout', false, 0.5, 2],
      ['dropout', true, 0.1, 1],
    ],
  );
  assert.ok(runs.every((r) => r.evalDropoutSamples === 4));
  const trials = expandTrials(variants);
  assert.equal(trials.length, runs.length * 2);
  assert.equal(new Set(trials.map((t) => t.trialKey)).size, trials.length);
  assert.ok(trials.some((t) => t.trialKey === 'd1=0.2,d2=0.5,wd=0,e=6,s=2,reg=dropconnect,bn=1,lr=0.1'));
});

test('extending a spec by one seed keeps every existing run id', () => {
  const extended = validateSpec({ ...spec, seeds: [1, 2, 3] });
  const before = new Set(expandRuns(spec).map((r) => r.runId));
  const after = expandRuns(extended).map((r) => r.runId);
  assert.equal(after.filter((id) => !before.has(id)).length, 4);
  assert.ok([...before].every((id) => after.includes(id)));
});

test('epochBudget counts the epochs saved by sharing runs', () => {
  assert.deepEqual(epochBudget(spec), { trained: 8 * 20, naive: 8 * 35 });
});

test('grid points at rates 0 share the default model run whatever their regularizer', () => {
  const variants = validateSpec({
    name: 'zero',
    grid: { dropout1: [0, 0.2], dropout2: [0], weightDecay: [0], epochs: [5], regularizer: ['dropout', 'gaussian', 'dropconnect'] },
    seeds: [1],
  });
  const runs = expandRuns(variants);
  assert.deepEqual(
    runs.map((r) => [r.regularizer, r.dropout1]),
    [
      ['dropout', 0],
      ['dropout', 0.2],
      ['gaussian', 0.2],
      ['dropconnect', 0.2],
    ],
  );
  const trials = expandTrials(variants);
  assert.equal(trials.length, 6);
  const zeroTrials = trials.filter((t) => t.dropout1 === 0);
  assert.deepEqual(
    zeroTrials.map((t) => t.regularizer),
    ['dropout', 'gaussian', 'dropconnect'],
  );
  assert.equal(new Set(zeroTrials.map((t) => t.runId)).size, 1);
  assert.deepEqual(epochBudget(variants), { trained: 4 * 5, naive: 6 * 5 });
});
