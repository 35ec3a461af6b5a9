import { randomBytes } from 'node:crypto';
import pg from 'pg';

// A Postgres where tests and benchmarks may create and drop databases. Defaults to the server
// a development machine runs on 127.0.0.1:5432 with trust authentication.
const adminUrl = process.env.REGSWEEP_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database on the admin server. */
export interface ScratchDatabase {
  url: string;
  name: string;
  /** Drops the database and every connection to it. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database (for one test file or one benchmark), named `<prefix>_<8 hex digits>`
 * so concurrent users never collide; `drop()` removes it.
 */
export async function createScratchDatabase(prefix = 'regsweep_test'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
