import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { SweepSummary } from '../../workflows/sweep-state';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { sweepWorkflowType } from '../../workflows/workflow-types';

/*
 * Continue-as-new and cancellation with the real workers, real training and real Postgres: the
 * wiring (no epoch row written twice across executions, a cancelled run resuming from its
 * checkpoint). The control flow itself is pinned with fake activities in sweep-control-flow.test.ts.
 */
let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  // A tiny history threshold makes the server suggest continue-as-new within a dozen runs.
  stack = await startTestStack(database.url, ['orchestrate', 'train'], { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

const fast = { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2 };
const tinyTrain = { lr: 0.5, batchSize: 100, hidden: [8, 8], trainSubset: 100 };

function start(id: string, spec: object): Promise<WorkflowHandle> {
  return stack.client.workflow.start(sweepWorkflowType, { workflowId: id, taskQueue: sweepTaskQueue, args: [spec] });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

test('a sweep continues as new when the server suggests it and still trains every run once', { timeout: 240_000 }, async () => {
  const spec = {
    name: 'can',
    grid: { dropout1: [0, 0.1, 0.2], dropout2: [0, 0.1], weightDecay: [0], epochs: [1] },
    seeds: [1, 2],
    train: tinyTrain,
    maxParallel: 2,
    orchestration: fast,
  };
  const summary = (await (await start('can', spec)).result()) as SweepSummary;
  assert.ok(summary.continuedAsNew >= 1, `continued as new ${summary.continuedAsNew} times`);
  assert.equal(summary.trained, 12);
  assert.equal(summary.completed, 12);
  const rows = await handle.db.selectFrom('trial_results').select(['trial_key', 'test_acc']).where('sweep_id', '=', 'can').execute();
  assert.equal(rows.length, 12);
  assert.ok(rows.every((r) => typeof r.test_acc === 'number'));
  const epochRows = await handle.db.selectFrom('epoch_metrics').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(epochRows.n, 12, 'one epoch row per run, none duplicated across executions');
});

test('cancelling a sweep stops its run within an epoch and a relaunch resumes it from the checkpoint', { timeout: 240_000 }, async () => {
  const spec = {
    name: 'cancel',
    grid: { dropout1: [0.25], dropout2: [0.25], weightDecay: [0], epochs: [40] },
    seeds: [7],
    train: { lr: 0.5, batchSize: 64, hidden: [64, 64], trainSubset: 2000 },
    maxParallel: 1,
    orchestration: fast,
  };
  const wf = await start('cancel', spec);
  const runId = await waitFor('the first epoch', async () => {
    const row = await handle.db
      .selectFrom('epoch_metrics as m')
      .innerJoin('sweep_runs as sr', 'sr.run_id', 'm.run_id')
      .select('m.run_id')
      .where('sr.sweep_id', '=', 'cancel')
      .executeTakeFirst();
    return row?.run_id;
  });
  await wf.cancel();
  await assert.rejects(wf.result(), /cancel/i);

  const cancelled = await handle.db.selectFrom('runs').select(['status', 'epochs_done']).where('id', '=', runId).executeTakeFirstOrThrow();
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.epochs_done < 40, `stopped early at epoch ${cancelled.epochs_done}`);
  const sweep = await handle.db.selectFrom('sweeps').select('status').where('id', '=', 'cancel').executeTakeFirstOrThrow();
  assert.equal(sweep.status, 'cancelled');

  const summary = (await (await start('cancel', spec)).result()) as SweepSummary;
  assert.equal(summary.trained, 1);
  const epochs = await handle.db.selectFrom('epoch_metrics').select('epoch').where('run_id', '=', runId).orderBy('epoch').execute();
  assert.deepEqual(
    epochs.map((e) => e.epoch),
    Array.from({ length: 40 }, (_, i) => i + 1),
    'every epoch exactly once across the cancel and the resume',
  );
});
