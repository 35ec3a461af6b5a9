import { test, before, after } from 'node:test';
import { runRowOf, trialRowOf } from '../../db/plan-rows';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createSweepRecordActivities } from '../../activities/sweep-records';
import { loadCheckpoint, saveCheckpoint } from '../../db/checkpoint-repository';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { listEpochMetrics, upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { upsertRuns, upsertTrials } from '../../db/run-repository';
import type { NewRun, NewSweepTrial } from '../../db/runs.table';
import { dispatchOrder } from '../../domain/dispatch-order';
import { expandRuns, expandTrials } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { fixtureMetrics } from './analysis-fixture';

// Replays model what Temporal does on retries and what two workers racing on one run do.
const replays = 20;

const spec = validateSpec({
  name: 'replayed',
  grid: { dropout1: [0, 0.5], dropout2: [0, 0.5], weightDecay: [0, 0.001], epochs: [2, 3] },
  seeds: [1, 2],
});
const runs = expandRuns(spec);
const trials = expandTrials(spec);

let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  // More connections than the default so the replays really overlap.
  handle = openDatabase(testDb.url, { max: 10 });
  await migrateToLatest(handle.db);
});
after(async () => {
  await handle?.close();
  await testDb?.drop();
});

function times<T>(body: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: replays }, (_, i) => body(i)));
}

async function count(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(handle.db);
  return r.rows[0]!.n;
}

const newRuns: NewRun[] = runs.map(runRowOf);
const newTrials: NewSweepTrial[] = trials.map((t) => trialRowOf(spec.name, t));

test('registerSweep leaves one sweep and one row per run and trial when replayed concurrently', async () => {
  const register = createSweepRecordActivities(handle.db).registerSweep;
  const results = await times(() => register({ sweepId: spec.name, spec }));
  assert.ok(results.every((r) => r.runs === runs.length && r.trials === trials.length));
  assert.equal(await count('sweeps'), 1);
  assert.equal(await count('runs'), runs.length);
  assert.equal(await count('sweep_trials'), trials.length);
  const links = await handle.db.selectFrom('sweep_runs').select(['ordinal', 'run_id']).orderBy('ordinal').execute();
  assert.deepEqual(links, dispatchOrder(runs).map((r, ordinal) => ({ ordinal, run_id: r.runId })));
});

test('upsertRuns and upsertTrials keep one row per natural key when replayed concurrently', async () => {
  await times(() => upsertRuns(handle.db, newRuns));
  await times(() => upsertTrials(handle.db, newTrials));
  const stored = await handle.db.selectFrom('runs').select(['id', 'dropout1', 'dropout2', 'weight_decay', 'seed', 'max_epochs']).orderBy('id').execute();
  assert.deepEqual(
    stored,
    [...newRuns].sort((a, b) => a.id.localeCompare(b.id)).map((r) => ({ id: r.id, dropout1: r.dropout1, dropout2: r.dropout2, weight_decay: r.weight_decay, seed: r.seed, max_epochs: 3 })),
  );
  const keys = await handle.db.selectFrom('sweep_trials').select(['trial_key', 'run_id']).orderBy('trial_key').execute();
  assert.deepEqual(keys, newTrials.map((t) => ({ trial_key: t.trial_key, run_id: t.run_id })).sort((a, b) => a.trial_key.localeCompare(b.trial_key)));
});

test('upsertEpochMetrics keeps one row per run and epoch with the replayed values', async () => {
  const rows = runs.flatMap((run) => [1, 2, 3].map((epoch) => fixtureMetrics(run, epoch)));
  await times(() => Promise.all(rows.map((row) => upsertEpochMetrics(handle.db, row))));
  assert.equal(await count('epoch_metrics'), runs.length * 3);
  for (const run of runs) {
    const stored = await listEpochMetrics(handle.db, run.runId);
    assert.deepEqual(
      stored.map((m) => [m.epoch, m.test_acc, m.gap, m.act_var1]),
      [1, 2, 3].map((e) => {
        const m = fixtureMetrics(run, e);
        return [e, m.test_acc, m.gap, m.act_var1];
      }),
    );
  }
});

test('saveCheckpoint keeps the newest epoch per run when old and new saves race', async () => {
  const weights = (runIndex: number, epoch: number) => new Uint8Array([runIndex, epoch, 7, 7]);
  // Even replays save epoch 3, odd ones a stale epoch 2: the stale ones must never win.
  await times((i) => Promise.all(runs.map((run, r) => saveCheckpoint(handle.db, run.runId, 2 + ((i + 1) % 2), weights(r, 2 + ((i + 1) % 2))))));
  assert.equal(await count('checkpoints'), runs.length);
  for (const [r, run] of runs.entries()) {
    assert.deepEqual(await loadCheckpoint(handle.db, run.runId), { epoch: 3, weights: weights(r, 3) });
  }
});
