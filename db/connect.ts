import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './database';

// pg returns int8 (count(*)) and numeric as strings to avoid precision loss; regsweep's
// counts and statistics fit doubles, and people expect numbers from every query.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** An open pool and the Kysely instance over it; `close()` ends both, once. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

const deadClientSettings =
  'set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 3; set tcp_user_timeout = 25000';

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
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    // A session whose client vanished without closing it (host lost power, network cut) keeps
    // its advisory locks until the server notices; with the kernel's defaults that is about two
    // hours, and a run's lock blocks every retry of it until then. These make the server drop
    // such a session within about 25 s: keepalive probes after 10 s idle, 3 unanswered probes
    // 5 s apart, or 25 s of unacknowledged data. Set per session (not in the URL) so a pooler
    // in front of Postgres does not reject an unknown startup option.
    client.query(deadClientSettings).catch(() => undefined);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | null = null;
  // Kysely ends the pool only if it ever used it; code that used `pool` directly must not hang on idle clients.
  const close = async (): Promise<void> => {
    await db.destroy();
    if (!pool.ended) await pool.end();
  };
  return { db, pool, close: () => (closed ??= close()) };
}

// Node's codes for a server certificate that no trusted CA signed.
const untrustedCertificate = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/** Why the connection failed and what to change, for the TLS settings of a connection URL. */
function tlsProblem(u: URL, cause: unknown): { why: string; fix: string } | null {
  const err = cause as NodeJS.ErrnoException & { path?: string };
  const code = err?.code ?? '';
  const ca = u.searchParams.get('sslrootcert');
  if (untrustedCertificate.has(code)) {
    return ca
      ? { why: `TLS: certificate not signed by the CA in sslrootcert=${ca}`, fix: "set sslrootcert to the CA that signed the server's certificate" }
      : { why: 'TLS: certificate not signed by a trusted CA', fix: "add sslrootcert=<the server's CA file> to the URL" };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return { why: `TLS: the certificate is not for ${u.hostname}`, fix: 'connect by a host name the certificate lists' };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return { why: `TLS: the server's certificate is not valid now (${code})`, fix: 'renew it' };
  // pg reads the TLS files named in the URL when it connects.
  const fileSetting = ['sslrootcert', 'sslcert', 'sslkey'].find((name) => err?.path !== undefined && u.searchParams.get(name) === err.path);
  if (fileSetting) return { why: `TLS: cannot read ${fileSetting}=${err.path} (${code})`, fix: 'give a readable file' };
  if (err?.message === 'The server does not support SSL connections')
    return { why: 'TLS: the server does not accept TLS connections', fix: 'enable ssl on the server' };
  return null;
}

/**
 * Postgres did not answer at start, refused the login, or failed the TLS handshake; the one-line
 * message names the address, the reason (TLS reasons name the URL setting) and what to change.
 */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const u = new URL(url);
    const tls = tlsProblem(u, cause);
    // Postgres's own refusals (unknown database, failed password) say more than their SQLSTATE.
    const why =
      tls?.why ?? (cause instanceof pg.DatabaseError ? cause.message : ((cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause)));
    super(`cannot reach Postgres at ${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)} (${why}); ${tls?.fix ?? 'start it, or set DATABASE_URL'}`);
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
