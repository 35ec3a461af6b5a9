import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { recordDivergedEpoch, upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { runRowOf, trialRowOf } from '../../db/plan-rows';
import { linkSweepRuns, markRunDiverged, upsertRuns, upsertTrials } from '../../db/run-repository';
import { upsertSweep } from '../../db/sweep-repository';
import { expandRuns, expandTrials } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { fixtureMetrics } from './analysis-fixture';
import { assertClose } from './assert-close';
import { loadNoZeroSweep, noZeroSweep, noZeroValue } from './control-fixture';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { fUpperPEvenDf1, oneWayAnova } from './hand-statistics';

let fx: FixtureDatabase;

/* One seed per configuration: no seed variance (df2 = 0). */
const oneSeedSweep = validateSpec({ name: 'one-seed', grid: { dropout1: [0.1, 0.2], dropout2: [0], weightDecay: [0], epochs: [1] }, seeds: [1] });
/* Two seeds per configuration with test accuracies equal across seeds: seed variance 0 for test_acc only. */
const flatSweep = validateSpec({ name: 'flat', grid: { dropout1: [0.1, 0.2], dropout2: [0], weightDecay: [0], epochs: [1] }, seeds: [1, 2] });

async function loadSweep(db: Kysely<Database>, spec: typeof oneSeedSweep): Promise<void> {
  const runs = expandRuns(spec);
  const trials = expandTrials(spec);
  await upsertSweep(db, { id: spec.name, name: spec.name, spec: JSON.stringify(spec), trials: trials.length, runs: runs.length });
  await upsertRuns(db, runs.map(runRowOf));
  await linkSweepRuns(db, spec.name, runs.map((r) => r.runId));
  await upsertTrials(db, trials.map((t) => trialRowOf(spec.name, t)));
  for (const run of runs) await upsertEpochMetrics(db, { ...fixtureMetrics(run, 1), test_acc: 0.8 + run.dropout1 / 10 });
}

before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
  await loadSweep(fx.handle.db, oneSeedSweep);
  await loadSweep(fx.handle.db, flatSweep);
});
after(async () => {
  await fx?.close();
});

async function fPvalue(f: number, df1: number, df2: number): Promise<number | null> {
  const r = await sql<{ p: number | null }>`select regsweep_f_pvalue(${f}::float8, ${df1}::integer, ${df2}::integer) as p`.execute(fx.handle.db);
  return r.rows[0]!.p;
}

function noiseRow(sweepId: string, metric: 'test_acc' | 'gap') {
  return fx.handle.db.selectFrom('noise_diagnostic').selectAll().where('sweep_id', '=', sweepId).where('metric', '=', metric).where('epochs', '=', 1).executeTakeFirstOrThrow();
}

test('regsweep_f_pvalue returns the textbook upper-tail probabilities at F critical values', async () => {
  assertClose(await fPvalue(4.0662, 3, 8), 0.05, 'F(0.95; 3, 8) = 4.0662', 1e-5);
  assertClose(await fPvalue(7.5594, 2, 10), 0.01, 'F(0.99; 2, 10) = 7.5594', 1e-5);
  assertClose(await fPvalue(4.3512, 1, 20), 0.05, 'F(0.95; 1, 20) = 4.3512', 1e-5);
  assertClose(await fPvalue(0, 4, 9), 1, 'F = 0', 1e-15);
  assert.equal(await fPvalue(1, 0, 9), null);
  assert.equal(await fPvalue(1, 4, 0), null);
});

test('regsweep_f_pvalue agrees with the closed form for even df1', async () => {
  for (const [f, df1, df2] of [[0.3, 2, 5], [1.7, 4, 9], [3.2, 6, 12], [12, 2, 30], [2.5, 8, 3]] as const) {
    assertClose(await fPvalue(f, df1, df2), fUpperPEvenDf1(f, df1, df2), `F = ${f} on (${df1}, ${df2})`, 1e-12);
  }
});

for (const metric of ['test_acc', 'gap'] as const) {
  test(`noise_diagnostic matches a hand ANOVA of the no-zero sweep's ${metric} with unequal seeds per configuration`, async () => {
    const groups = noZeroSweep.grid.dropout1
      .map((d1) => [1, 2, 3, 4].map((seed) => noZeroValue(d1, seed, metric)).filter((v): v is number => v !== undefined))
      .filter((g) => g.length > 0);
    const hand = oneWayAnova(groups);
    const row = await noiseRow('no-zero', metric);
    assert.deepEqual([row.k, row.n, row.n_diverged, row.df1, row.df2, row.note], [5, 14, 0, 4, 9, null]);
    assertClose(row.f, hand.f, 'F', 1e-9);
    assertClose(row.p, fUpperPEvenDf1(hand.f, 4, 9), 'p', 1e-12);
  });
}

test('noise_diagnostic leaves F and p null and says why when every configuration has one run', async () => {
  const row = await noiseRow('one-seed', 'test_acc');
  assert.deepEqual([row.k, row.n, row.df1, row.df2, row.f, row.p], [2, 2, 1, 0, null, null]);
  assert.match(row.note!, /single run.*df2 = 0/);
});

test('noise_diagnostic leaves F and p null and says why when the seed variance is 0', async () => {
  const row = await noiseRow('flat', 'test_acc');
  assert.deepEqual([row.k, row.n, row.df1, row.df2, row.f, row.p], [2, 4, 1, 2, null, null]);
  assert.match(row.note!, /seed variance is 0/);
  const gap = await noiseRow('flat', 'gap');
  assert.equal(gap.note, null);
  assert.ok(gap.f !== null && gap.p !== null);
});

test('noise_diagnostic leaves a diverged run out and counts it in n_diverged', async () => {
  const run = expandRuns(noZeroSweep).find((r) => r.dropout1 === 0.2 && r.seed === 2)!;
  await fx.handle.db.transaction().execute(async (tx) => {
    await sql`delete from epoch_metrics where run_id = ${run.runId}`.execute(tx);
    await recordDivergedEpoch(tx, run.runId, 1, 'wasm', 'test-worker');
    await markRunDiverged(tx, run.runId, 1, 'training diverged at epoch 1');
  });
  const groups = noZeroSweep.grid.dropout1
    .map((d1) => [1, 2, 3, 4].filter((seed) => !(d1 === 0.2 && seed === 2)).map((seed) => noZeroValue(d1, seed, 'test_acc')).filter((v): v is number => v !== undefined))
    .filter((g) => g.length > 0);
  const hand = oneWayAnova(groups);
  const row = await noiseRow('no-zero', 'test_acc');
  assert.deepEqual([row.k, row.n, row.n_diverged, row.df1, row.df2], [5, 13, 1, 4, 8]);
  assertClose(row.f, hand.f, 'F', 1e-9);
  assertClose(row.p, fUpperPEvenDf1(hand.f, 4, 8), 'p', 1e-12);
});
