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
  // An idle client losing its server (Postgres restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | null = null;
  return { db, pool, close: () => (closed ??= db.destroy()) };
}
