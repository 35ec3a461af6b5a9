import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { recordDivergedEpoch, upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { runPlanOf, runRowOf, trialRowOf } from '../../db/plan-rows';
import {
  deleteTrialsOutside,
  findRun,
  linkSweepRuns,
  markRunPending,
  markRunStarted,
  tryLockRun,
  unlockRun,
  upsertRuns,
  upsertTrials,
} from '../../db/run-repository';
import { findBestTrialAtLargestEpochs, findLargestEpochs, upsertSweep } from '../../db/sweep-repository';
import { expandRuns, expandTrials } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { fixtureMetrics } from './analysis-fixture';

/*
 * The repository functions the activities call for the trial set, the best configuration, a
 * retry's hand-back and the run's advisory lock, against a fresh migrated database.
 */
const spec = validateSpec({
  name: 'repository',
  grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [1, 2] },
  seeds: [1, 2],
});
const runs = expandRuns(spec);
const trials = expandTrials(spec);

let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url, { max: 4 });
  await migrateToLatest(handle.db);
  await upsertSweep(handle.db, { id: 'repo', name: spec.name, spec: JSON.stringify(spec), trials: trials.length, runs: runs.length });
  await upsertRuns(handle.db, runs.map(runRowOf));
  await linkSweepRuns(
    handle.db,
    'repo',
    runs.map((r) => r.runId),
  );
  await upsertTrials(
    handle.db,
    trials.map((t) => trialRowOf('repo', t)),
  );
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

test('runPlanOf reads back the plan a runs row was written from', async () => {
  for (const run of runs) {
    const row = await findRun(handle.db, run.runId);
    assert.deepEqual(runPlanOf(row!), run);
  }
});

test('findLargestEpochs returns the largest epochs value of the sweep, and null for an unknown sweep', async () => {
  assert.equal(await findLargestEpochs(handle.db, 'repo'), 2);
  assert.equal(await findLargestEpochs(handle.db, 'unknown'), null);
});

test('findBestTrialAtLargestEpochs averages test accuracy over the seeds that did not diverge at the largest epochs value', async () => {
  assert.equal(await findBestTrialAtLargestEpochs(handle.db, 'repo'), undefined);
  for (const run of runs) for (const epoch of [1, 2]) await upsertEpochMetrics(handle.db, fixtureMetrics(run, epoch));
  const expected = (dropout1: number) => {
    const accs = runs.filter((r) => r.dropout1 === dropout1).map((r) => fixtureMetrics(r, 2).test_acc);
    return accs.reduce((a, b) => a + b, 0) / accs.length;
  };
  const winner = expected(0.5) > expected(0) ? 0.5 : 0;
  const best = await findBestTrialAtLargestEpochs(handle.db, 'repo');
  assert.deepEqual({ ...best, test_acc: undefined }, { dropout1: winner, dropout2: 0, weight_decay: 0, epochs: 2, variant: 'dropout lr=0.5', test_acc: undefined, seeds: 2 });
  assert.ok(Math.abs(best!.test_acc - expected(winner)) < 1e-12);

  // A seed of the winner diverging in epoch 2 leaves its other seed as the winner's only one.
  const diverged = runs.find((r) => r.dropout1 === winner)!;
  await recordDivergedEpoch(handle.db, diverged.runId, 2, 'cpu', 'test');
  const other = winner === 0 ? 0.5 : 0;
  const survivor = runs.find((r) => r.dropout1 === winner && r !== diverged)!;
  const survivorAcc = fixtureMetrics(survivor, 2).test_acc;
  const again = await findBestTrialAtLargestEpochs(handle.db, 'repo');
  assert.deepEqual(
    { dropout1: again!.dropout1, seeds: again!.seeds },
    survivorAcc > expected(other) ? { dropout1: winner, seeds: 1 } : { dropout1: other, seeds: 2 },
  );
});

test('deleteTrialsOutside removes only the sweep trials whose key is not kept', async () => {
  const keep = trials.filter((t) => t.epochs === 2).map((t) => t.trialKey);
  await deleteTrialsOutside(handle.db, 'repo', keep);
  const left = await handle.db.selectFrom('sweep_trials').select('trial_key').where('sweep_id', '=', 'repo').orderBy('trial_key').execute();
  assert.deepEqual(
    left.map((r) => r.trial_key),
    [...keep].sort(),
  );
});

test('markRunPending hands a started run back as pending with the attempt error, keeping its attempts', async () => {
  const runId = runs[0]!.runId;
  await markRunStarted(handle.db, runId, 'worker-a', 'cpu');
  await markRunPending(handle.db, runId, 'connection reset');
  const row = await findRun(handle.db, runId);
  assert.deepEqual(
    { status: row!.status, error: row!.error, attempts: row!.attempts, worker: row!.worker },
    { status: 'pending', error: 'connection reset', attempts: 1, worker: 'worker-a' },
  );
});

test('tryLockRun grants a run to one connection at a time, and unlockRun frees it for the next', async () => {
  const runId = runs[1]!.runId;
  await handle.db.connection().execute(async (first) => {
    assert.equal(await tryLockRun(first, runId), true);
    await handle.db.connection().execute(async (second) => {
      assert.equal(await tryLockRun(second, runId), false);
      // Another run's lock is independent.
      assert.equal(await tryLockRun(second, runs[2]!.runId), true);
      await unlockRun(second, runs[2]!.runId);
      await unlockRun(first, runId);
      assert.equal(await tryLockRun(second, runId), true);
      await unlockRun(second, runId);
    });
  });
});
