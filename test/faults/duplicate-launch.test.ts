import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { SweepSummary } from '../../workflows/sweep-state';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { sweepWorkflowType } from '../../workflows/workflow-types';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { pauseSignal, resumeSignal } from '../../workflows/sweep-messages';

let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  stack = await startTestStack(database.url, ['orchestrate', 'train', 'train']);
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

const spec = {
  name: 'twice',
  grid: { dropout1: [0, 0.3], dropout2: [0.2], weightDecay: [0, 0.001], epochs: [2, 4] },
  seeds: [1, 2],
  train: { lr: 0.5, batchSize: 64, hidden: [32, 32], trainSubset: 1000 },
  maxParallel: 4,
  orchestration: { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2 },
};

test('launching a running sweep id again is refused by Temporal and followed by regsweep run', { timeout: 240_000 }, async () => {
  const first = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'dup', taskQueue: sweepTaskQueue, args: [spec] });
  // Paused, the sweep is certain to still be running when the CLI arrives: its runs train in
  // well under the time a CLI process takes to start.
  await first.signal(pauseSignal);
  await assert.rejects(stack.client.workflow.start(sweepWorkflowType, { workflowId: 'dup', taskQueue: sweepTaskQueue, args: [spec] }), WorkflowExecutionAlreadyStartedError);

  const file = path.join(stack.home, 'twice.json');
  writeFileSync(file, JSON.stringify(spec));
  const cli = spawn(process.execPath, [path.resolve('bin/regsweep.mjs'), 'run', file, '--id', 'dup'], { env: stack.env });
  let stdout = '';
  let stderr = '';
  cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    cli.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/following it/.test(stderr)) resolve();
    });
    void exited.then((code) => reject(new Error(`regsweep run exited with ${code} before attaching: ${stderr}`)));
  });
  assert.match(stderr, /sweep dup is already running; following it/);
  await first.signal(resumeSignal);
  assert.equal(await exited, 0, stderr);
  const summary = JSON.parse(stdout.split('\n')[0]!) as SweepSummary;
  assert.equal(summary.runs, 8);
  assert.equal((await first.result()).trained, 8);
});

test('two sweeps with the same spec under different ids at once train each run once', { timeout: 240_000 }, async () => {
  const spec2 = { ...spec, seeds: [3, 4] };
  const [a, b] = await Promise.all(
    ['same-a', 'same-b'].map((id) => stack.client.workflow.start(sweepWorkflowType, { workflowId: id, taskQueue: sweepTaskQueue, args: [spec2] })),
  );
  const [ra, rb] = (await Promise.all([a!.result(), b!.result()])) as [SweepSummary, SweepSummary];
  assert.equal(ra.trained + rb.trained, 8, `trained ${ra.trained} + ${rb.trained}`);
  assert.equal(ra.reused + rb.reused, 8);
  const runs = await handle.db
    .selectFrom('runs as r')
    .innerJoin('sweep_runs as sr', 'sr.run_id', 'r.id')
    .select(['r.id', 'r.attempts', 'r.status'])
    .where('sr.sweep_id', '=', 'same-a')
    .execute();
  assert.equal(runs.length, 8);
  for (const r of runs) {
    assert.equal(r.attempts, 1, `run ${r.id} started ${r.attempts} times`);
    assert.equal(r.status, 'completed');
  }
  for (const id of ['same-a', 'same-b']) {
    const trials = await handle.db.selectFrom('trial_results').select('test_acc').where('sweep_id', '=', id).execute();
    assert.equal(trials.length, 16);
    assert.ok(trials.every((t) => typeof t.test_acc === 'number'), `${id} sees every shared run's metrics`);
  }
});
