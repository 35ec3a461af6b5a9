import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { comparisonAvailability } from '../../db/comparison-availability-repository';
import { upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { toEpochRow } from '../../db/epoch-row';
import { runRowOf, trialRowOf } from '../../db/plan-rows';
import { linkSweepRuns, upsertRuns, upsertTrials } from '../../db/run-repository';
import { findBestTrialAtLargestEpochs, upsertSweep } from '../../db/sweep-repository';
import { byVariant } from '../../db/variant-order';
import { listTestTimeDropout, listVariantEffectsAtLargestEpochs } from '../../db/variant-repository';
import { expandRuns, expandTrials } from '../../domain/grid-expansion';
import type { RunPlan } from '../../domain/run-identity';
import { validateSpec } from '../../domain/spec-validation';
import { fixtureMetrics } from './analysis-fixture';
import { assertClose } from './assert-close';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { ci95, holm, mean, pairedTest, sd, signFlipP } from './hand-statistics';
import { isDiverged, loadVariantFixture, trialRun, lrVariantsSweep, variantEpoch, variantLabels, variantValues, variantsSweep } from './variant-fixture';

/*
 * The variant views against explicit loops over the values variant-fixture.ts writes: pairs and
 * groups stay within one variant, the Holm families count the comparisons of every variant, the
 * base variant follows its rule, and the new columns are written from the plans and the
 * training engine's metrics.
 */

let fx: FixtureDatabase;
let runs: RunPlan[];
const plainSweep = validateSpec({ name: 'plain', grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [1] }, seeds: [1] });

before(async () => {
  fx = await openFixtureDatabase();
  runs = await loadVariantFixture(fx.handle.db);
  const plainRuns = expandRuns(plainSweep);
  const plainTrials = expandTrials(plainSweep);
  await upsertSweep(fx.handle.db, { id: 'plain', name: 'plain', spec: JSON.stringify(plainSweep), trials: plainTrials.length, runs: plainRuns.length });
  await upsertRuns(fx.handle.db, plainRuns.map(runRowOf));
  await linkSweepRuns(
    fx.handle.db,
    'plain',
    plainRuns.map((r) => r.runId),
  );
  await upsertTrials(
    fx.handle.db,
    plainTrials.map((t) => trialRowOf('plain', t)),
  );
});
after(async () => {
  await fx?.close();
});

type Metric = 'test_acc' | 'gap';
const valueOf = (run: RunPlan, metric: Metric): number | undefined => {
  if (isDiverged(run)) return undefined;
  const v = variantValues(run);
  return metric === 'test_acc' ? v.testAcc : v.gap;
};
const runOf = (label: string, dropout1: number, seed: number): RunPlan => trialRun(runs, label, dropout1, seed);

/** sd with the views' rule: differences within 1e-12 of each other are equal (sd 0). */
const sdOfDiffs = (xs: number[]): number | null => (xs.length < 2 ? null : Math.max(...xs) - Math.min(...xs) <= 1e-12 ? 0 : sd(xs));

interface Expected {
  diffs: number[];
  a: number[];
  b: number[];
  pUsed: number | null;
}

/** Paired differences a − b over the seeds where both sides have a value, with the p the views test with. */
function paired(a: (seed: number) => number | undefined, b: (seed: number) => number | undefined): Expected {
  const out: Expected = { diffs: [], a: [], b: [], pUsed: null };
  for (const seed of [1, 2, 3]) {
    const x = a(seed);
    const y = b(seed);
    if (x === undefined || y === undefined) continue;
    out.diffs.push(x - y);
    out.a.push(x);
    out.b.push(y);
  }
  const s = sdOfDiffs(out.diffs);
  out.pUsed = s !== null && s > 0 ? pairedTest(out.diffs)!.p : signFlipP(out.diffs);
  return out;
}

