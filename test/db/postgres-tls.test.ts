import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertDatabaseReachable, openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { testLogins, type TestLogin } from '../helpers/test-logins';
import { startTlsPostgres, type TlsPostgres } from '../helpers/tls-postgres';

// A Postgres of the test's own that accepts only TLS, with certificates made by openssl: the
// connection settings a remote deployment uses (sslmode=verify-full, sslrootcert) work, and
// each wrong one fails in one line that names it.

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-tls-cli-'));

let server: TlsPostgres;
let admin: DatabaseHandle;
let reader: TestLogin;
let verified: (caFile: string) => string;

before(async () => {
  server = await startTlsPostgres();
  verified = (caFile) => `?sslmode=verify-full&sslrootcert=${caFile}`;
  admin = openDatabase(server.url(verified(server.caFile)));
  await migrateToLatest(admin.db);
  reader = await testLogins(admin.pool, server.url(verified(server.caFile))).create('tls_reader', 'in role regsweep_reader');
});
after(async () => {
  await admin?.close();
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function reachability(url: string): Promise<void> {
  const handle = openDatabase(url);
  try {
    await assertDatabaseReachable(handle, url);
  } finally {
    await handle.close();
  }
}

async function regsweepSql(query: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'sql', '--format', 'csv', query], { env: { ...process.env, REGSWEEP_HOME: home, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const address = () => `localhost:${server.port}/postgres`;

test('openDatabase runs queries over TLS when the URL has sslmode=verify-full and the right CA', async () => {
  const handle = openDatabase(server.url(verified(server.caFile)));
  try {
    const { rows } = await handle.pool.query('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()');
    assert.equal(rows[0].ssl, true);
    assert.match(rows[0].version, /^TLSv1\.[23]$/);
    const migrated = await handle.pool.query<{ n: number }>('select count(*) as n from kysely_migration');
    assert.ok(migrated.rows[0]!.n > 0);
  } finally {
    await handle.close();
  }
});

test('regsweep sql reads over TLS as a reader login given in REGSWEEP_READER_URL', async () => {
  // The server accepts only TLS connections (last test), so an answer came over TLS.
  const r = await regsweepSql('select current_user as who, session_user as login', {
    DATABASE_URL: server.url(verified(server.caFile)),
    REGSWEEP_READER_URL: server.url(verified(server.caFile), reader.name),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `who,login\nregsweep_reader,${reader.name}`);
});

test('regsweep sql exits 2 with one line naming TLS and sslrootcert when the CA is wrong', async () => {
  const r = await regsweepSql('select 1', {
    DATABASE_URL: server.url(verified(server.otherCaFile)),
    REGSWEEP_READER_URL: server.url(verified(server.otherCaFile), reader.name),
  });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `regsweep: cannot reach Postgres at ${address()} (TLS: certificate not signed by the CA in sslrootcert=${server.otherCaFile}); set sslrootcert to the CA that signed the server's certificate\n`,
  );
});

test('assertDatabaseReachable says to add sslrootcert when verify-full has no CA to trust', async () => {
  await assert.rejects(reachability(server.url('?sslmode=verify-full')), {
    name: 'DatabaseUnreachableError',
    message: `cannot reach Postgres at ${address()} (TLS: certificate not signed by a trusted CA); add sslrootcert=<the server's CA file> to the URL`,
  });
});

test('assertDatabaseReachable names sslrootcert when its file is missing', async () => {
  const missing = path.join(home, 'missing-ca.pem');
  await assert.rejects(reachability(server.url(verified(missing))), {
    name: 'DatabaseUnreachableError',
    message: `cannot reach Postgres at ${address()} (TLS: cannot read sslrootcert=${missing} (ENOENT)); give a readable file`,
  });
});

test('assertDatabaseReachable reports the server refusing a connection without TLS in its own words', async () => {
  await assert.rejects(reachability(server.url('')), {
    name: 'DatabaseUnreachableError',
    message: new RegExp(
      `^cannot reach Postgres at ${address()} \\(no pg_hba\\.conf entry for host "[^"]+", user "postgres", database "postgres", no encryption\\); `,
    ),
  });
});
