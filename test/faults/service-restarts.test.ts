import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { removeEmbeddedCluster, startEmbeddedPostgres, type EmbeddedDatabase } from '../../infra/postgres/embedded';
import { freePort } from '../../infra/local/free-port';
import type { SweepSummary } from '../../workflows/sweep-state';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { waitFor } from '../helpers/fault-helpers';
import { sweepWorkflowType } from '../../workflows/workflow-types';
import { sweepTaskQueue } from '../../workflows/task-queues';

// A Postgres of the test's own (the embedded one) so that it can be stopped and started.
let pgHome: string;
let pgPort: number;
let postgres: EmbeddedDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  // A private folder, like a clone under a home: the cluster finds a place its OS user can reach.
  const parent = mkdtempSync(path.join(os.tmpdir(), 'regsweep-restarts-'));
  pgHome = path.join(parent, 'home');
  pgPort = await freePort();
  postgres = await startEmbeddedPostgres(pgHome, pgPort);
  stack = await startTestStack(postgres.url, ['orchestrate', 'train']);
  handle = openDatabase(postgres.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await postgres?.stop();
  await removeEmbeddedCluster(pgHome);
  rmSync(path.dirname(pgHome), { recursive: true, force: true });
});

const specFor = (name: string, seeds: number[]) => ({
  name,
  grid: { dropout1: [0.1, 0.3], dropout2: [0.2], weightDecay: [0], epochs: [6] },
  seeds,
  train: { lr: 0.5, batchSize: 64, hidden: [32, 32], trainSubset: 1000 },
  maxParallel: 2,
  // Backoff that outlasts a 10 s outage: 2 + 4 + 8 + 8 + 8 s before the attempts run out.
  orchestration: { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 2, retryMaxSeconds: 8, maxAttempts: 6 },
});

async function countRows(sweepId: string): Promise<{ epochs: number; trials: number; attempts: number[] }> {
  const epochs = await handle.db
    .selectFrom('epoch_metrics as m')
    .innerJoin('sweep_runs as sr', 'sr.run_id', 'm.run_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sr.sweep_id', '=', sweepId)
    .executeTakeFirstOrThrow();
  const trials = await handle.db.selectFrom('trial_results').select('test_acc').where('sweep_id', '=', sweepId).execute();
  const runs = await handle.db.selectFrom('runs as r').innerJoin('sweep_runs as sr', 'sr.run_id', 'r.id').select('r.attempts').where('sr.sweep_id', '=', sweepId).execute();
  return { epochs: epochs.n, trials: trials.filter((t) => t.test_acc !== null).length, attempts: runs.map((r) => r.attempts) };
}

test('a sweep completes with every row once when Postgres stops for 10 s in the middle', { timeout: 240_000 }, async () => {
  const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'pg-outage', taskQueue: sweepTaskQueue, args: [specFor('pg-outage', [1, 2, 3])] });
  await waitFor('the first epochs', async () => ((await countRows('pg-outage')).epochs >= 2 ? true : undefined));
  await handle.close();
  await postgres.stop();
  await sleep(10_000);
  postgres = await startEmbeddedPostgres(pgHome, pgPort);
  handle = openDatabase(postgres.url);

  const summary = (await wf.result()) as SweepSummary;
  assert.equal(summary.failed, 0);
  assert.equal(summary.completed, 6);
  const rows = await countRows('pg-outage');
  assert.equal(rows.epochs, 6 * 6, 'one row per run and epoch');
  assert.equal(rows.trials, 6);
  const duplicates = await handle.db
    .selectFrom('epoch_metrics')
    .select(['run_id', 'epoch', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['run_id', 'epoch'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  assert.deepEqual(duplicates, []);
});

test('a sweep completes when the Temporal dev server restarts in the middle', { timeout: 240_000 }, async () => {
  const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'temporal-restart', taskQueue: sweepTaskQueue, args: [specFor('temporal-restart', [4, 5, 6])] });
  await waitFor('the first epochs', async () => ((await countRows('temporal-restart')).epochs >= 2 ? true : undefined));
  await stack.restartServer(3000);
  const summary = (await stack.client.workflow.getHandle(wf.workflowId).result()) as SweepSummary;
  assert.equal(summary.failed, 0);
  assert.equal(summary.completed, 6);
  const rows = await countRows('temporal-restart');
  assert.equal(rows.epochs, 6 * 6);
  assert.equal(rows.trials, 6);
});
