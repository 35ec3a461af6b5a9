import type { Migration } from 'kysely';
import * as coreTables from './20261129T0900-core-tables';
import * as trialResultsView from './20261129T1000-trial-results-view';

/** Every migration, keyed by its timestamp-prefixed name (Kysely applies them in name order). */
export const migrations: Record<string, Migration> = {
  '20261129T0900-core-tables': coreTables,
  '20261129T1000-trial-results-view': trialResultsView,
};
