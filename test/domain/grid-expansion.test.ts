import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochBudget, expandRuns, expandTrials } from '../../domain/grid-expansion';
import { runIdOf } from '../../domain/run-identity';
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
    [[0, 0, 1], [0, 0, 2], [0, 0.001, 1]],
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

test('runIdOf is stable and ignores nothing that changes training', () => {
  const c = { dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 1, lr: 0.5, batchSize: 256, hidden: [256, 256] as [number, number], trainSubset: null };
  assert.equal(runIdOf(c), runIdOf({ ...c }));
  assert.match(runIdOf(c), /^run-[0-9a-f]{20}$/);
  for (const change of [{ seed: 2 }, { lr: 0.1 }, { batchSize: 128 }, { hidden: [128, 256] as [number, number] }, { trainSubset: 512 }, { weightDecay: 1e-4 }]) {
    assert.notEqual(runIdOf({ ...c, ...change }), runIdOf(c));
  }
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
