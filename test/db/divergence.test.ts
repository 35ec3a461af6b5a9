import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { recordDivergedEpoch, upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { markRunDiverged, upsertRuns } from '../../db/run-repository';
import { runRowOf } from '../../db/plan-rows';
import { expandRuns } from '../../domain/grid-expansion';
import { fixtureMetrics } from './analysis-fixture';
import { assertClose } from './assert-close';
import { loadNoZeroSweep, noZeroSweep, noZeroTestAcc } from './control-fixture';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { mean, sd } from './hand-statistics';

/*
 * The no-zero sweep (control-fixture.ts) with the run dropout1 = 0.2, seed 2 diverged in its
 * only epoch, written the way the training activity writes it.
 */
let fx: FixtureDatabase;
const divergedRun = expandRuns(noZeroSweep).find((r) => r.dropout1 === 0.2 && r.seed === 2)!;

before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
  await fx.handle.db.transaction().execute(async (tx) => {
    await recordDivergedEpoch(tx, divergedRun.runId, 1, 'wasm', 'test-worker');
    await markRunDiverged(tx, divergedRun.runId, 1, 'training diverged at epoch 1, batch 3: training loss is NaN');
  });
});
after(async () => {
  await fx?.close();
});

const someRun = () => expandRuns(noZeroSweep).find((r) => r.dropout1 === 0.5 && r.seed === 1)!;

