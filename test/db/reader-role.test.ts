import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';

let fx: FixtureDatabase;

before(async () => {
  fx = await openFixtureDatabase();
});
after(async () => {
  await fx?.close();
});

/** Runs `statement` as regsweep_reader in a transaction that is rolled back whatever happens. */
async function asReader(statement: string): Promise<pg.QueryResult> {
  const client = await fx.handle.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local role regsweep_reader');
    return await client.query(statement);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

async function assertDenied(statement: string): Promise<void> {
  await assert.rejects(asReader(statement), (err: unknown) => {
    assert.ok(err instanceof pg.DatabaseError, String(err));
    assert.equal(err.code, '42501', `${statement}: ${err.message}`);
    return true;
  });
}

test('regsweep_reader can select from every table and view', async () => {
  const relations = await fx.handle.pool.query<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
  );
  const names = relations.rows.map((r) => r.name);
  for (const view of ['trial_results', 'config_summary', 'effect_dropout_swap', 'effect_interaction', 'activation_variance', 'run_progress']) {
    assert.ok(names.includes(view), `${view} is missing`);
  }
  for (const name of names) {
    const result = await asReader(`select * from ${name} limit 1`);
    assert.ok(result.rows.length <= 1, name);
  }
  const summary = await asReader('select count(*) as n from config_summary');
  assert.equal(summary.rows[0].n, 40);
});

test('regsweep_reader is denied when it tries to insert, update or delete', async () => {
  await assertDenied(`insert into sweeps (id, name, spec, trials, runs) values ('x', 'x', '{}', 0, 0)`);
  await assertDenied(`update runs set status = 'failed'`);
  await assertDenied(`delete from epoch_metrics`);
  await assertDenied(`truncate checkpoints`);
});

test('regsweep_reader is denied when it tries to create or drop objects', async () => {
  await assertDenied('create table public.scratch (id integer)');
  await assertDenied('create view public.scratch as select 1 as one');
  await assertDenied('drop view config_summary');
  await assertDenied('create function public.scratch() returns integer language sql as $$ select 1 $$');
});

test('regsweep_reader can read tables that later migrations create', async () => {
  // Default privileges: a table created by the migrating role after the reader migration is readable.
  await fx.handle.pool.query('create table later_table (id integer)');
  const result = await asReader('select count(*) as n from later_table');
  assert.equal(result.rows[0].n, 0);
});

test('regsweep_reader exists without a login and may connect to the database', async () => {
  const role = await fx.handle.pool.query(`select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = 'regsweep_reader'`);
  assert.deepEqual(role.rows[0], { rolcanlogin: false, rolsuper: false, rolcreaterole: false, rolcreatedb: false });
  const connect = await fx.handle.pool.query(`select has_database_privilege('regsweep_reader', current_database(), 'connect') as ok`);
  assert.equal(connect.rows[0].ok, true);
});

test('a login role that is a member of regsweep_reader reads views and cannot write', async () => {
  // The recipe from docs/sql.md, with a throwaway name because roles are shared by the whole server.
  const name = `grafana_${Math.random().toString(36).slice(2, 10)}`;
  await fx.handle.pool.query(`create role ${name} login password 'secret' in role regsweep_reader`);
  const url = new URL(fx.url);
  url.username = name;
  url.password = 'secret';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    const rows = await client.query(`select count(*)::integer as n from effect_interaction where metric = 'test_acc'`);
    assert.equal(rows.rows[0].n, 16);
    await assert.rejects(client.query(`delete from runs`), /permission denied/);
  } finally {
    await client.end();
    await fx.handle.pool.query(`drop role ${name}`);
  }
});
