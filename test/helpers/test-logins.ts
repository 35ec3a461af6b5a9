import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface TestLogin {
  name: string;
  url: string;
}

/**
 * Login roles made by one test file on the shared test server. Roles are cluster-wide, so each
 * gets a random name and `dropAll()` removes them again.
 */
export interface TestLogins {
  /** A login with `attributes` (e.g. `in role regsweep_reader`, `createrole`) for the database at `databaseUrl`. */
  create(prefix: string, attributes?: string): Promise<TestLogin>;
  dropAll(): Promise<void>;
}

export function testLogins(admin: pg.Pool, databaseUrl: string): TestLogins {
  const made: string[] = [];
  return {
    create: async (prefix, attributes = '') => {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('hex');
      await admin.query(`create role ${name} login password '${password}' ${attributes}`);
      made.push(name);
      const url = new URL(databaseUrl);
      url.username = name;
      url.password = password;
      return { name, url: url.toString() };
    },
    dropAll: async () => {
      for (const name of made.splice(0)) await admin.query(`drop role if exists ${name}`);
    },
  };
}
