import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The logins of the local stack's embedded Postgres. Each gets its own random password, made
 * on first start and kept in `<home>/credentials.json` (mode 600, in a mode-700 folder), so
 * only the user who runs the stack can read them:
 * - `admin`: the cluster's superuser; runs migrations and creates the other logins;
 * - `writer`: a login in `regsweep_writer` (rows only, no DDL) for the workers;
 * - `reader`: a login in `regsweep_reader` (SELECT only) for `sql`, `results` and reports.
 */
export type DatabaseRole = 'admin' | 'writer' | 'reader';

export interface Login {
  user: string;
  password: string;
}

export type LocalCredentials = Record<DatabaseRole, Login>;

/** Login names; the admin keeps the name that clusters made before credentials existed use. */
export const localLoginNames: Readonly<Record<DatabaseRole, string>> = { admin: 'regsweep', writer: 'regsweep_worker', reader: 'regsweep_cli' };

/** The password that clusters made before random credentials used for their superuser. */
export const legacyAdminPassword = 'regsweep-local';

export const credentialsFile = (home: string): string => path.join(home, 'credentials.json');

/** Creates `home` private to its owner (700), tightening an existing folder made before. */
export function ensurePrivateHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
}

const newPassword = (): string => randomBytes(24).toString('base64url');

/** The recorded credentials, or null when none were made yet. */
export function readLocalCredentials(home: string): LocalCredentials | null {
  const file = credentialsFile(home);
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
  for (const role of Object.keys(localLoginNames) as DatabaseRole[]) {
    const login = parsed[role];
    if (typeof login?.user !== 'string' || typeof login.password !== 'string' || login.password === '') {
      throw new Error(`${file} lacks the ${role} login; delete the file to make new passwords (regsweep dev then resets them)`);
    }
  }
  return parsed as LocalCredentials;
}

/** The recorded credentials, made (random passwords, file mode 600) when there are none yet. */
export function ensureLocalCredentials(home: string): LocalCredentials {
  ensurePrivateHome(home);
  const existing = readLocalCredentials(home);
  if (existing) return existing;
  const made = Object.fromEntries(
    (Object.entries(localLoginNames) as [DatabaseRole, string][]).map(([role, user]) => [role, { user, password: newPassword() }]),
  ) as LocalCredentials;
  // Written under a temporary name and renamed, so a crash never leaves half a file.
  const file = credentialsFile(home);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return made;
}

/** Where the local stack's Postgres listens. */
export interface LocalDatabaseAddress {
  host: string;
  port: number;
  database: string;
}

export function localDatabaseUrl(address: LocalDatabaseAddress, login: Login): string {
  const url = new URL(`postgres://${address.host}:${address.port}/${address.database}`);
  url.username = login.user;
  url.password = login.password;
  return url.toString();
}
