import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase } from '../helpers/test-database';
import { loadAnalysisFixture, type AnalysisFixture } from './analysis-fixture';

export interface FixtureDatabase {
  url: string;
  handle: DatabaseHandle;
  fixture: AnalysisFixture;
  close(): Promise<void>;
}

/** A fresh migrated database holding the analysis fixture. */
export async function openFixtureDatabase(): Promise<FixtureDatabase> {
  const testDb = await createTestDatabase();
  const handle = openDatabase(testDb.url);
  try {
    await migrateToLatest(handle.db);
    const fixture = await loadAnalysisFixture(handle.db);
    return {
      url: testDb.url,
      handle,
      fixture,
      close: async () => {
        await handle.close();
        await testDb.drop();
      },
    };
  } catch (err) {
    await handle.close();
    await testDb.drop();
    throw err;
  }
}