test('runs and sweep_trials carry the regularizer, batch norm, learning rate and test-time dropout passes of their plans and trials', async () => {
  const db = fx.handle.db;
  const trials = [
    ...expandTrials(variantsSweep).map((t) => ({ ...t, sweepId: 'd2l-variants' })),
    ...expandTrials(lrVariantsSweep).map((t) => ({ ...t, sweepId: 'lr-variants' })),
  ];
  const trialRows = await db
    .selectFrom('sweep_trials')
    .select(['sweep_id', 'trial_key', 'run_id', 'regularizer', 'batch_norm', 'lr'])
    .where('sweep_id', 'in', ['d2l-variants', 'lr-variants'])
    .orderBy(sql`sweep_id collate "C"`, 'desc')
    .orderBy(sql`trial_key collate "C"`)
    .execute();
  const byKey = (a: { sweep_id: string; trial_key: string }, b: { sweep_id: string; trial_key: string }) =>
    (a.sweep_id < b.sweep_id ? 1 : a.sweep_id > b.sweep_id ? -1 : 0) || (a.trial_key < b.trial_key ? -1 : 1);
  assert.deepEqual(
    trialRows,
    trials
      .map((t) => ({ sweep_id: t.sweepId, trial_key: t.trialKey, run_id: t.runId, regularizer: t.regularizer, batch_norm: t.batchNorm, lr: t.lr }))
      .sort(byKey),
  );
  // dropconnect's trials at rate 0 read the dropout run: the trial names its variant, the run its model.
  assert.ok(trialRows.some((t) => t.regularizer === 'dropconnect' && runs.find((r) => r.runId === t.run_id)?.regularizer === 'dropout'));

  const plans = [...runs, ...expandRuns(lrVariantsSweep)];
  const runRows = await db
    .selectFrom('runs')
    .select(['id', 'regularizer', 'batch_norm', 'lr', 'eval_dropout_samples'])
    .where(
      'id',
      'in',
      plans.map((p) => p.runId),
    )
    .orderBy(sql`id collate "C"`)
    .execute();
  assert.deepEqual(
    runRows,
    plans
      .map((p) => ({ id: p.runId, regularizer: p.regularizer, batch_norm: p.batchNorm, lr: p.lr, eval_dropout_samples: p.evalDropoutSamples }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  );
  assert.deepEqual([...new Set(runRows.map((r) => r.eval_dropout_samples))].sort(), [0, 4]);
});

test('epoch_metrics holds the test-time dropout accuracies and time the training engine reported, and nulls in the diverged epoch', async () => {
  const rows = await fx.handle.db
    .selectFrom('epoch_metrics')
    .select(['run_id', 'test_acc_dropout', 'test_acc_mc_dropout', 'eval_dropout_seconds', 'diverged'])
    .where(
      'run_id',
      'in',
      runs.map((r) => r.runId),
    )
    .execute();
  assert.equal(rows.length, runs.length);
  for (const row of rows) {
    const run = runs.find((r) => r.runId === row.run_id)!;
    const expected = isDiverged(run)
      ? { test_acc_dropout: null, test_acc_mc_dropout: null, eval_dropout_seconds: null, diverged: true }
      : { test_acc_dropout: variantValues(run).dropout, test_acc_mc_dropout: variantValues(run).mc, eval_dropout_seconds: 2.5, diverged: false };
    assert.deepEqual({ ...row, run_id: undefined }, { run_id: undefined, ...expected });
  }
});

test('toEpochRow leaves the test-time dropout columns null for a run that evaluates in inference mode only', () => {
  const { testAccDropout: _d, testAccMcDropout: _m, evalDropoutSeconds: _s, ...inferenceOnly } = variantEpoch(runs[0]!);
  const row = toEpochRow('run-x', inferenceOnly, 'w');
  assert.deepEqual([row.test_acc_dropout, row.test_acc_mc_dropout, row.eval_dropout_seconds], [null, null, null]);
  assert.equal(row.test_acc, inferenceOnly.testAcc);
});

test('the schema rejects an unknown regularizer, more than 100 passes, and test-time dropout columns that are partial, non-finite or in a diverged row', async () => {
  const db = fx.handle.db;
  const run = runOf('dropout lr=0.5', 0.5, 1);
  await assert.rejects(sql`update runs set regularizer = 'dropblock' where id = ${run.runId}`.execute(db), /runs_regularizer_valid/);
  await assert.rejects(sql`update sweep_trials set regularizer = 'dropblock' where run_id = ${run.runId}`.execute(db), /sweep_trials_regularizer_valid/);
  await assert.rejects(sql`update runs set eval_dropout_samples = 101 where id = ${run.runId}`.execute(db), /runs_eval_dropout_samples_range/);
  await assert.rejects(sql`update runs set eval_dropout_samples = -1 where id = ${run.runId}`.execute(db), /runs_eval_dropout_samples_range/);
  await assert.rejects(
    sql`update epoch_metrics set test_acc_mc_dropout = null where run_id = ${run.runId}`.execute(db),
    /epoch_metrics_test_time_dropout_whole/,
  );
  await assert.rejects(
    sql`update epoch_metrics set test_acc_dropout = 'NaN' where run_id = ${run.runId}`.execute(db),
    /epoch_metrics_test_time_dropout_finite/,
  );
  await assert.rejects(
    upsertEpochMetrics(db, { ...fixtureMetrics(run, 1), test_acc_dropout: Number.POSITIVE_INFINITY, test_acc_mc_dropout: 0.8, eval_dropout_seconds: 1 }),
    /epoch_metrics_test_time_dropout_finite/,
  );
  const diverged = runs.find(isDiverged)!;
  await assert.rejects(
    sql`update epoch_metrics set test_acc_dropout = 0.5, test_acc_mc_dropout = 0.5, eval_dropout_seconds = 1 where run_id = ${diverged.runId}`.execute(db),
    /epoch_metrics_test_time_dropout_diverged/,
  );
});

test('regsweep_variant_label writes <regularizer>[+batchnorm] lr=<lr> with the shortest exact lr whatever the session prints', async () => {
  const labels = await fx.handle.db.transaction().execute(async (tx) => {
    await sql`set local extra_float_digits = 0`.execute(tx);
    const { rows } = await sql<{ a: string; b: string; c: string; plain: string }>`
      select regsweep_variant_label('dropconnect', true, 0.1) as a,
             regsweep_variant_label('dropout', false, 0.5) as b,
             regsweep_variant_label('gaussian', false, 1.0::float8 / 3) as c,
             (1.0::float8 / 3)::text as plain`.execute(tx);
    return rows[0];
  });
  // The session itself prints a third rounded to 15 digits; the label keeps every digit.
  assert.deepEqual(labels, { a: 'dropconnect+batchnorm lr=0.1', b: 'dropout lr=0.5', c: `gaussian lr=${1 / 3}`, plain: '0.333333333333333' });
  const trialLabels = await fx.handle.db
    .selectFrom('trial_results')
    .select('variant')
    .where('sweep_id', '=', 'd2l-variants')
    .groupBy('variant')
    .orderBy(byVariant)
    .execute();
  assert.deepEqual(
    trialLabels.map((r) => r.variant),
    [...variantLabels].sort(),
  );
});

for (const metric of ['test_acc', 'gap'] as const) {
  test(`effect_vs_variant pairs each variant with the base variant by seed on ${metric}, Holm over the sweep's variant comparisons`, async () => {
    const rows = (await listVariantEffectsAtLargestEpochs(fx.handle.db, 'd2l-variants')).filter((r) => r.metric === metric);
    // dropconnect at rate 0 reads the base's own run: no comparison.
    const points = variantLabels.slice(1).flatMap((label) => [0, 0.5].map((dropout1) => ({ label, dropout1 })));
    const compared = points.filter(({ label, dropout1 }) => runOf(label, dropout1, 1).runId !== runOf(variantLabels[0], dropout1, 1).runId);
    assert.equal(compared.length, 5);
    const expected = compared.map(({ label, dropout1 }) => ({
      label,
      dropout1,
      ...paired(
        (seed) => valueOf(runOf(label, dropout1, seed), metric),
        (seed) => valueOf(runOf(variantLabels[0], dropout1, seed), metric),
      ),
    }));
    const adjusted = holm(expected.map((e) => e.pUsed));
    assert.deepEqual(
      rows.map((r) => [r.variant, r.dropout1]),
      expected.map((e) => [e.label, e.dropout1]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0) || Number(a[1]) - Number(b[1])),
    );
    for (const r of rows) {
      const i = expected.findIndex((e) => e.label === r.variant && e.dropout1 === r.dropout1);
      const e = expected[i]!;
      const label = `${r.variant} dropout1=${r.dropout1}`;
      assert.equal(r.base_variant, 'dropout lr=0.5', label);
      assert.deepEqual([r.base_regularizer, r.base_batch_norm, r.base_lr], ['dropout', false, 0.5], label);
      assert.equal(r.n, e.diffs.length, label);
      assert.equal(r.n_excluded_diverged, r.variant === 'dropconnect lr=0.5' && r.dropout1 === 0.5 ? 1 : 0, label);
      assert.equal(r.interval_informative, e.diffs.length >= 3, label);
      assertClose(r.variant_mean, mean(e.a), `${label} variant_mean`);
      assertClose(r.base_mean, mean(e.b), `${label} base_mean`);
      assertClose(r.diff_mean, mean(e.diffs), `${label} diff_mean`);
      const s = sdOfDiffs(e.diffs);
      assertClose(r.diff_sd, s, `${label} diff_sd`);
      const ci = s !== null && s > 0 ? ci95(e.diffs) : null;
      assertClose(r.diff_ci_low, ci ? Math.max(ci.low, metric === 'gap' ? -2 : -1) : null, `${label} diff_ci_low`);
      assertClose(r.diff_ci_high, ci ? Math.min(ci.high, metric === 'gap' ? 2 : 1) : null, `${label} diff_ci_high`);
      assertClose(r.diff_p_sign_flip, signFlipP(e.diffs), `${label} sign-flip p`);
      assert.equal(r.p_test, s !== null && s > 0 ? 't' : 'sign-flip', label);
      assertClose(r.p_used, e.pUsed, `${label} p_used`);
      assertClose(r.p_holm, adjusted[i]!, `${label} p_holm`);
      assert.equal(r.holm_m, 5, label);
      assertClose(r.p_holm_epochs, adjusted[i]!, `${label} p_holm_epochs`);
      assert.equal(r.holm_m_epochs, 5, label);
    }
  });
}

test('effect_vs_variant takes the first regularizer, batch norm and the lowest lr as the base when the sweep lacks dropout, no batch norm and lr 0.5', async () => {
  const rows = await fx.handle.db
    .selectFrom('effect_vs_variant')
    .select(['variant', 'regularizer', 'batch_norm', 'lr', 'base_variant', 'base_regularizer', 'base_batch_norm', 'base_lr', 'n', 'p_used', 'holm_m'])
    .where('sweep_id', '=', 'lr-variants')
    .where('metric', '=', 'test_acc')
    .orderBy(byVariant)
    .execute();
  const base = {
    base_variant: 'additive-gaussian+batchnorm lr=0.05',
    base_regularizer: 'additive-gaussian',
    base_batch_norm: true,
    base_lr: 0.05,
    n: 0,
    p_used: null,
    holm_m: 0,
  };
  assert.deepEqual(rows, [
    { variant: 'additive-gaussian+batchnorm lr=0.1', regularizer: 'additive-gaussian', batch_norm: true, lr: 0.1, ...base },
    { variant: 'gaussian+batchnorm lr=0.05', regularizer: 'gaussian', batch_norm: true, lr: 0.05, ...base },
    { variant: 'gaussian+batchnorm lr=0.1', regularizer: 'gaussian', batch_norm: true, lr: 0.1, ...base },
  ]);
});

test('effect_vs_control pairs each variant with its own control, and its Holm family counts every variant', async () => {
  const rows = await fx.handle.db
    .selectFrom('effect_vs_control')
    .selectAll()
    .where('sweep_id', '=', 'd2l-variants')
    .where('metric', '=', 'test_acc')
    .orderBy(byVariant)
    .execute();
  const labels = [...variantLabels].sort();
  const expected = labels.map((label) =>
    paired(
      (seed) => valueOf(runOf(label, 0.5, seed), 'test_acc'),
      (seed) => valueOf(runOf(label, 0, seed), 'test_acc'),
    ),
  );
  const adjusted = holm(expected.map((e) => e.pUsed));
  assert.deepEqual(
    rows.map((r) => [r.variant, r.dropout1, r.control_dropout1]),
    labels.map((l) => [l, 0.5, 0]),
  );
  rows.forEach((r, i) => {
    const e = expected[i]!;
    assert.equal(r.n, e.diffs.length, r.variant);
    assertClose(r.diff_mean, mean(e.diffs), `${r.variant} diff_mean`);
    assertClose(r.p_used, e.pUsed, `${r.variant} p_used`);
    assert.equal(r.holm_m, 4, r.variant);
    assertClose(r.p_holm, adjusted[i]!, `${r.variant} p_holm`);
  });
});

test('test_time_dropout gives each variant and grid point the mean accuracies and the paired MC and one-pass differences with their 95% t-intervals', async () => {
  const rows = await listTestTimeDropout(fx.handle.db, 'd2l-variants');
  const labels = [...variantLabels].sort();
  assert.deepEqual(
    rows.map((r) => [r.variant, r.dropout1]),
    labels.flatMap((l) => [
      [l, 0],
      [l, 0.5],
    ]),
  );
  for (const r of rows) {
    const label = `${r.variant} dropout1=${r.dropout1}`;
    const seeds = [1, 2, 3].map((s) => runOf(r.variant, r.dropout1, s)).filter((run) => !isDiverged(run));
    const v = seeds.map((run) => variantValues(run));
    assert.deepEqual([r.eval_dropout_samples, r.trials, r.n, r.n_diverged, r.epochs], [4, 3, seeds.length, 3 - seeds.length, 1], label);
    assert.equal(r.interval_informative, seeds.length >= 3, label);
    assertClose(r.test_acc_mean, mean(v.map((x) => x.testAcc)), `${label} test_acc_mean`);
    assertClose(r.test_acc_dropout_mean, mean(v.map((x) => x.dropout)), `${label} test_acc_dropout_mean`);
    assertClose(r.test_acc_mc_dropout_mean, mean(v.map((x) => x.mc)), `${label} test_acc_mc_dropout_mean`);
    for (const [name, diffs] of [
      ['mc_minus_inference', v.map((x) => x.mc - x.testAcc)],
      ['one_pass_minus_inference', v.map((x) => x.dropout - x.testAcc)],
    ] as const) {
      const ci = ci95(diffs)!;
      const row = r as unknown as Record<string, number>;
      assertClose(row[`${name}_mean`], mean(diffs), `${label} ${name}_mean`);
      assertClose(row[`${name}_sd`], sd(diffs), `${label} ${name}_sd`);
      assertClose(row[`${name}_ci_low`], ci.low, `${label} ${name}_ci_low`);
      assertClose(row[`${name}_ci_high`], ci.high, `${label} ${name}_ci_high`);
    }
  }
  assert.deepEqual(await listTestTimeDropout(fx.handle.db, 'lr-variants'), []);
});

test('the dashboard functions keep to the variants p_variants names, and give every variant when it is null', async () => {
  const db = fx.handle.db;
  const one = await sql<{ axis: string; level: number; n: number; test_acc_effect: number; variant: string }>`
    select axis, level, n, test_acc_effect, variant from regsweep_main_effect('d2l-variants', '1', null, array['dropconnect lr=0.5'])`.execute(db);
  assert.deepEqual([...new Set(one.rows.map((r) => r.variant))], ['dropconnect lr=0.5']);
  const effect = one.rows.find((r) => r.axis === 'dropout1' && r.level === 0.5)!;
  const diffs = [1, 2].map((s) => valueOf(runOf('dropconnect lr=0.5', 0.5, s), 'test_acc')! - valueOf(runOf('dropconnect lr=0.5', 0, s), 'test_acc')!);
  assert.equal(effect.n, 2);
  assertClose(effect.test_acc_effect, mean(diffs), 'dropconnect dropout1=0.5 main effect');
  const all = await sql<{ variant: string }>`select distinct variant from regsweep_main_effect('d2l-variants', '1') order by variant`.execute(db);
  assert.deepEqual(
    all.rows.map((r) => r.variant),
    [...variantLabels].sort(),
  );

  const curve = await sql<{ epoch: number; runs_dropout: number; test_acc_dropout: number; variant: string }>`
    select epoch, runs_dropout, test_acc_dropout, variant from regsweep_epoch_curve('d2l-variants', null, 'mean', array['dropout+batchnorm lr=0.5'])`.execute(
    db,
  );
  const expectedAcc = mean([1, 2, 3].map((s) => valueOf(runOf('dropout+batchnorm lr=0.5', 0.5, s), 'test_acc')!));
  assert.equal(curve.rows.length, 1);
  assert.deepEqual(
    { ...curve.rows[0], test_acc_dropout: undefined },
    { epoch: 1, runs_dropout: 3, test_acc_dropout: undefined, variant: 'dropout+batchnorm lr=0.5' },
  );
  assertClose(curve.rows[0]!.test_acc_dropout, expectedAcc, 'epoch curve test accuracy with dropout');

  const norms = await sql<{
    variant: string;
  }>`select variant from regsweep_weight_norm_curve('d2l-variants', null, 'mean', array['dropout lr=0.5', 'dropconnect lr=0.5'])`.execute(db);
  assert.deepEqual(norms.rows.map((r) => r.variant).sort(), ['dropconnect lr=0.5', 'dropout lr=0.5']);
});

test('comparison_availability says why vs_variant and test_time_dropout have no rows, and reports the within-variant comparisons per variant', async () => {
  const db = fx.handle.db;
  const reasons = async (sweepId: string) =>
    (await comparisonAvailability(db, sweepId)).map((r) => ({ comparison: r.comparison, variant: r.variant, available: r.available, reason: r.reason }));

  const plain = await reasons('plain');
  assert.deepEqual(plain.slice(3), [
    { comparison: 'vs_variant', variant: null, available: false, reason: 'the grid has one variant (dropout lr=0.5): vs_variant needs at least two' },
    {
      comparison: 'test_time_dropout',
      variant: 'dropout lr=0.5',
      available: false,
      reason: 'test_time_dropout needs runs that evaluate with test-time dropout; every run of variant dropout lr=0.5 has eval_dropout_samples = 0',
    },
  ]);

  const lr = await reasons('lr-variants');
  assert.deepEqual(
    lr.filter((r) => r.comparison === 'vs_variant'),
    [{ comparison: 'vs_variant', variant: null, available: false, reason: 'no run has reached an epochs value of the grid yet' }],
  );
  assert.deepEqual(
    lr.filter((r) => r.comparison === 'test_time_dropout').map((r) => r.variant),
    ['additive-gaussian+batchnorm lr=0.05', 'additive-gaussian+batchnorm lr=0.1', 'gaussian+batchnorm lr=0.05', 'gaussian+batchnorm lr=0.1'],
  );

  const variants = await comparisonAvailability(db, 'd2l-variants');
  const labels = [...variantLabels].sort();
  assert.deepEqual(
    variants.map((r) => [r.comparison, r.variant, r.available]),
    [
      ...labels.map((l) => ['vs_control', l, true]),
      ...labels.map((l) => ['dropout_swap', l, false]),
      ...labels.map((l) => ['interaction', l, false]),
      ['vs_variant', null, true],
      ...labels.map((l) => ['test_time_dropout', l, true]),
    ],
  );
  const vsVariant = variants.find((r) => r.comparison === 'vs_variant')!;
  assert.deepEqual(
    [vsVariant.view_name, vsVariant.rows, vsVariant.rows_with_pairs, vsVariant.max_n, vsVariant.n_excluded_diverged],
    ['effect_vs_variant', 10, 10, 3, 1],
  );
});

test('findBestTrialAtLargestEpochs averages seeds within one variant and names the variant of the best grid point', async () => {
  const groups = [...variantLabels].flatMap((label) =>
    [0, 0.5].map((dropout1) => {
      const values = [1, 2, 3].map((seed) => valueOf(runOf(label, dropout1, seed), 'test_acc')).filter((v): v is number => v !== undefined);
      return { label, dropout1, seeds: values.length, mean: mean(values) };
    }),
  );
  const top = groups.reduce((a, b) => (b.mean > a.mean ? b : a));
  const best = await findBestTrialAtLargestEpochs(fx.handle.db, 'd2l-variants');
  assert.deepEqual(
    { ...best, test_acc: undefined },
    { dropout1: top.dropout1, dropout2: 0, weight_decay: 0, epochs: 1, variant: top.label, test_acc: undefined, seeds: top.seeds },
  );
  assertClose(best!.test_acc, top.mean, 'best mean test accuracy');
});
