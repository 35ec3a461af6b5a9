import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import pg from 'pg';
import { createRecordActivities, type RegisterSweepInput } from '../../activities/index';
import { withFailureClassification } from '../../activities/failure-classification';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { SweepSummary } from '../../workflows/sweep-state';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { createFakeSweep, startDevServerStack, runFakeWorker, type DevServerStack } from './fake-sweep-worker';
import { sweepWorkflowType } from '../../workflows/workflow-types';

/*
 * How activity failures reach the sweep workflow, on a real dev server with in-process workers:
 * a permanent error fails the sweep after one attempt instead of retrying forever, a transient
 * one is retried. The first test uses the real record activities on a real (deliberately
 * unmigrated) Postgres database; the second fakes a deadlock in front of fake activities.
 */
let stack: DevServerStack;
let database: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  stack = await startDevServerStack();
  database = await createTestDatabase();
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await database?.drop();
  await stack?.stop();
});

const specOn = (name: string, queue: string) => ({
  name,
  grid: { dropout1: [0, 0.5], dropout2: [0.5], weightDecay: [0], epochs: [1] },
  seeds: [1],
  // Retries come quickly here, so a failure that were retried would be retried many times within the test.
  orchestration: { retryInitialSeconds: 1, retryMaxSeconds: 1, trainTaskQueue: queue },
});

test('a permanent SQL error in registerSweep fails the sweep after one attempt', { timeout: 120_000 }, async () => {
  const queue = 'permanent-sql';
  // No migrations ran on this database: `sweeps` does not exist (SQLSTATE 42P01), on every attempt.
  const records = createRecordActivities({ db: handle.db, publishDashboards: async () => [] });
  let attempts = 0;
  const worker = await runFakeWorker(stack.server.address, queue, {
    ...records,
    registerSweep: (input: RegisterSweepInput) => {
      attempts += 1;
      return records.registerSweep(input);
    },
  });
  try {
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'permanent-sql', taskQueue: queue, args: [specOn('permanent-sql', queue)] });
    const err = await wf.result().then(
      () => assert.fail('the sweep completed on a database without tables'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ActivityFailure);
    assert.equal(err.cause.activityType, 'registerSweep');
    assert.equal(err.cause.retryState, RetryState.NON_RETRYABLE_FAILURE);
    const failure = err.cause.cause;
    assert.ok(failure instanceof ApplicationFailure);
    assert.deepEqual([failure.type, failure.nonRetryable], ['DatabaseError', true]);
    assert.equal(failure.message, 'relation "sweeps" does not exist (SQLSTATE 42P01)');
    assert.equal(attempts, 1);
  } finally {
    await worker.stop();
  }
});

test('a transient SQL error in registerSweep is retried and the sweep completes', { timeout: 120_000 }, async () => {
  const queue = 'transient-sql';
  const fake = createFakeSweep();
  let attempts = 0;
  const worker = await runFakeWorker(
    stack.server.address,
    queue,
    withFailureClassification({
      ...fake.activities,
      registerSweep: async (input: RegisterSweepInput) => {
        attempts += 1;
        if (attempts === 1) {
          const deadlock = new pg.DatabaseError('deadlock detected', 17, 'error');
          deadlock.code = '40P01';
          throw deadlock;
        }
        return fake.activities.registerSweep(input);
      },
    }),
  );
  try {
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'transient-sql', taskQueue: queue, args: [specOn('transient-sql', queue)] });
    const summary = (await wf.result()) as SweepSummary;
    assert.equal(attempts, 2);
    assert.deepEqual([summary.runs, summary.trained, summary.failed], [2, 2, 0]);
  } finally {
    await worker.stop();
  }
});
