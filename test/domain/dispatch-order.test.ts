import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatchOrder, sharedStepKey } from '../../domain/dispatch-order';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';

const spec = validateSpec({
  name: 'order',
  grid: { dropout1: [0, 0.5], dropout2: [0.2, 0.5], weightDecay: [0, 1e-3], epochs: [2] },
  seeds: [1, 2, 3],
});

test('dispatch order puts the runs of one seed next to each other, seeds in spec order, the grid in expansion order within each', () => {
  const runs = expandRuns(spec);
  const ordered = dispatchOrder(runs);
  assert.equal(ordered.length, runs.length);
  assert.deepEqual(new Set(ordered.map((r) => r.runId)), new Set(runs.map((r) => r.runId)));
  assert.deepEqual(
    ordered.map((r) => r.seed),
    [1, 2, 3].flatMap((seed) => Array<number>(8).fill(seed)),
  );
  for (const seed of [1, 2, 3]) {
    assert.deepEqual(
      ordered.filter((r) => r.seed === seed),
      runs.filter((r) => r.seed === seed),
    );
  }
});

test('runs share a step key when they differ only in rates, weight decay, learning rate and epochs', () => {
  const [a, b] = [expandRuns(spec)[0]!, expandRuns(spec).filter((r) => r.seed === 1)[5]!];
  assert.notEqual(a.runId, b.runId);
  assert.equal(sharedStepKey({ ...a, lr: 0.1, maxEpochs: 9 }, ['runId', 'maxEpochs']), sharedStepKey(b, ['runId', 'maxEpochs']));
  assert.notEqual(sharedStepKey({ ...a, seed: 4 }), sharedStepKey(a));
  assert.notEqual(sharedStepKey({ ...a, hidden: [64, 64] }), sharedStepKey(a));
  assert.notEqual(sharedStepKey({ ...a, batchNorm: true }), sharedStepKey(a));
});
