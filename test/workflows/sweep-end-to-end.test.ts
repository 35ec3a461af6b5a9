import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { SweepSummary } from '../../workflows/sweep-state';
import { progressQuery } from '../../workflows/sweep-messages';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { sweepNameAttribute, sweepStatusAttribute } from '../../workflows/search-attributes';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { sweepWorkflowType } from '../../workflows/workflow-types';

const run = promisify(execFile);

// Tiny but real: Fashion-MNIST subset, small hidden layers, short timeouts for a test.
const spec = (seeds: number[]) => ({
  name: 'e2e-sweep',
  grid: { dropout1: [0, 0.5], dropout2: [0.2], weightDecay: [0], epochs: [1, 2] },
  seeds,
  train: { lr: 0.5, batchSize: 64, hidden: [64, 64], trainSubset: 2000 },
  maxParallel: 2,
  orchestration: { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2 },
});

let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  stack = await startTestStack(database.url, ['orchestrate', 'train']);
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

/** Launches exactly as the README shows, with the real `temporal` binary and a JSON file. */
async function launchWithTemporalCli(id: string, seeds: number[]): Promise<SweepSummary> {
  const file = path.join(stack.home, `${id}-${seeds.length}.json`);
  writeFileSync(file, JSON.stringify(spec(seeds)));
  await run(stack.cliPath, [
    'workflow',
    'start',
    '--address',
    stack.server.address,
    '--task-queue',
    sweepTaskQueue,
    '--type',
    sweepWorkflowType,
    '--workflow-id',
    id,
    '--input-file',
    file,
  ]);
  return (await stack.client.workflow.getHandle(id).result()) as SweepSummary;
}

test('a sweep launched from the temporal CLI lands every trial in Postgres', { timeout: 240_000 }, async () => {
  const summary = await launchWithTemporalCli('e2e', [1]);
  assert.equal(summary.trials, 4);
  assert.equal(summary.runs, 2);
  assert.equal(summary.trained, 2);
  assert.equal(summary.reused, 0);
  assert.equal(summary.failed, 0);
  // Chance is 0.10 on the 10,000 test images; two short epochs of a small net clear it well.
  assert.ok(summary.best && summary.best.testAcc > 0.15, `best ${JSON.stringify(summary.best)}`);

  const trials = await handle.db.selectFrom('trial_results').selectAll().where('sweep_id', '=', 'e2e').orderBy('trial_key').execute();
  assert.equal(trials.length, 4);
  for (const t of trials) {
    assert.equal(typeof t.test_acc, 'number', `trial ${t.trial_key} has metrics`);
    assert.ok(t.test_acc! >= 0 && t.test_acc! <= 1);
    assert.equal(t.gap, t.train_acc_eval! - t.test_acc!);
  }
  const epochs = await handle.db.selectFrom('epoch_metrics').select(['run_id', 'epoch']).execute();
  assert.equal(epochs.length, 4, 'two runs x two epochs, each once');
  const sweep = await handle.db.selectFrom('sweeps').selectAll().where('id', '=', 'e2e').executeTakeFirstOrThrow();
  assert.equal(sweep.status, 'completed');

  const progress = await stack.client.workflow.getHandle('e2e').query(progressQuery);
  assert.deepEqual(
    { total: progress.total, done: progress.done, running: progress.running, failed: progress.failed },
    { total: 2, done: 2, running: 0, failed: 0 },
  );
});

test('relaunching the same spec trains nothing', { timeout: 240_000 }, async () => {
  const summary = await launchWithTemporalCli('e2e', [1]);
  assert.equal(summary.trained, 0);
  assert.equal(summary.reused, 2);
  const epochs = await handle.db.selectFrom('epoch_metrics').select('run_id').execute();
  assert.equal(epochs.length, 4);
});

test('extending the spec by one seed trains only the new runs', { timeout: 240_000 }, async () => {
  const summary = await launchWithTemporalCli('e2e', [1, 2]);
  assert.equal(summary.runs, 4);
  assert.equal(summary.trained, 2);
  assert.equal(summary.reused, 2);
  const trials = await handle.db.selectFrom('trial_results').select(['trial_key', 'test_acc']).where('sweep_id', '=', 'e2e').execute();
  assert.equal(trials.length, 8);
  assert.ok(trials.every((t) => typeof t.test_acc === 'number'));
});

