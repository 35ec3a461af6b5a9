import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { ApplicationFailure, noopMetricMeter, type LogLevel, type LogMetadata } from '@temporalio/common';
import type { ActivityCancellationDetailsHolder } from '@temporalio/common/lib/activity-cancellation-details';
import { createTrainRunActivity, type TrainingDeps } from '../../activities/train-run';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { runRowOf } from '../../db/plan-rows';
import { preemptStaleAttempt } from '../../db/run-lease-repository';
import { upsertRuns } from '../../db/run-repository';
import { toEpochRow } from '../../db/epoch-row';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { parseBackendName, selectBackend } from '../../training/backends';
import { loadDatasetCached, locateDataset } from '../../training/fashion-mnist';
import { train } from '../../training/train';
import { loadConfig } from '../../config';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/*
 * trainRun's fencing with real training and a real database, each attempt run in an activity
 * context of its own (Temporal's attempt number, activity id and workflow run id, as a worker
 * gives them): an attempt whose lease a newer attempt of the same activity took stops at its next
 * epoch write and records nothing from then on; the newer attempt resumes from the last checkpoint
 * the stale one saved before it was fenced and ends with the metrics of an uninterrupted run.
 */

const epochs = 8;
const spec = validateSpec({
  name: 'fencing',
  grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0.0001], epochs: [epochs] },
  seeds: [3],
  train: { lr: 0.5, batchSize: 50, hidden: [32, 32], trainSubset: 1000 },
});
const run = expandRuns(spec)[0]!;

let testDb: TestDatabase;
let handle: DatabaseHandle;
let deps: TrainingDeps;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url, { max: 6 });
  await migrateToLatest(handle.db);
  await upsertRuns(handle.db, [runRowOf(run)]);
  await selectBackend(parseBackendName(loadConfig().backend));
  const dataset = loadDatasetCached(locateDataset({ dataDir: null }));
  deps = { dataset: () => dataset, backend: 'test', workerName: 'unused', shutdownRequested: () => false };
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

/** Runs trainRun as `attempt` of one activity of one workflow run, on a worker named `worker`; collects what it logs. */
async function attemptOf(attempt: number, worker: string): Promise<{ result: Promise<unknown>; logged: string[] }> {
  const logged: string[] = [];
  const log = (level: LogLevel) => (message: string, _meta?: LogMetadata) => void logged.push(`${level} ${message}`);
  const info = { attempt, activityId: '7', activityType: 'trainRun', workflowExecution: { workflowId: 'sweep-x', runId: 'wf-run-1' } } as unknown as Info;
  const abort = new AbortController();
  const ctx = new Context(
    info,
    new Promise<never>(() => undefined),
    abort.signal,
    () => undefined,
    undefined,
    { trace: log('TRACE'), debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR'), log: (level, m) => log(level)(m) },
    noopMetricMeter,
    { details: undefined } as ActivityCancellationDetailsHolder,
  );
  const trainRun = createTrainRunActivity(handle.db, { ...deps, workerName: worker });
  const result = asyncLocalStorage.run(ctx, () => trainRun({ run, maxAttempts: 10 }));
  result.catch(() => undefined);
  return { result, logged };
}

const epochRows = () => handle.db.selectFrom('epoch_metrics').selectAll().where('run_id', '=', run.runId).orderBy('epoch').execute();

test('a trainRun attempt stops at its next epoch write and records nothing more once a newer attempt of the same activity took the run', async () => {
  const stale = await attemptOf(1, 'worker-a');
  // As soon as attempt 1 wrote its first epoch, attempt 2 takes the lease (as it does while it
  // waits for the advisory lock attempt 1 still holds).
  for (;;) {
    const [row] = await handle.db.selectFrom('runs').select('epochs_done').where('id', '=', run.runId).execute();
    if (row!.epochs_done >= 1 && (await preemptStaleAttempt(handle.db, { runId: run.runId, owner: 'wf-run-1/7', attempt: 2 }))) break;
    await sleep(5);
  }
  const fencedAt = (await handle.db.selectFrom('runs').select('epochs_done').where('id', '=', run.runId).executeTakeFirstOrThrow()).epochs_done;
  assert.ok(fencedAt < epochs, `attempt 1 was fenced mid-run, after epoch ${fencedAt}`);

  await assert.rejects(stale.result, (err: unknown) => err instanceof ApplicationFailure && err.type === 'StaleAttemptError' && err.nonRetryable === false);
  const rows = await epochRows();
  assert.deepEqual(
    rows.map((r) => [r.epoch, r.worker]),
    Array.from({ length: fencedAt }, (_, i) => [i + 1, 'worker-a']),
    'attempt 1 wrote the epochs before the fence and none after',
  );
  const checkpoint = await handle.db.selectFrom('checkpoints').select('epoch').where('run_id', '=', run.runId).executeTakeFirstOrThrow();
  assert.equal(checkpoint.epoch, fencedAt);
  const row = await handle.db
    .selectFrom('runs')
    .select(['status', 'attempts', 'worker', 'lease_attempt', 'error'])
    .where('id', '=', run.runId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(
    row,
    { status: 'running', attempts: 2, worker: 'worker-a', lease_attempt: 2, error: null },
    'the stale attempt recorded no failure; attempt 2 is counted',
  );
  const warnings = stale.logged.filter((l) => l.startsWith('WARN'));
  assert.deepEqual(warnings, [
    `WARN regsweep worker: run ${run.runId}: attempt 1 stopped: Temporal gave the run to another attempt and the database refused this one's epoch ${fencedAt + 1}; it writes nothing more`,
  ]);

  const fresh = await attemptOf(2, 'worker-b');
  const result = (await fresh.result) as { outcome: string; epochsTrained: number };
  assert.deepEqual({ outcome: result.outcome, epochsTrained: result.epochsTrained }, { outcome: 'trained', epochsTrained: epochs - fencedAt });
  const final = await epochRows();
  assert.deepEqual(
    final.map((r) => [r.epoch, r.worker]),
    Array.from({ length: epochs }, (_, i) => [i + 1, i < fencedAt ? 'worker-a' : 'worker-b']),
  );
  const reference = (await train({ ...run, epochs }, deps.dataset())).map((m) => toEpochRow(run.runId, m, 'reference'));
  const metrics = (r: { train_loss: number | null; test_acc: number | null; weight_norm3: number | null }) => [r.train_loss, r.test_acc, r.weight_norm3];
  assert.deepEqual(final.map(metrics), reference.map(metrics), 'identical to an uninterrupted run');
  const done = await handle.db.selectFrom('runs').select(['status', 'attempts', 'worker', 'epochs_done']).where('id', '=', run.runId).executeTakeFirstOrThrow();
  assert.deepEqual(done, { status: 'completed', attempts: 2, worker: 'worker-b', epochs_done: epochs });
  assert.deepEqual(
    fresh.logged.filter((l) => l.startsWith('WARN')),
    [],
  );
});
