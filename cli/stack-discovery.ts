import { existsSync, readFileSync } from 'node:fs';
import { defaultTemporalPort, type RegsweepConfig } from '../config';
import { readLocalCredentials, localDatabaseUrl, type DatabaseRole, type LocalDatabaseAddress } from '../infra/local/local-credentials';
import { stackFile } from '../infra/local/local-stack';

export interface StackAddresses {
  temporalAddress: string;
  /** A connection URL per role, or null when no database is configured or running. */
  databaseUrls: Readonly<Record<DatabaseRole, string>> | null;
}

interface RecordedStack {
  temporalAddress?: string;
  database?: LocalDatabaseAddress;
}

/**
 * Where commands such as `status` and `results` find the stack: the environment first,
 * then what a running `regsweep dev` recorded (its addresses in stack.json, its logins in
 * credentials.json), then Temporal's default port. With DATABASE_URL every role uses it,
 * except that readers prefer REGSWEEP_READER_URL.
 */
export function discoverStack(config: Readonly<RegsweepConfig>): StackAddresses {
  const file = stackFile(config.home);
  const recorded = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RecordedStack) : {};
  return {
    temporalAddress: config.temporalAddress ?? recorded.temporalAddress ?? `127.0.0.1:${defaultTemporalPort}`,
    // Without a running stack the logins still name the cluster's usual address, so scripts can
    // take a URL before `regsweep dev` starts.
    databaseUrls: configuredUrls(config) ?? recordedUrls(config.home, recorded.database ?? { host: '127.0.0.1', port: config.postgresPort, database: 'regsweep' }),
  };
}

function configuredUrls(config: Readonly<RegsweepConfig>): Record<DatabaseRole, string> | null {
  if (!config.databaseUrl) return null;
  return { admin: config.databaseUrl, writer: config.databaseUrl, reader: config.readerUrl ?? config.databaseUrl };
}

function recordedUrls(home: string, address: LocalDatabaseAddress): Record<DatabaseRole, string> | null {
  const credentials = readLocalCredentials(home);
  if (!credentials) return null;
  return {
    admin: localDatabaseUrl(address, credentials.admin),
    writer: localDatabaseUrl(address, credentials.writer),
    reader: localDatabaseUrl(address, credentials.reader),
  };
}
