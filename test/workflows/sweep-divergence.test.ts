import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { SweepSummary } from '../../workflows/sweep-state';
import { divergingAt, divergingConfig, divergingMessage } from '../helpers/diverging-run';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { sweepTaskQueue } from '../../workflows/task-queues';

let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  // wasm: the backend on which divergingConfig's epoch and batch of divergence were found.
  stack = await startTestStack(database.url, ['orchestrate', 'train'], { env: { REGSWEEP_BACKEND: 'wasm' } });
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

test('a run that diverges ends as diverged at its epoch, once, and the sweep completes and counts it', { timeout: 240_000 }, async () => {
  const { lr, batchSize, hidden, trainSubset, seed } = divergingConfig;
  const spec = {
    name: 'diverge',
    // epochs 1 is before the divergence (a valid result), 4 after it.
    grid: { dropout1: [0], dropout2: [0], weightDecay: [0], epochs: [1, 4] },
    seeds: [seed],
    train: { lr, batchSize, hidden, trainSubset },
    maxParallel: 1,
    orchestration: { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2 },
  };
  const run = () => stack.client.workflow.start('sweep', { workflowId: 'diverge', taskQueue: sweepTaskQueue, args: [spec] }).then((wf) => wf.result());
  const summary = (await run()) as SweepSummary;
  assert.deepEqual([summary.trained, summary.diverged, summary.failed, summary.completed], [1, 1, 0, 0]);

  const runRow = await handle.db.selectFrom('runs').selectAll().executeTakeFirstOrThrow();
  assert.deepEqual([runRow.status, runRow.diverged_at_epoch, runRow.epochs_done, runRow.attempts], ['diverged', divergingAt.epoch, divergingAt.epoch - 1, 1]);
  assert.match(runRow.error ?? '', divergingMessage);
  const epochs = await handle.db.selectFrom('epoch_metrics').select(['epoch', 'diverged', 'test_acc']).orderBy('epoch').execute();
  assert.deepEqual(epochs.map((e) => [e.epoch, e.diverged, e.test_acc === null]), [[1, false, false], [2, true, true]]);
  const trials = await handle.db.selectFrom('config_summary').select(['epochs', 'n', 'n_diverged']).where('sweep_id', '=', 'diverge').orderBy('epochs').execute();
  assert.deepEqual(trials.map((t) => [t.epochs, t.n, t.n_diverged]), [[1, 1, 0], [4, 0, 1]]);
  const sweep = await handle.db.selectFrom('sweeps').select('status').executeTakeFirstOrThrow();
  assert.equal(sweep.status, 'completed');

  // A relaunch does not train it again: it would diverge at the same batch.
  const again = (await run()) as SweepSummary;
  assert.deepEqual([again.trained, again.reused, again.diverged], [0, 1, 1]);
});
