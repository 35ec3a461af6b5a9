import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { runRowOf } from '../../db/plan-rows';
import { claimRun, currentRunLease, holdsRunLease, preemptStaleAttempt, type RunLease } from '../../db/run-lease-repository';
import { markRunFinished, upsertRuns } from '../../db/run-repository';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/* The run lease's rules against a fresh migrated database: who may claim, who may take it over, and the check every write makes. */
const spec = validateSpec({ name: 'lease', grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [2] }, seeds: [1, 2] });
const runs = expandRuns(spec);

let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url, { max: 4 });
  await migrateToLatest(handle.db);
  await upsertRuns(handle.db, runs.map(runRowOf));
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

const rowOf = (runId: string) =>
  handle.db.selectFrom('runs').select(['status', 'worker', 'attempts', 'lease_owner', 'lease_attempt']).where('id', '=', runId).executeTakeFirstOrThrow();

test('claimRun records the lease and counts each attempt once, however often it claims', async () => {
  const runId = runs[0]!.runId;
  assert.equal(await currentRunLease(handle.db, runId), null);
  const first: RunLease = { runId, owner: 'wf-1/1', attempt: 1 };
  await claimRun(handle.db, first, 'worker-a', 'cpu');
  await claimRun(handle.db, first, 'worker-a', 'cpu');
  assert.deepEqual(await rowOf(runId), { status: 'running', worker: 'worker-a', attempts: 1, lease_owner: 'wf-1/1', lease_attempt: 1 });
  assert.deepEqual(await currentRunLease(handle.db, runId), first);
  await claimRun(handle.db, { runId, owner: 'wf-2/1', attempt: 1 }, 'worker-b', 'cpu');
  assert.deepEqual(await rowOf(runId), { status: 'running', worker: 'worker-b', attempts: 2, lease_owner: 'wf-2/1', lease_attempt: 1 });
});

test('preemptStaleAttempt moves the lease only to a later attempt of the same activity of a running run', async () => {
  const runId = runs[1]!.runId;
  const first: RunLease = { runId, owner: 'wf-1/3', attempt: 2 };
  await claimRun(handle.db, first, 'worker-a', 'cpu');
  assert.equal(await preemptStaleAttempt(handle.db, { runId, owner: 'wf-9/3', attempt: 5 }), false, 'another activity (another sweep) waits');
  assert.equal(await preemptStaleAttempt(handle.db, { runId, owner: 'wf-1/3', attempt: 2 }), false, 'the same attempt');
  assert.equal(await preemptStaleAttempt(handle.db, { runId, owner: 'wf-1/3', attempt: 1 }), false, 'an earlier attempt');
  assert.deepEqual(await rowOf(runId), { status: 'running', worker: 'worker-a', attempts: 1, lease_owner: 'wf-1/3', lease_attempt: 2 });
  assert.equal(await preemptStaleAttempt(handle.db, { runId, owner: 'wf-1/3', attempt: 3 }), true);
  assert.deepEqual(await rowOf(runId), { status: 'running', worker: 'worker-a', attempts: 2, lease_owner: 'wf-1/3', lease_attempt: 3 });
  // The attempt's own claim, once it holds the lock, does not count it again.
  await claimRun(handle.db, { runId, owner: 'wf-1/3', attempt: 3 }, 'worker-b', 'cpu');
  assert.deepEqual(await rowOf(runId), { status: 'running', worker: 'worker-b', attempts: 2, lease_owner: 'wf-1/3', lease_attempt: 3 });
  await markRunFinished(handle.db, runId, 'completed');
  assert.equal(await preemptStaleAttempt(handle.db, { runId, owner: 'wf-1/3', attempt: 4 }), false, 'a finished run');
});

test('holdsRunLease answers for the lease the row carries, and while a write holds the row preemptStaleAttempt returns at once without moving it', async () => {
  const runId = runs[2]!.runId;
  const lease: RunLease = { runId, owner: 'wf-1/5', attempt: 1 };
  await claimRun(handle.db, lease, 'worker-a', 'cpu');
  const trx = await handle.db.startTransaction().execute();
  try {
    assert.equal(await holdsRunLease(trx, lease), true);
    assert.equal(await holdsRunLease(trx, { ...lease, attempt: 2 }), false);
    const started = Date.now();
    assert.equal(await preemptStaleAttempt(handle.db, { ...lease, attempt: 2 }), false, 'skipped while the write holds the row');
    assert.ok(Date.now() - started < 1000, `returned after ${Date.now() - started} ms`);
  } finally {
    await trx.commit().execute();
  }
  assert.equal(await preemptStaleAttempt(handle.db, { ...lease, attempt: 2 }), true);
  assert.equal(await holdsRunLease(handle.db, lease), false);
  assert.equal(await holdsRunLease(handle.db, { ...lease, attempt: 2 }), true);
});
