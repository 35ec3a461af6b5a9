import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createSweepRecordActivities } from '../../activities/sweep-records';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { saveCheckpoint } from '../../db/checkpoint-repository';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

let database: TestDatabase;
let admin: DatabaseHandle;
let worker: DatabaseHandle;
// Roles are shared by the whole server: a throwaway name per run.
const login = `worker_${Math.random().toString(36).slice(2, 10)}`;

before(async () => {
  database = await createTestDatabase();
  admin = openDatabase(database.url);
  await migrateToLatest(admin.db);
  await admin.pool.query(`create role ${login} login password 'secret' in role regsweep_writer`);
  const url = new URL(database.url);
  url.username = login;
  url.password = 'secret';
  worker = openDatabase(url.toString());
});

after(async () => {
  await worker?.close();
  await admin?.pool.query(`drop owned by ${login}`).catch(() => undefined);
  await admin?.pool.query(`drop role if exists ${login}`);
  await admin?.close();
  await database?.drop();
});

test('a regsweep_writer login does everything a worker does on a migrated database', async () => {
  assert.deepEqual(await migrateToLatest(worker.db), [], 'confirms the schema without DDL');
  const spec = validateSpec({ name: 'w', grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [1, 2] }, seeds: [1] });
  const registered = await createSweepRecordActivities(worker.db).registerSweep({ sweepId: 'w', spec });
  assert.deepEqual(registered, { trials: 4, runs: 2, reused: 0 });
  const [run] = await createSweepRecordActivities(worker.db).nextPendingRuns({ sweepId: 'w', afterOrdinal: -1, limit: 10 });
  await saveCheckpoint(worker.db, run!.runId, 1, new Uint8Array([1, 2, 3]));
  const lock = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtextextended(${run!.runId}, 0)) as ok`.execute(worker.db);
  assert.equal(lock.rows[0]?.ok, true);
  const finalized = await createSweepRecordActivities(worker.db).finalizeSweep({ sweepId: 'w', status: 'completed' });
  assert.equal(finalized.completed, 0);
});

test('a regsweep_writer login cannot change the schema or manage roles', async () => {
  for (const statement of ['create table scratch (id integer)', 'drop view trial_results', 'alter table runs add column x integer', 'truncate epoch_metrics', `create role ${login}_x`]) {
    await assert.rejects(worker.pool.query(statement), /permission denied|must be owner|permission to create role/, statement);
  }
});
