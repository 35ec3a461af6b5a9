import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { testLogins, type TestLogin, type TestLogins } from '../helpers/test-logins';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';

// Every attempt goes through the real `regsweep sql` process with the URLs a user would set,
// and afterwards the server must look exactly as before: same rows, roles, extensions, large
// objects and relations, no file written by the server, the held session still alive.

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-sql-'));
// The Postgres server runs as another OS user; it must be able to write here, so that a
// working escape would leave a file behind.
const probeDir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-probe-'));
chmodSync(probeDir, 0o777);
const probe = path.join(probeDir, 'proof');

let fx: FixtureDatabase;
let logins: TestLogins;
let superuser: string;
let reader: TestLogin;
let writer: TestLogin;
let writerOnly: TestLogin;
let roleMaker: TestLogin;
let fileReader: TestLogin;
let held: pg.Client;
let heldPid: number;

before(async () => {
  fx = await openFixtureDatabase();
  superuser = decodeURIComponent(new URL(fx.url).username);
  logins = testLogins(fx.handle.pool, fx.url);
  reader = await logins.create('esc_reader', 'in role regsweep_reader');
  writer = await logins.create('esc_writer', 'in role regsweep_writer, regsweep_reader');
  writerOnly = await logins.create('esc_worker', 'in role regsweep_writer');
  roleMaker = await logins.create('esc_maker', 'createrole in role regsweep_reader');
  fileReader = await logins.create('esc_files', 'in role regsweep_reader, pg_read_server_files');
  held = new pg.Client({ connectionString: fx.url });
  await held.connect();
  heldPid = (await held.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
});
after(async () => {
  await held?.end();
  await logins?.dropAll();
  await fx?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(probeDir, { recursive: true, force: true });
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `regsweep sql <query>` with DATABASE_URL = `url` and, when given, REGSWEEP_READER_URL. */
async function sql(query: string, url: string, readerUrl?: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, REGSWEEP_HOME: home, DATABASE_URL: url, REGSWEEP_READER_URL: readerUrl ?? '' };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'sql', '--format', 'csv', query], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Everything an escape could change that the test can see. */
async function serverState(): Promise<unknown> {
  const q = async (text: string) => (await fx.handle.pool.query(text)).rows;
  return {
    counts: await q(`select (select count(*) from runs) as runs, (select count(*) from sweeps) as sweeps, (select count(*) from epoch_metrics) as metrics,
                            (select count(*) from pg_largeobject_metadata) as large_objects`),
    // Roles are server-wide and other test files create their own meanwhile, so only the roles
    // this file knows are compared: their powers, their memberships, and no new intruder.
    roles: (
      await fx.handle.pool.query(
        `select rolname, rolsuper, rolcreaterole, array(select m.roleid::regrole::text from pg_auth_members m where m.member = r.oid order by 1) as member_of
           from pg_roles r where rolname = any($1) order by 1`,
        [[superuser, 'regsweep_reader', 'regsweep_writer', 'intruder', ...[reader, writer, writerOnly, roleMaker, fileReader].map((l) => l.name)]],
      )
    ).rows,
    extensions: await q('select extname from pg_extension order by 1'),
    relations: await q(`select relname from pg_class where relnamespace = 'public'::regnamespace order by 1`),
    files: readdirSync(probeDir),
    heldSessionAlive: (await held.query('select 1 as ok')).rows,
  };
}

async function assertRefused(query: string, url: string, message: RegExp, readerUrl?: string): Promise<void> {
  const before = await serverState();
  const r = await sql(query, url, readerUrl);
  assert.equal(r.code, 2, `${query}\n${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), message);
  assert.deepEqual(await serverState(), before, query);
  assert.equal(existsSync(probe), false);
}

test('the probe sees a shell command that the server runs for a superuser', async () => {
  // Without this, an escape that silently failed to write would look like a refusal.
  const file = path.join(probeDir, 'control');
  await fx.handle.pool.query(`copy (select 1) to program 'touch ${file}'`);
  assert.equal(existsSync(file), true);
  rmSync(file);
});

const readerEscapes: [string, string, RegExp][] = [
  ['a shell command through COPY TO PROGRAM', `copy (select 1) to program 'touch ${probe}'`, /pg_execute_server_program/],
  ['a shell command through COPY FROM PROGRAM', `copy runs (id) from program 'touch ${probe}'`, /pg_execute_server_program/],
  ['reading a server file', `select pg_read_file('/etc/passwd')`, /permission denied for function pg_read_file/],
  ['reading a server file as bytes', `select pg_read_binary_file('/etc/passwd')`, /permission denied for function pg_read_binary_file/],
  ['listing a server folder', `select pg_ls_dir('.')`, /permission denied for function pg_ls_dir/],
  ['importing a server file as a large object', `select lo_import('/etc/passwd')`, /permission denied for function lo_import/],
  ['creating the dblink extension', 'create extension dblink', /read-only transaction/],
  ['calling dblink', `select dblink('dbname=postgres', 'select 1')`, /function dblink\(unknown, unknown\) does not exist/],
  ['switching to the superuser with set_config', `select set_config('role', 'postgres', true), pg_read_file('/etc/passwd')`, /permission denied/],
  [
    'switching session authorization with set_config',
    `select set_config('session_authorization', 'postgres', true)`,
    /permission denied to set session authorization/,
  ],
  [
    'switching to the writer with set_config',
    `select set_config('role', 'regsweep_writer', true), count(*) from runs`,
    /permission denied to set role "regsweep_writer"/,
  ],
  ['turning off read-only with set_config', `select set_config('transaction_read_only', 'off', true)`, /read-write mode must be set before any query/],
  ['set role', 'set role regsweep_writer', /permission denied to set role "regsweep_writer"/],
  ['reset role', 'reset role', /^regsweep: regsweep sql runs one query that returns rows .*; RESET is not one$/],
  ['set session authorization', 'set session authorization postgres', /permission denied to set session authorization/],
  ['a commit followed by a delete', 'commit; delete from runs', /cannot insert multiple commands into a prepared statement/],
  ['two selects', 'select 1; select 2', /cannot insert multiple commands into a prepared statement/],
  ['a DO block that deletes', 'do $$ begin delete from runs; end $$', /read-only transaction|permission denied/],
  ['an insert', `insert into sweeps (id, name, spec, trials, runs) values ('x', 'x', '{}', 0, 0)`, /cannot execute INSERT in a read-only transaction/],
  ['an update', `update runs set status = 'failed'`, /cannot execute UPDATE in a read-only transaction/],
  ['a delete', 'delete from runs', /cannot execute DELETE in a read-only transaction/],
  ['a truncate', 'truncate epoch_metrics', /cannot execute TRUNCATE TABLE in a read-only transaction/],
  ['a create table', 'create table scratch (id integer)', /cannot execute CREATE TABLE in a read-only transaction/],
  ['creating a role', 'create role intruder superuser login', /read-only transaction|permission denied/],
  ['copying a table to the client', 'copy runs to stdout', /COPY is not one$/],
];

for (const [what, query, message] of readerEscapes) {
  test(`regsweep sql refuses ${what} with exit 2 in one line and changes nothing`, async () => {
    await assertRefused(query, reader.url, message);
  });
}

test('regsweep sql refuses to end a session of another role', async () => {
  await assertRefused(`select pg_terminate_backend(${heldPid})`, reader.url, /must be a superuser to terminate superuser process/);
});

test('regsweep sql refuses a superuser URL before it runs anything', async () => {
  const refusal = new RegExp(`^regsweep: regsweep sql will not run as superuser "${superuser}": use a login in regsweep_reader \\(set REGSWEEP_READER_URL`);
  await assertRefused('select 1', fx.url, refusal);
  await assertRefused(`copy (select 1) to program 'touch ${probe}'`, fx.url, refusal);
  await assertRefused(`select set_config('role', 'regsweep_reader', true), pg_read_file('/etc/passwd')`, fx.url, refusal);
});

test('regsweep sql refuses a login that may create roles or read server files', async () => {
  await assertRefused(
    'select 1',
    roleMaker.url,
    new RegExp(`^regsweep: regsweep sql will not run as "${roleMaker.name}", which may create roles: use a login in regsweep_reader`),
  );
  await assertRefused(
    `select pg_read_file('/etc/passwd')`,
    fileReader.url,
    new RegExp(`^regsweep: regsweep sql will not run as "${fileReader.name}", a member of pg_read_server_files: `),
  );
});

test('regsweep sql refuses a login outside regsweep_reader, naming the grant', async () => {
  await assertRefused(
    'select count(*) from runs',
    writerOnly.url,
    new RegExp(`login "${writerOnly.name}" is not a member: grant regsweep_reader to "${writerOnly.name}"`),
  );
});

test('regsweep sql lowers a writer URL to the reader, so it cannot write even by switching back', async () => {
  const who = await sql('select current_user as who', writer.url);
  assert.equal(who.code, 0, who.stderr);
  assert.equal(who.stdout.trim(), 'who\nregsweep_reader');
  await assertRefused('delete from runs', writer.url, /cannot execute DELETE in a read-only transaction/);
  await assertRefused(`insert into sweeps (id, name, spec, trials, runs) values ('x', 'x', '{}', 0, 0)`, writer.url, /read-only transaction|permission denied/);
  // The writer login may switch back to its own role, but stays inside the read-only transaction.
  await assertRefused(
    `select set_config('role', '${writer.name}', true), set_config('transaction_read_only', 'off', true)`,
    writer.url,
    /read-write mode must be set before any query/,
  );
});

test('regsweep sql prefers REGSWEEP_READER_URL over a superuser DATABASE_URL', async () => {
  const r = await sql('select current_user as who, session_user as login', fx.url, reader.url);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `who,login\nregsweep_reader,${reader.name}`);
});

test('regsweep sql lets reader and writer logins read trial_results and config_summary', async () => {
  for (const login of [reader, writer]) {
    const trials = await sql(`select count(*) as n from trial_results where sweep_id = 'quick'`, login.url);
    assert.equal(trials.code, 0, trials.stderr);
    assert.match(trials.stdout, /^n\n[1-9]\d*\n?$/);
    const summary = await sql(`select dropout1, dropout2, trials from config_summary where sweep_id = 'quick' order by 1, 2`, login.url);
    assert.equal(summary.code, 0, summary.stderr);
    assert.equal(summary.stdout.trim(), 'dropout1,dropout2,trials\n0,0,2\n0,0.2,2\n0.5,0,2\n0.5,0.2,2');
  }
});
