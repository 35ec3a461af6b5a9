import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { defaultMaxTrials } from '../../domain/training-limits';
import type { SweepSummary } from '../../workflows/sweep-state';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { createFakeSweep, runFakeWorker, startDevServerStack, type DevServerStack, type FakeSweep, type RunningFakeWorker } from './fake-sweep-worker';
import { sweepWorkflowType } from '../../workflows/workflow-types';

/*
 * The trials cap end to end: `regsweep run` (the real CLI, as a process) reads REGSWEEP_MAX_TRIALS
 * and the workflow, on a real dev server, must hold the sweep to the same cap. The worker's
 * activities are fakes that report no runs to train, so a grid of 100,000+ trials costs nothing.
 */
const execFileAsync = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');

let stack: DevServerStack;
let fake: FakeSweep;
let worker: RunningFakeWorker;

before(async () => {
  stack = await startDevServerStack();
  fake = createFakeSweep({ plan: () => [] });
  worker = await runFakeWorker(stack.server.address, sweepTaskQueue, fake.activities);
});

after(async () => {
  await worker?.stop();
  await stack?.stop();
});

// 60 × 60 × 30 = 108,000 trials: above the default cap, below the raised one.
const axis = (n: number, step: number) => Array.from({ length: n }, (_, i) => Number((i * step).toFixed(4)));
const bigSpec = (name: string) => ({
  name,
  grid: { dropout1: axis(60, 0.01), dropout2: axis(60, 0.01), weightDecay: axis(30, 0.0001), epochs: [1] },
  seeds: [1],
  orchestration: { retryInitialSeconds: 1, retryMaxSeconds: 2 },
});
const bigTrials = 60 * 60 * 30;

test('a sweep between the default cap and a raised REGSWEEP_MAX_TRIALS is accepted by regsweep run and by the workflow', { timeout: 120_000 }, async () => {
  assert.ok(bigTrials > defaultMaxTrials && bigTrials <= 200_000);
  const file = path.join(stack.home, 'big.json');
  writeFileSync(file, JSON.stringify(bigSpec('cap-raised')));
  await execFileAsync(process.execPath, [cli, 'run', file, '--detach'], {
    env: { ...process.env, REGSWEEP_MAX_TRIALS: '200000', TEMPORAL_ADDRESS: stack.server.address, REGSWEEP_HOME: stack.home },
  });
  const summary = (await stack.client.workflow.getHandle('cap-raised').result()) as SweepSummary;
  assert.equal(summary.trials, bigTrials);
  assert.deepEqual(
    fake.calls.filter((c) => c.activity === 'registerSweep'),
    [{ activity: 'registerSweep', sweepId: 'cap-raised' }],
    'the workflow validated the spec and registered the sweep',
  );
});

test('the same sweep started without launch options is held to the default cap', { timeout: 120_000 }, async () => {
  // As `temporal workflow start --input-file` starts it, and as executions from before the option existed replay.
  const handle = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'cap-default', taskQueue: sweepTaskQueue, args: [bigSpec('cap-default')] });
  const err = await handle.result().then(
    () => assert.fail('the workflow accepted a grid over the default cap'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof ApplicationFailure);
  assert.equal(err.cause.type, 'InvalidSpec');
  assert.equal(err.cause.nonRetryable, true);
  assert.equal(err.cause.message, `the grid has ${bigTrials} trials, more than the cap of ${defaultMaxTrials}; shrink an axis or raise REGSWEEP_MAX_TRIALS`);
  assert.equal(fake.calls.filter((c) => c.activity === 'registerSweep' && c.sweepId === 'cap-default').length, 0);
});
