import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './database';

// pg returns int8 (count(*)) and numeric as strings to avoid precision loss; regsweep's
// counts and statistics fit doubles, and people expect numbers from every query.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Opens a pool; nothing connects until the first query. `close()` ends the pool once. */
export function openDatabase(url: string, options: { max?: number; applicationName?: string } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    application_name: options.applicationName ?? 'regsweep',
    connectionTimeoutMillis: 10_000,
  });
  // A client losing its server (Postgres restart) emits 'error'; unheard, that crashes the process.
  // Idle clients report through the pool, checked-out ones (a held advisory lock) on themselves;
  // either way the next query on them fails and is retried by the activity.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | null = null;
  // Kysely ends the pool only if it ever used it; code that used `pool` directly must not hang on idle clients.
  const close = async (): Promise<void> => {
    await db.destroy();
    if (!pool.ended) await pool.end();
  };
  return { db, pool, close: () => (closed ??= close()) };
}

/** Postgres did not answer at start; the message names the address and the setting to change. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const u = new URL(url);
    const why = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause);
    super(`cannot reach Postgres at ${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)} (${why}); start it, or set DATABASE_URL`);
    this.name = 'DatabaseUnreachableError';
  }
}

/** Fails fast, in one line, when the database is down or refuses the credentials. */
export async function assertDatabaseReachable(handle: DatabaseHandle, url: string): Promise<void> {
  try {
    const client = await handle.pool.connect();
    client.release();
  } catch (err) {
    throw new DatabaseUnreachableError(url, err);
  }
}
