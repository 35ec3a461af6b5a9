import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { recordDivergedEpoch } from '../../db/epoch-metrics-repository';
import { markRunDiverged } from '../../db/run-repository';
import { assertClose } from './assert-close';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';

/*
 * The test accuracy's binomial standard error √(p (1 − p) / n_test): per recorded epoch in
 * epoch_test_accuracy, for the latest epoch in run_progress, from the stored test_count.
 */

let fx: FixtureDatabase;

before(async () => {
  fx = await openFixtureDatabase();
});
after(async () => {
  await fx?.close();
});

const binomialSe = (p: number, n: number): number => Math.sqrt((p * (1 - p)) / n);

test('regsweep_binomial_se gives √(p (1 − p) / n), and null outside 0 ≤ p ≤ 1 or n ≥ 1', async () => {
  const r = await sql<{ a: number; b: number | null; c: number | null; d: number }>`
    select regsweep_binomial_se(0.88, 10000) as a, regsweep_binomial_se(1.2, 10000) as b,
           regsweep_binomial_se(0.5, 0) as c, regsweep_binomial_se(1, 10000) as d`.execute(fx.handle.db);
  // √(0.88 × 0.12 / 10,000) = √1.056e-5.
  assertClose(r.rows[0]!.a, 0.0032496153618543843, 'se at 0.88', 1e-14);
  assert.deepEqual([r.rows[0]!.b, r.rows[0]!.c, r.rows[0]!.d], [null, null, 0]);
});

test("epoch_test_accuracy has every recorded epoch of each sweep's runs with its 10,000-image standard error", async () => {
  const rows = await fx.handle.db.selectFrom('epoch_test_accuracy').selectAll().where('sweep_id', '=', 'd2l-dropout').execute();
  const trained = fx.fixture.runs.reduce((sum, run) => sum + fx.fixture.epochsOf(run.runId), 0);
  assert.equal(rows.length, trained);
  for (const row of rows) {
    const stored = fx.fixture.metricsAt(row.run_id, row.epoch);
    assert.ok(stored, `${row.run_id} epoch ${row.epoch} was recorded`);
    assert.equal(row.test_acc, stored.test_acc);
    assert.equal(row.test_count, 10000);
    assert.equal(row.diverged, false);
    assertClose(row.test_accuracy_se, binomialSe(stored.test_acc, 10000), `${row.run_id} epoch ${row.epoch} se`, 1e-12);
  }
});

test('epoch_test_accuracy takes n from the stored test_count, which must be positive', async () => {
  const run = fx.fixture.runs.find((r) => r.dropout1 === 0.2 && r.dropout2 === 0 && r.weightDecay === 0 && r.seed === 1)!;
  await fx.handle.db.updateTable('epoch_metrics').set({ test_count: 2500 }).where('run_id', '=', run.runId).where('epoch', '=', 1).execute();
  const row = await fx.handle.db
    .selectFrom('epoch_test_accuracy')
    .selectAll()
    .where('sweep_id', '=', 'd2l-dropout')
    .where('run_id', '=', run.runId)
    .where('epoch', '=', 1)
    .executeTakeFirstOrThrow();
  const p = fx.fixture.metricsAt(run.runId, 1)!.test_acc;
  assert.equal(row.test_count, 2500);
  assertClose(row.test_accuracy_se, binomialSe(p, 2500), 'se over 2,500 images', 1e-12);
  await assert.rejects(
    fx.handle.db.updateTable('epoch_metrics').set({ test_count: 0 }).where('run_id', '=', run.runId).execute(),
    /epoch_metrics_test_count_positive/,
  );
});

test("run_progress gives the latest epoch's test accuracy and its standard error", async () => {
  const rows = await fx.handle.db.selectFrom('run_progress').selectAll().where('sweep_id', '=', 'd2l-dropout').execute();
  assert.equal(rows.length, fx.fixture.runs.length);
  for (const row of rows) {
    const last = fx.fixture.epochsOf(row.run_id);
    const p = fx.fixture.metricsAt(row.run_id, last)!.test_acc;
    const count = await fx.handle.db
      .selectFrom('epoch_metrics')
      .select('test_count')
      .where('run_id', '=', row.run_id)
      .where('epoch', '=', last)
      .executeTakeFirstOrThrow();
    assert.equal(row.last_test_acc, p, `${row.run_id} last_test_acc`);
    assertClose(row.test_accuracy_se, binomialSe(p, count.test_count), `${row.run_id} test_accuracy_se`, 1e-12);
  }
});

test('a diverged epoch has no standard error, and run_progress keeps the last epoch that has a result', async () => {
  // A run that stopped after epoch 2 diverges in epoch 3.
  const run = fx.fixture.runs.find((r) => fx.fixture.epochsOf(r.runId) === 2)!;
  await recordDivergedEpoch(fx.handle.db, run.runId, 3, 'cpu', 'fixture');
  await markRunDiverged(fx.handle.db, run.runId, 3, 'training diverged');
  const epoch3 = await fx.handle.db
    .selectFrom('epoch_test_accuracy')
    .selectAll()
    .where('sweep_id', '=', 'd2l-dropout')
    .where('run_id', '=', run.runId)
    .where('epoch', '=', 3)
    .executeTakeFirstOrThrow();
  assert.deepEqual([epoch3.diverged, epoch3.test_acc, epoch3.test_count, epoch3.test_accuracy_se], [true, null, 10000, null]);
  const progress = await fx.handle.db
    .selectFrom('run_progress')
    .selectAll()
    .where('sweep_id', '=', 'd2l-dropout')
    .where('run_id', '=', run.runId)
    .executeTakeFirstOrThrow();
  const p = fx.fixture.metricsAt(run.runId, 2)!.test_acc;
  assert.equal(progress.status, 'diverged');
  assert.equal(progress.last_test_acc, p);
  assertClose(progress.test_accuracy_se, binomialSe(p, 10000), 'se of epoch 2', 1e-12);
});
