import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { migrations } from '../../infra/postgres/migrations/index';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

let testDb: TestDatabase;
let handles: DatabaseHandle[] = [];

before(async () => {
  testDb = await createTestDatabase();
  handles = Array.from({ length: 4 }, (_, i) => openDatabase(testDb.url, { applicationName: `migrator-${i}` }));
});
after(async () => {
  await Promise.all(handles.map((h) => h.close()));
  await testDb?.drop();
});

test('migrateToLatest applies each migration once when four pools run it at the same time', async () => {
  const applied = await Promise.all(handles.map((h) => migrateToLatest(h.db)));
  const all = applied.flat();
  assert.deepEqual([...all].sort(), Object.keys(migrations).sort());
  assert.equal(new Set(all).size, all.length);

  const db = handles[0]!.db;
  const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  assert.deepEqual(recorded.rows.map((r) => r.name), Object.keys(migrations).sort());
  const views = await sql<{ n: number }>`
    select count(*) as n from information_schema.views
     where table_schema = 'public'
       and table_name in ('config_summary', 'effect_dropout_swap', 'effect_interaction', 'activation_variance', 'run_progress')`.execute(db);
  assert.equal(views.rows[0]!.n, 5);
});

test('migrateToLatest applies nothing when the schema is already current', async () => {
  const again = await Promise.all(handles.map((h) => migrateToLatest(h.db)));
  assert.deepEqual(again, [[], [], [], []]);
});

test('the analysis migrations roll back to trial_results and apply again', async () => {
  const db = handles[0]!.db;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const down = await migrator.migrateTo('20261129T1000-trial-results-view');
  assert.equal(down.error, undefined);
  const left = await sql<{ name: string }>`
    select table_name as name from information_schema.views where table_schema = 'public'
    union all
    select routine_name from information_schema.routines where routine_schema = 'public' and routine_name like 'regsweep%'`.execute(db);
  assert.deepEqual(left.rows.map((r) => r.name), ['trial_results']);
  const applied = await migrateToLatest(db);
  assert.deepEqual(applied, Object.keys(migrations).filter((name) => name > '20261129T1000-trial-results-view'));
});
