import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index';

/**
 * Applies every pending migration. Safe when several workers start at once: Kysely's
 * migrator serializes them with an advisory lock, and a late starter finds nothing to do.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const message = (result.error as Error).message ?? String(result.error);
    // Workers log in without DDL rights (regsweep_writer): a schema behind the code is for an admin to migrate.
    if (/permission denied|must be owner/.test(message)) {
      throw new Error(`the database schema needs migration ${failed}, which this login may not apply (${message}); run 'regsweep db migrate' with an admin login first`);
    }
    throw new Error(`database migration ${failed} failed: ${message}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