test('sweeps are listed by their search attributes', { timeout: 240_000 }, async () => {
  const { stdout } = await run(stack.cliPath, [
    'workflow',
    'list',
    '--address',
    stack.server.address,
    '-q',
    `${sweepNameAttribute}="e2e-sweep" AND ${sweepStatusAttribute}="completed"`,
    '-o',
    'json',
  ]);
  const listed = JSON.parse(stdout) as { execution: { workflowId: string } }[];
  assert.ok(listed.length >= 1 && listed.every((w) => w.execution.workflowId === 'e2e'));
});

/** Starts `specJson` with the Temporal CLI and checks that the workflow fails at once, non-retryably, with `message`, writing nothing. */
async function assertRejectedAtStart(workflowId: string, specJson: unknown, message: string): Promise<void> {
  const file = path.join(stack.home, `${workflowId}.json`);
  writeFileSync(file, JSON.stringify(specJson));
  await run(stack.cliPath, [
    'workflow',
    'start',
    '--address',
    stack.server.address,
    '--task-queue',
    sweepTaskQueue,
    '--type',
    sweepWorkflowType,
    '--workflow-id',
    workflowId,
    '--input-file',
    file,
  ]);
  await assert.rejects(stack.client.workflow.getHandle(workflowId).result(), (err: Error & { cause?: Error & { nonRetryable?: boolean } }) => {
    assert.equal(err.cause?.message, message);
    assert.equal(err.cause?.nonRetryable, true);
    return true;
  });
  const rows = await handle.db.selectFrom('sweeps').select('id').where('id', '=', workflowId).execute();
  assert.equal(rows.length, 0, `nothing half-written for ${workflowId}`);
}

test('a spec with an invalid dropout fails the workflow at once and non-retryably', { timeout: 240_000 }, async () => {
  await assertRejectedAtStart('bad-spec', { ...spec([1]), grid: { ...spec([1]).grid, dropout1: [0, 1.2] } }, 'grid.dropout1[1] must be in [0, 1), got 1.2');
});

test('a spec with a bad variant setting fails the workflow at once and non-retryably, naming the field', { timeout: 240_000 }, async () => {
  const bad: [string, Record<string, unknown>, string][] = [
    [
      'bad-regularizer',
      { grid: { ...spec([1]).grid, regularizer: ['dropout', 'dropblock'] } },
      'grid.regularizer[1] must be one of "dropout", "dropconnect", "gaussian", "additive-gaussian", got "dropblock"',
    ],
    ['bad-batch-norm', { grid: { ...spec([1]).grid, batchNorm: ['on'] } }, 'grid.batchNorm[0] must be true or false, got "on"'],
    ['bad-eval-dropout', { train: { ...spec([1]).train, evalDropoutSamples: 101 } }, 'train.evalDropoutSamples must be an integer in [0, 100], got 101'],
    ['bad-gaussian-rate', { grid: { ...spec([1]).grid, regularizer: ['gaussian'], dropout2: [1] } }, 'grid.dropout2[0] must be in [0, 1), got 1'],
  ];
  for (const [workflowId, change, message] of bad) await assertRejectedAtStart(workflowId, { ...spec([1]), ...change }, message);
});

async function regsweep(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.resolve('bin/regsweep.mjs'), ...args], { env: { ...stack.env, DATABASE_URL: database.url } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    return err as { code: number; stdout: string; stderr: string };
  }
}

test('regsweep status and results read a finished sweep', { timeout: 120_000 }, async () => {
  const status = await regsweep(['status', 'e2e']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^sweep e2e: COMPLETED/m);
  assert.match(status.stdout, /^runs in the database: 4 completed, 0 running, 0 pending, 0 failed, 0 cancelled$/m);
  const csv = await regsweep(['results', 'e2e', '--format', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'dropout1,dropout2,weight_decay,epochs,seeds,diverged,test_acc,train_acc_eval,gap');
  assert.equal(lines.length, 1 + 4, 'one line per grid point, seeds averaged');
});

for (const command of ['status', 'cancel', 'results']) {
  test(`regsweep ${command} exits 2 naming a sweep id that does not exist`, { timeout: 120_000 }, async () => {
    const r = await regsweep([command, 'no-such-sweep']);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim(), /^regsweep: no sweep with id "no-such-sweep"/);
  });
}
