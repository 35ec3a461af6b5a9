import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTlsPostgres, type TlsPostgres } from '../helpers/tls-postgres';

// regsweep_reader is server-wide and the shared test server has it from other files'
// migrations, so a server of this file's own shows what a never-migrated one answers.

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-unmigrated-'));
let server: TlsPostgres;

before(async () => {
  server = await startTlsPostgres();
  const admin = new pg.Client({ connectionString: server.url(`?sslmode=verify-full&sslrootcert=${server.caFile}`) });
  await admin.connect();
  try {
    await admin.query('create role analyst login');
  } finally {
    await admin.end();
  }
});
after(async () => {
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('regsweep sql says to migrate when regsweep_reader does not exist yet', async () => {
  const url = server.url(`?sslmode=verify-full&sslrootcert=${server.caFile}`, 'analyst');
  const r = await run(process.execPath, [cli, 'sql', 'select 1'], {
    env: { ...process.env, REGSWEEP_HOME: home, DATABASE_URL: url, REGSWEEP_READER_URL: '' },
  }).then(
    () => assert.fail('regsweep sql succeeded'),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "regsweep: role regsweep_reader does not exist on this server: run `regsweep db migrate` as the database's owner first\n");
});
