import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { createRecordActivities, type RecordActivities } from '../../activities/index';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { markRunFinished, markRunProgress, markRunStarted } from '../../db/run-repository';
import type { SweepStatus } from '../../db/sweeps.table';
import { dispatchOrder } from '../../domain/dispatch-order';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { fixtureMetrics } from '../db/analysis-fixture';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/*
 * The record activities as workers register them (createRecordActivities, failure
 * classification included), called directly against a fresh migrated Postgres database. None
 * of them uses Temporal's activity Context, so no Temporal server is needed here.
 */
const spec = validateSpec({
  name: 'records',
  grid: { dropout1: [0, 0.5], dropout2: [0.2], weightDecay: [0], epochs: [1, 2] },
  seeds: [1, 2],
});
// In the order the sweep dispatches them, so runs[k] is the run at ordinal k.
const runs = dispatchOrder(expandRuns(spec));

let testDb: TestDatabase;
let handle: DatabaseHandle;
let records: RecordActivities;
const published: string[][] = [];

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  await migrateToLatest(handle.db);
  records = createRecordActivities({
    db: handle.db,
    publishDashboards: async () => {
      const where = ['/dashboards/overview.json', '/dashboards/effects.json'];
      published.push(where);
      return where;
    },
  });
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

const count = async (table: 'sweeps' | 'runs' | 'sweep_runs' | 'sweep_trials'): Promise<number> =>
  Number(
    (
      await handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

test('registerSweep records the sweep, its runs and its trials, and a relaunch changes nothing', async () => {
  for (let launch = 0; launch < 2; launch++) {
    assert.deepEqual(await records.registerSweep({ sweepId: 'records', spec }), { trials: 8, runs: 4, reused: 0 });
    assert.deepEqual([await count('sweeps'), await count('runs'), await count('sweep_runs'), await count('sweep_trials')], [1, 4, 4, 8]);
  }
  const sweep = await handle.db.selectFrom('sweeps').select(['name', 'status', 'trials', 'runs']).where('id', '=', 'records').executeTakeFirstOrThrow();
  assert.deepEqual(sweep, { name: 'records', status: 'running', trials: 8, runs: 4 });
  const statuses = await handle.db.selectFrom('runs').select('status').distinct().execute();
  assert.deepEqual(statuses, [{ status: 'pending' }]);
});

test('nextPendingRuns pages through the runs in order, after the given ordinal, and leaves out trained runs', async () => {
  const first = await records.nextPendingRuns({ sweepId: 'records', afterOrdinal: -1, limit: 3 });
  assert.deepEqual(
    first.map((r) => r.ordinal),
    [0, 1, 2],
  );
  const { ordinal: _ordinal, ...plan } = first[0]!;
  assert.deepEqual(plan, runs[0], 'a page entry is the run plan as grid expansion made it');
  const second = await records.nextPendingRuns({ sweepId: 'records', afterOrdinal: 2, limit: 3 });
  assert.deepEqual(
    second.map((r) => [r.ordinal, r.runId]),
    [[3, runs[3]!.runId]],
  );
  assert.deepEqual(await records.nextPendingRuns({ sweepId: 'records', afterOrdinal: 3, limit: 3 }), []);

  await markRunFinished(handle.db, runs[1]!.runId, 'completed');
  const rest = await records.nextPendingRuns({ sweepId: 'records', afterOrdinal: -1, limit: 10 });
  assert.deepEqual(
    rest.map((r) => r.ordinal),
    [0, 2, 3],
  );
});

test('finalizeSweep marks the sweep finished, publishes the dashboards once, and reports counts and the best configuration', async () => {
  for (const run of runs) {
    await markRunStarted(handle.db, run.runId, 'test', 'cpu');
    for (let epoch = 1; epoch <= run.maxEpochs; epoch++) await upsertEpochMetrics(handle.db, fixtureMetrics(run, epoch));
    await markRunProgress(handle.db, run.runId, run.maxEpochs);
    await markRunFinished(handle.db, run.runId, 'completed');
  }
  // The best configuration: the highest mean test accuracy over seeds at the largest epochs value.
  const meanAt2 = (dropout1: number) => {
    const accs = runs.filter((r) => r.dropout1 === dropout1).map((r) => fixtureMetrics(r, 2).test_acc!);
    return accs.reduce((a, b) => a + b, 0) / accs.length;
  };
  const bestDropout1 = meanAt2(0.5) > meanAt2(0) ? 0.5 : 0;

  const result = await records.finalizeSweep({ sweepId: 'records', status: 'completed' });
  assert.deepEqual(published, [['/dashboards/overview.json', '/dashboards/effects.json']]);
  assert.deepEqual(
    { ...result, best: result.best && { ...result.best, testAcc: Number(result.best.testAcc.toFixed(12)) } },
    {
      dashboards: ['/dashboards/overview.json', '/dashboards/effects.json'],
      completed: 4,
      failed: 0,
      cancelled: 0,
      diverged: 0,
      best: {
        dropout1: bestDropout1,
        dropout2: 0.2,
        weightDecay: 0,
        epochs: 2,
        testAcc: Number(meanAt2(bestDropout1).toFixed(12)),
        seeds: 2,
        variant: 'dropout lr=0.5',
      },
    },
  );
  const sweep = await handle.db.selectFrom('sweeps').select('status').where('id', '=', 'records').executeTakeFirstOrThrow();
  assert.equal(sweep.status, 'completed');
});

test('a record activity whose SQL violates a constraint fails with a non-retryable DatabaseError and writes nothing', async () => {
  // A status the sweeps table's check constraint rejects (SQLSTATE 23514): the same on every attempt.
  const err = await records.finalizeSweep({ sweepId: 'records', status: 'paused' as Exclude<SweepStatus, 'running'> }).then(
    () => assert.fail('finalizeSweep accepted a status the schema forbids'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure);
  assert.deepEqual([err.type, err.nonRetryable, err.details], ['DatabaseError', true, [{ sqlState: '23514' }]]);
  assert.match(err.message, /sweeps_status_valid.*\(SQLSTATE 23514\)$/);
  assert.equal(published.length, 1, 'no dashboards published for a failed finalization');
  const sweep = await handle.db.selectFrom('sweeps').select('status').where('id', '=', 'records').executeTakeFirstOrThrow();
  assert.equal(sweep.status, 'completed');
});
