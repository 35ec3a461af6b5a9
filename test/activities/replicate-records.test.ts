import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReplicateRecordActivities, type ReplicateRoundResult } from '../../activities/replicate-records';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { adaptiveFixtureId as sweepId, adaptiveFixtureSpec as spec, trainPendingByHand } from '../helpers/adaptive-sweep-fixture';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/*
 * The adaptive-seed record activities against a real, migrated Postgres, on the hand-written
 * fixture of test/helpers/adaptive-sweep-fixture.ts: dropout1 = 0.9 is 20 points below the
 * control on every seed, dropout1 = 0.5 within a tenth of a point.
 */
let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  await migrateToLatest(handle.db);
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

const trainPending = (): Promise<number> => trainPendingByHand(handle.db);

const statuses = (r: ReplicateRoundResult): Record<string, string> => Object.fromEntries(r.comparisons.map((c) => [c.id, c.status]));

test('an adaptive sweep adds seeds only where a comparison is open, stops at maxSeeds, and a relaunch resumes without adding runs', async () => {
  const activities = createReplicateRecordActivities(handle.db);
  const registered = await activities.registerReplicateSweep({ sweepId, spec });
  assert.deepEqual(registered, { trials: 18, runs: 9, reused: 0, round: 0 });
  assert.equal(await trainPending(), 9);

  const first = await activities.replicateRound({ sweepId, spec, round: 1 });
  assert.deepEqual(statuses(first), { 'dropout1=0.5 vs dropout1=0': 'unresolved', 'dropout1=0.9 vs dropout1=0': 'resolved' });
  assert.deepEqual({ round: first.round, added: first.added, runs: first.runs, trials: first.trials, fixedRuns: first.fixedRuns }, { round: 1, added: 2, runs: 11, trials: 22, fixedRuns: 15 });
  const clear = first.comparisons.find((c) => c.id.startsWith('dropout1=0.9'));
  assert.ok(clear && clear.high !== null && clear.high < 0 && clear.n === 3, JSON.stringify(clear));

  // A retry of a decision that committed gets the same answer and adds nothing.
  assert.deepEqual(await activities.replicateRound({ sweepId, spec, round: 1 }), first);
  const added = await handle.db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .select(['sr.ordinal', 'r.dropout1', 'r.seed'])
    .where('sr.sweep_id', '=', sweepId)
    .where('r.status', '=', 'pending')
    .orderBy('sr.ordinal')
    .execute();
  assert.deepEqual(added, [
    { ordinal: 9, dropout1: 0, seed: 4 },
    { ordinal: 10, dropout1: 0.5, seed: 4 },
  ]);

  assert.equal(await trainPending(), 2);
  const second = await activities.replicateRound({ sweepId, spec, round: 2 });
  assert.deepEqual({ round: second.round, added: second.added, runs: second.runs }, { round: 2, added: 2, runs: 13 });
  assert.equal(await trainPending(), 2);
  const last = await activities.replicateRound({ sweepId, spec, round: 3 });
  assert.deepEqual(statuses(last), { 'dropout1=0.5 vs dropout1=0': 'stopped-at-cap', 'dropout1=0.9 vs dropout1=0': 'resolved' });
  assert.deepEqual({ round: last.round, added: last.added, runs: last.runs }, { round: 2, added: 0, runs: 13 });
  const open = last.comparisons.find((c) => c.id.startsWith('dropout1=0.5'));
  assert.deepEqual({ n: open?.n, configSeeds: open?.configSeeds, otherSeeds: open?.otherSeeds }, { n: 5, configSeeds: 5, otherSeeds: 5 });

  const state = await handle.db.selectFrom('replicate_sweeps').selectAll().where('sweep_id', '=', sweepId).executeTakeFirstOrThrow();
  assert.deepEqual(
    { round: state.round, runs: state.runs, fixed: state.fixed_runs, configs: state.configs, finished: state.finished, target: state.target },
    { round: 2, runs: 13, fixed: 15, configs: 3, finished: true, target: 'decide alpha 0.05' },
  );
  const sweep = await handle.db.selectFrom('sweeps').select(['runs', 'trials']).where('id', '=', sweepId).executeTakeFirstOrThrow();
  assert.deepEqual(sweep, { runs: 13, trials: 26 });

  // A relaunch registers every seed the rounds added and decides the same way: nothing to train.
  const again = await activities.registerReplicateSweep({ sweepId, spec });
  assert.deepEqual(again, { trials: 26, runs: 13, reused: 13, round: 2 });
  const relaunched = await activities.replicateRound({ sweepId, spec, round: 3 });
  assert.deepEqual({ ...relaunched, comparisons: statuses(relaunched) }, { ...last, comparisons: statuses(last) });
});

test('a replicate block with more seeds than minSeeds is rejected naming seeds', () => {
  assert.throws(
    () => validateSpec({ ...spec, seeds: [1, 2, 3, 4] }),
    /^SpecError: seeds must have at most replicate\.minSeeds = 3 entries when replicate is given \(they are the first seeds; the rule adds the rest\), got 4$/,
  );
});
