import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordActivities, createTrainingActivities } from '../../activities/index';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/*
 * Activity names are the contract with running sweeps: a history schedules activities by name,
 * so each worker role must keep registering exactly these. Building the sets touches nothing:
 * no query runs and the dataset is never loaded.
 */
let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

test('the orchestration role registers registerSweep, nextPendingRuns, finalizeSweep and the adaptive-seed pair, and no trainRun', () => {
  const records = createRecordActivities({ db: handle.db, publishDashboards: async () => [] });
  assert.deepEqual(Object.keys(records).sort(), ['finalizeSweep', 'nextPendingRuns', 'registerReplicateSweep', 'registerSweep', 'replicateRound']);
});

test('the training role registers trainRun only', () => {
  const training = createTrainingActivities({
    db: handle.db,
    training: {
      dataset: () => assert.fail('building the activities must not load the dataset'),
      backend: 'cpu',
      workerName: 'test',
      shutdownRequested: () => false,
    },
  });
  assert.deepEqual(Object.keys(training), ['trainRun']);
});