for (const [label, value] of [['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['-Infinity', Number.NEGATIVE_INFINITY]] as const) {
  test(`epoch_metrics rejects a ${label} test accuracy and keeps the stored row`, async () => {
    const run = someRun();
    await assert.rejects(upsertEpochMetrics(fx.handle.db, { ...fixtureMetrics(run, 1), test_acc: value }), /epoch_metrics_finite/);
    const row = await fx.handle.db.selectFrom('epoch_metrics').select('test_acc').where('run_id', '=', run.runId).where('epoch', '=', 1).executeTakeFirstOrThrow();
    assert.equal(row.test_acc, noZeroTestAcc[0.5]![0]);
  });
}

test('epoch_metrics rejects a NaN training loss written by hand in SQL', async () => {
  const run = someRun();
  await assert.rejects(sql`update epoch_metrics set train_loss = 'NaN' where run_id = ${run.runId}`.execute(fx.handle.db), /epoch_metrics_finite/);
});

test('epoch_metrics rejects a row that is diverged but has metrics, or has a missing metric but is not diverged', async () => {
  const run = someRun();
  await assert.rejects(sql`update epoch_metrics set diverged = true where run_id = ${run.runId}`.execute(fx.handle.db), /epoch_metrics_diverged_nulls/);
  await assert.rejects(sql`update epoch_metrics set gap = null where run_id = ${run.runId}`.execute(fx.handle.db), /epoch_metrics_diverged_nulls/);
});

test('runs rejects the status diverged without its epoch, and an epoch without the status', async () => {
  const run = someRun();
  await assert.rejects(sql`update runs set status = 'diverged' where id = ${run.runId}`.execute(fx.handle.db), /runs_diverged_epoch/);
  await assert.rejects(sql`update runs set diverged_at_epoch = 1 where id = ${run.runId}`.execute(fx.handle.db), /runs_diverged_epoch/);
});

test('a diverged run keeps its status when a sweep registers it again with more epochs', async () => {
  await upsertRuns(fx.handle.db, [runRowOf({ ...divergedRun, maxEpochs: 5 })]);
  const run = await fx.handle.db.selectFrom('runs').selectAll().where('id', '=', divergedRun.runId).executeTakeFirstOrThrow();
  assert.deepEqual([run.status, run.diverged_at_epoch, run.epochs_done], ['diverged', 1, 0]);
  await upsertRuns(fx.handle.db, [runRowOf(divergedRun)]);
});

test('config_summary counts the diverged seed in n_diverged and computes every statistic over the other seeds', async () => {
  const row = await fx.handle.db.selectFrom('config_summary').selectAll().where('sweep_id', '=', 'no-zero').where('dropout1', '=', 0.2).executeTakeFirstOrThrow();
  const survivors = [0.8112, 0.8233, 0.8001]; // seeds 1, 3, 4
  assert.deepEqual([row.trials, row.n, row.n_diverged], [4, 3, 1]);
  assertClose(row.test_acc_mean, mean(survivors), 'test_acc_mean');
  assertClose(row.test_acc_sd, sd(survivors), 'test_acc_sd');
  const others = await fx.handle.db.selectFrom('config_summary').select(['n_diverged']).where('sweep_id', '=', 'no-zero').where('dropout1', '<>', 0.2).execute();
  assert.deepEqual(others.map((r) => r.n_diverged), [0, 0, 0, 0]);
  const interval = await fx.handle.db.selectFrom('config_interval').select(['n', 'n_diverged']).where('sweep_id', '=', 'no-zero').where('dropout1', '=', 0.2).execute();
  assert.deepEqual(interval.map((r) => [r.n, r.n_diverged]), [[3, 1], [3, 1], [3, 1]]);
  const vsBest = await fx.handle.db.selectFrom('config_vs_best').select(['n', 'n_diverged']).where('sweep_id', '=', 'no-zero').where('dropout1', '=', 0.2).execute();
  assert.deepEqual(vsBest.map((r) => [r.n, r.n_diverged]), [[3, 1], [3, 1]]);
});

test('effect_vs_control leaves the pair with a diverged side out of n and counts it in n_excluded_diverged', async () => {
  const row = await fx.handle.db
    .selectFrom('effect_vs_control')
    .selectAll()
    .where('sweep_id', '=', 'no-zero')
    .where('metric', '=', 'test_acc')
    .where('dropout1', '=', 0.2)
    .executeTakeFirstOrThrow();
  // The control (dropout1 = 0.1) has seeds 1–3; seed 2 of dropout1 = 0.2 diverged: pairs 1 and 3 remain.
  assert.deepEqual([row.n, row.n_excluded_diverged], [2, 1]);
  assertClose(row.config_mean, mean([0.8112, 0.8233]), 'config_mean');
  assertClose(row.control_mean, mean([0.8012, 0.8133]), 'control_mean');
  // Both differences are 0.0100: a tie, so the sign-flip test decides (2 of 4 patterns reach it).
  assert.equal(row.p_test, 'sign-flip');
  assertClose(row.p_used, 0.5, 'p_used');
  const others = await fx.handle.db.selectFrom('effect_vs_control').select('n_excluded_diverged').where('sweep_id', '=', 'no-zero').where('dropout1', '<>', 0.2).execute();
  assert.ok(others.every((r) => r.n_excluded_diverged === 0));
});

test('trial_results and run_progress mark the diverged trial and its epoch', async () => {
  const trial = await fx.handle.db.selectFrom('trial_results').selectAll().where('run_id', '=', divergedRun.runId).executeTakeFirstOrThrow();
  assert.deepEqual([trial.diverged, trial.diverged_at_epoch, trial.test_acc, trial.run_status], [true, 1, null, 'diverged']);
  const progress = await fx.handle.db.selectFrom('run_progress').selectAll().where('run_id', '=', divergedRun.runId).executeTakeFirstOrThrow();
  assert.deepEqual([progress.status, progress.diverged_at_epoch], ['diverged', 1]);
});

test('divergence_rate reports 1 of 4 finished seeds with the Clopper–Pearson interval', async () => {
  const row = await fx.handle.db.selectFrom('divergence_rate').selectAll().where('sweep_id', '=', 'no-zero').where('dropout1', '=', 0.2).executeTakeFirstOrThrow();
  assert.deepEqual([row.trials, row.finished, row.n_diverged], [4, 4, 1]);
  assertClose(row.rate, 0.25, 'rate');
  // 1 of 4: [0.006309, 0.805880] (exact binomial interval, e.g. R's binom.test(1, 4)).
  assertClose(row.rate_ci_low, 0.0063094, 'low', 1e-6);
  assertClose(row.rate_ci_high, 0.8058796, 'high', 1e-6);
  // dropout1 = 0.4 has one finished seed of 4, none diverged.
  const sparse = await fx.handle.db.selectFrom('divergence_rate').selectAll().where('sweep_id', '=', 'no-zero').where('dropout1', '=', 0.4).executeTakeFirstOrThrow();
  assert.deepEqual([sparse.finished, sparse.n_diverged, sparse.rate, sparse.rate_ci_low], [1, 0, 0, 0]);
  assertClose(sparse.rate_ci_high, 0.975, 'high of 0 of 1', 1e-9);
});

/** P(X ≥ x) and P(X ≤ x) for X ~ Binomial(n, p), summed term by term. */
function binomialTails(x: number, n: number, p: number): { atLeast: number; atMost: number } {
  let atLeast = 0;
  let atMost = 0;
  let choose = 1;
  for (let k = 0; k <= n; k++) {
    if (k > 0) choose = (choose * (n - k + 1)) / k;
    const term = choose * p ** k * (1 - p) ** (n - k);
    if (k >= x) atLeast += term;
    if (k <= x) atMost += term;
  }
  return { atLeast, atMost };
}

test('regsweep_clopper_pearson matches textbook values and the defining binomial tails', async () => {
  const cp = async (x: number, n: number) =>
    (await sql<{ low: number; high: number }>`select * from regsweep_clopper_pearson(${x}::integer, ${n}::integer)`.execute(fx.handle.db)).rows[0]!;
  // Textbook values: the closed forms at the edges (x = 0: high = 1 − 0.025^(1/n); x = 1: low =
  // 1 − 0.975^(1/n); x = n − 1: high = 0.975^(1/n); x = n: low = 0.025^(1/n)) and 5 of 10 from
  // the tables (Newcombe 1998, method 5: 0.1871 to 0.8129).
  const textbook: Array<[number, number, number | null, number | null, number]> = [
    [0, 10, 0, 1 - 0.025 ** (1 / 10), 1e-9],
    [10, 10, 0.025 ** (1 / 10), 1, 1e-9],
    [1, 29, 1 - 0.975 ** (1 / 29), null, 1e-9],
    [28, 29, null, 0.975 ** (1 / 29), 1e-9],
    [5, 10, 0.1871, 0.8129, 1e-4],
  ];
  for (const [x, n, low, high, tolerance] of textbook) {
    const got = await cp(x, n);
    if (low !== null) assertClose(got.low, low, `${x}/${n} low`, tolerance);
    if (high !== null) assertClose(got.high, high, `${x}/${n} high`, tolerance);
  }
  for (const [x, n] of [[2, 81], [1, 3], [7, 12], [40, 200]] as const) {
    const { low, high } = await cp(x, n);
    assertClose(binomialTails(x, n, low).atLeast, 0.025, `${x}/${n}: P(X ≥ x | low)`, 1e-9);
    assertClose(binomialTails(x, n, high).atMost, 0.025, `${x}/${n}: P(X ≤ x | high)`, 1e-9);
  }
});
