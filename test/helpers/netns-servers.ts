import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { freePort, waitForPort } from '../../infra/local/free-port';
import { stopChild } from '../../infra/local/stop-child';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { startDevServer } from '../../infra/temporal/dev-server';
import type { TestNetwork } from './netns-links';

/** A server process the multi-host harness started on this machine's bridge addresses. */
export interface HostServer {
  /** `postgres://…` for Postgres, `host:port` for Temporal, on the bridge address. */
  address: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

// The system Postgres listens on loopback only (and is not ours to reconfigure), so the harness
// starts a cluster of its own with the installed server binaries.
function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  const bin = version ? path.join(root, version, 'bin') : '';
  if (!bin || !existsSync(path.join(bin, 'postgres'))) throw new Error(`no Postgres server binaries under ${root}/<version>/bin; install postgresql`);
  return bin;
}

const osIds = (user: string) => ({
  uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
  gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
});

/**
 * A fresh, migrated Postgres cluster in `dir`, listening on the Postgres bridge's address and
 * on 127.0.0.1, trusting the test subnets (nothing outside this machine reaches them). It runs
 * as the `postgres` OS user (the server refuses root); fsync is off, as befits a throwaway.
 */
export async function startBridgePostgres(network: TestNetwork, dir: string): Promise<HostServer> {
  const bin = postgresBinaries();
  const ids = osIds('postgres');
  const dataDir = path.join(dir, 'pgdata');
  mkdirSync(dataDir, { mode: 0o700 });
  chownSync(dataDir, ids.uid, ids.gid);
  execFileSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'], { stdio: 'ignore', ...ids });
  writeFileSync(
    path.join(dataDir, 'pg_hba.conf'),
    `local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ${network.postgres.subnet}.0/24 trust\n`,
  );
  const port = await freePort();
  const logFile = path.join(dir, 'postgres.log');
  const log = openSync(logFile, 'a');
  chownSync(logFile, ids.uid, ids.gid);
  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      `listen_addresses=${network.postgres.address},127.0.0.1`,
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ],
    { stdio: ['ignore', log, log], ...ids },
  );
  const stop = () => stopChild(child, 30_000, 'SIGINT');
  try {
    await waitForPort(network.postgres.address, port, 60_000, 'the test Postgres');
    const url = `postgres://postgres@${network.postgres.address}:${port}/regsweep`;
    await waitForAccepting(`postgres://postgres@127.0.0.1:${port}/postgres`);
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('create database regsweep').finally(() => admin.end());
    // Migrated once here: workers only confirm the schema at start, as on a real cluster.
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    await migrateToLatest(db).finally(() => db.destroy());
    return { address: url, process: child, logFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForAccepting(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    const ok = await client.connect().then(
      () => true,
      () => false,
    );
    await client.end().catch(() => undefined);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the test Postgres did not accept connections at ${url} within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The Temporal dev server (the shared launcher: headless, loopback, history in `dir`), reached
 * from the namespaces through a relay on the Temporal bridge's address and the same port.
 * Started with `--ip <bridge address>`, the dev server (1.29) binds its internal services there
 * but dials them on 127.0.0.1 and never becomes ready. Cuts happen between a namespace and the
 * relay, so a cut host sees exactly what a partition shows it: its connections stall or fail.
 */
export async function startBridgeTemporal(network: TestNetwork, dir: string, cliPath: string): Promise<HostServer> {
  const server = await startDevServer({ cliPath, home: dir, port: 0, uiPort: 0, headless: true });
  const port = Number(server.address.split(':').pop());
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((downstream) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(port, network.temporal.address, resolve);
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    address: `${network.temporal.address}:${port}`,
    process: server.process,
    logFile: server.logFile,
    stop: async () => {
      relay.close();
      for (const s of sockets) s.destroy();
      await server.stop();
    },
  };
}
