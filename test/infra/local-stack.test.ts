import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../../config';
import { freePort } from '../../infra/local/free-port';
import { credentialsFile, readLocalCredentials } from '../../infra/local/local-credentials';
import { startLocalStack } from '../../infra/local/local-stack';
import { removeEmbeddedCluster } from '../../infra/postgres/embedded';

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');

// Like a clone under root's home: the folder above the state folder is private to its owner,
// which the OS user Postgres runs as cannot enter.
const privateParent = mkdtempSync(path.join(os.tmpdir(), 'regsweep-private-'));
chmodSync(privateParent, 0o700);
const home = path.join(privateParent, 'clone', '.regsweep');
mkdirSync(path.dirname(home), { recursive: true });
after(async () => {
  await removeEmbeddedCluster(home);
  rmSync(privateParent, { recursive: true, force: true });
});

/** The environment of a user with no DATABASE_URL or TEMPORAL_ADDRESS: everything local. */
async function localEnv(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, REGSWEEP_HOME: home, REGSWEEP_POSTGRES_PORT: String(await freePort()), REGSWEEP_TEMPORAL_PORT: '0', REGSWEEP_TEMPORAL_UI_PORT: '0' };
  delete env.DATABASE_URL;
  delete env.REGSWEEP_READER_URL;
  delete env.TEMPORAL_ADDRESS;
  return env;
}

async function regsweep(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function queryOne(url: string, text: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows[0] as Record<string, unknown>;
  } finally {
    await client.end();
  }
}

test('the local stack starts from a clone under a private folder, workers log in without superuser rights and train on native', async () => {
  const env = await localEnv();
  const lines: string[] = [];
  const stack = await startLocalStack(loadConfig(env), { trainWorkers: 1, headless: true, log: (l) => lines.push(l) });
  try {
    assert.match(lines.find((l) => / role=train /.test(l)) ?? lines.join('\n'), /backend=native \(OpenBLAS \w+ kernels, \d+ threads?\) ready$/);
    assert.equal(statSync(home).mode & 0o777, 0o700, 'the state folder is private');
    assert.equal(statSync(credentialsFile(home)).mode & 0o777, 0o600, 'the credentials file is private');

    // Every session the workers hold is a non-superuser login.
    const sessions = await queryOne(
      stack.databaseUrl,
      `select count(*)::int as n, bool_or(r.rolsuper) as any_super, string_agg(distinct a.usename, ',') as users
         from pg_stat_activity a join pg_roles r on r.rolname = a.usename where a.application_name like 'regsweep-%'`,
    );
    assert.ok((sessions.n as number) > 0, 'the workers hold sessions');
    assert.equal(sessions.any_super, false);
    assert.equal(sessions.users, 'regsweep_worker');

    // `regsweep db url` prints working URLs for each login; only the admin is a superuser.
    const expectSuper = { reader: false, writer: false, admin: true } as const;
    for (const role of ['reader', 'writer', 'admin'] as const) {
      const printed = await regsweep(['db', 'url', '--role', role], env);
      assert.equal(printed.code, 0, printed.stderr);
      const row = await queryOne(printed.stdout.trim(), 'select rolsuper from pg_roles where rolname = current_user');
      assert.equal(row.rolsuper, expectSuper[role], role);
    }
    const readerUrl = (await regsweep(['db', 'url'], env)).stdout.trim();
    await assert.rejects(queryOne(readerUrl, `insert into sweeps (id, name, spec, status, trials, runs) values ('x', 'x', '{}', 'running', 0, 0)`), /permission denied/);
    assert.equal(new URL(readerUrl).password, readLocalCredentials(home)!.reader.password);

    // The CLI's own sessions read as the reader login, not the superuser.
    const who = await regsweep(['sql', 'select current_user, session_user', '--format', 'json'], env);
    assert.equal(who.code, 0, who.stderr);
    assert.deepEqual(JSON.parse(who.stdout), [{ current_user: 'regsweep_reader', session_user: 'regsweep_cli' }]);

    // A second stack on the same state folder is refused in one line, by the CLI too.
    await assert.rejects(startLocalStack(loadConfig(env), { trainWorkers: 0, headless: true, log: () => undefined }), /another regsweep dev or quickstart \(pid \d+\) is running/);
    const second = await regsweep(['dev', '--train-workers', '0'], env);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^regsweep: the local stack could not start: another regsweep dev or quickstart \(pid \d+\) is running or still shutting down with state in .*; stop it first/);
    assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
  } finally {
    await stack.stop();
  }
});

test('a port in use stops the local stack in one line naming the part and the variable, and leaves nothing running', async () => {
  const env = await localEnv();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busy = (blocker.address() as net.AddressInfo).port;
  try {
    const result = await regsweep(['dev', '--train-workers', '0'], { ...env, REGSWEEP_TEMPORAL_PORT: String(busy) });
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), `regsweep: the Temporal dev server could not start: port ${busy} on 127.0.0.1 is in use; stop what listens there, or set REGSWEEP_TEMPORAL_PORT to another port`);
    const pgBusy = await regsweep(['dev', '--train-workers', '0'], { ...env, REGSWEEP_POSTGRES_PORT: String(busy) });
    assert.equal(pgBusy.stderr.trim(), `regsweep: Postgres could not start: port ${busy} on 127.0.0.1 is in use; stop what listens there, or set REGSWEEP_POSTGRES_PORT to another port`);
  } finally {
    blocker.close();
  }
  // Postgres was started before the Temporal failure and stopped after it: its port is free again.
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(Number(env.REGSWEEP_POSTGRES_PORT), '127.0.0.1', resolve);
  });
  probe.close();
});
