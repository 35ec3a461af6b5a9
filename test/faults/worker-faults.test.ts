import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { toEpochRow } from '../../db/epoch-row';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import type { SweepSummary } from '../../workflows/sweep-state';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { referenceMetrics, waitFor } from '../helpers/fault-helpers';
import { sweepWorkflowType } from '../../workflows/workflow-types';
import { sweepTaskQueue } from '../../workflows/task-queues';

let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  stack = await startTestStack(database.url, ['orchestrate']);
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

const specFor = (name: string, seed: number) =>
  validateSpec({
    name,
    grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0.0001], epochs: [12] },
    seeds: [seed],
    train: { lr: 0.5, batchSize: 64, hidden: [64, 64], trainSubset: 2000 },
    maxParallel: 1,
    // A short heartbeat timeout lets the server notice a killed worker within seconds.
    orchestration: { heartbeatTimeoutSeconds: 3, retryInitialSeconds: 1, retryMaxSeconds: 2 },
  });

async function epochsOf(runId: string) {
  return handle.db.selectFrom('epoch_metrics').selectAll().where('run_id', '=', runId).orderBy('epoch').execute();
}

// Columns that say how long an epoch took and where it ran; they differ between any two runs.
const timingAndProvenance = new Set(['seconds', 'eval_seconds', 'samples_per_sec', 'backend', 'worker']);

async function assertMatchesUninterrupted(runId: string, spec: ReturnType<typeof specFor>): Promise<void> {
  const rows = await epochsOf(runId);
  assert.deepEqual(rows.map((r) => r.epoch), Array.from({ length: 12 }, (_, i) => i + 1), 'every epoch exactly once');
  // The reference goes through the activity's own row mapping, and every column that mapping
  // writes is compared except timing and provenance: a metric added to the row is compared too.
  const reference = (await referenceMetrics({ ...expandRuns(spec)[0]!, epochs: 12 })).map((m) => toEpochRow(runId, m, 'reference'));
  const compared = Object.keys(reference[0]!).filter((k) => !timingAndProvenance.has(k)) as (keyof (typeof reference)[number] & keyof (typeof rows)[number])[];
  assert.ok(compared.includes('gap') && compared.includes('weight_norm2'), `compared columns: ${compared.join(', ')}`);
  const pick = (row: Record<string, unknown>) => Object.fromEntries(compared.map((k) => [k, row[k]]));
  assert.deepEqual(rows.map(pick), reference.map(pick), 'identical to an uninterrupted run with the same seed');
}

test('a run whose worker is SIGKILLed resumes on another worker from its checkpoint with identical metrics', { timeout: 240_000 }, async () => {
  const spec = specFor('sigkill', 11);
  const runId = expandRuns(spec)[0]!.runId;
  const first = await stack.addWorker(['--role', 'train']);
  const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'sigkill', taskQueue: sweepTaskQueue, args: [spec] });
  await waitFor('epoch 3', async () => ((await epochsOf(runId)).length >= 3 ? true : undefined));
  first.kill('SIGKILL');
  await once(first, 'exit');
  const killedAt = (await epochsOf(runId)).length;
  assert.ok(killedAt < 12, `killed mid-run, after epoch ${killedAt}`);

  const second = await stack.addWorker(['--role', 'train']);
  const summary = (await wf.result()) as SweepSummary;
  // The next test needs a queue with no other training worker on it.
  second.kill('SIGTERM');
  await once(second, 'exit');
  assert.equal(summary.completed, 1);
  const run = await handle.db.selectFrom('runs').select(['status', 'attempts']).where('id', '=', runId).executeTakeFirstOrThrow();
  assert.equal(run.status, 'completed');
  assert.equal(run.attempts, 2);
  await assertMatchesUninterrupted(runId, spec);
});

test('a SIGTERMed worker saves its current epoch, exits within the grace time, and the run continues elsewhere', { timeout: 240_000 }, async () => {
  const spec = specFor('sigterm', 12);
  const runId = expandRuns(spec)[0]!.runId;
  const worker = await stack.addWorker(['--role', 'train', '--shutdown-grace', '20']);
  const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'sigterm', taskQueue: sweepTaskQueue, args: [spec] });
  await waitFor('epoch 2', async () => ((await epochsOf(runId)).length >= 2 ? true : undefined));
  const signalledAt = Date.now();
  worker.kill('SIGTERM');
  const [code] = await once(worker, 'exit');
  const exitSeconds = (Date.now() - signalledAt) / 1000;
  assert.equal(code, 0, 'a clean exit');
  assert.ok(exitSeconds < 20, `exited after ${exitSeconds} s`);
  const saved = (await epochsOf(runId)).length;
  assert.ok(saved < 12, `handed over after epoch ${saved}`);
  const pending = await handle.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow();
  assert.equal(pending.status, 'pending', 'the run waits for another worker, not cancelled');

  await stack.addWorker(['--role', 'train']);
  const summary = (await wf.result()) as SweepSummary;
  assert.equal(summary.completed, 1);
  await assertMatchesUninterrupted(runId, spec);
});
