import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the local stack's Postgres cluster keeps its files, and as whom it runs.
 *
 * Postgres refuses to run as root, so as root it runs as the OS user `postgres`, which must be
 * able to reach its binaries and its data folder. A clone under root's home (mode 700) is out
 * of that user's reach, and regsweep's own state folder is mode 700 too; so as root both live
 * under a root-owned, world-traversable folder instead: the binaries once per Postgres version,
 * the data once per state folder (named by a hash of its real path, so two clones never share
 * a cluster). Anyone else runs Postgres as themselves, with its data inside the state folder.
 */
export interface ClusterLocation {
  /** The folder holding bin/, lib/ and share/ of the Postgres build to run. */
  installDir: string;
  /** The cluster's data folder (PGDATA). */
  dataDir: string;
  /** Postgres's server log, appended to on every start. */
  logFile: string;
  /** The OS user the server runs as; null = the current user. */
  osUser: string | null;
}

/** Root of the shared folder used when running as root. */
export const systemStateRoot = '/var/lib/regsweep';

/** The OS user Postgres runs as when regsweep runs as root. */
export const postgresOsUser = 'postgres';

export function clusterLocation(home: string, packagedInstallDir: string, postgresVersion: string, asRoot: boolean): ClusterLocation {
  if (!asRoot) {
    return { installDir: packagedInstallDir, dataDir: path.join(home, 'postgres'), logFile: path.join(home, 'postgres.log'), osUser: null };
  }
  const cluster = path.join(systemStateRoot, 'clusters', stateFolderKey(home));
  return {
    installDir: path.join(systemStateRoot, `postgres-${postgresVersion}`),
    dataDir: path.join(cluster, 'data'),
    logFile: path.join(cluster, 'postgres.log'),
    osUser: postgresOsUser,
  };
}

/** A short stable name for a state folder: a hash of its real path. */
export function stateFolderKey(home: string): string {
  let real = path.resolve(home);
  try {
    real = realpathSync(home);
  } catch {
    // Not created yet: its resolved path names it just as well.
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 16);
}

/** Where clusters made before this layout kept their data: inside the state folder. */
export const legacyDataDir = (home: string): string => path.join(home, 'postgres');
