import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonAvailability } from '../../db/comparison-availability-repository';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { EffectInteractionView } from '../../db/effect-interaction.view';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { assertClose } from './assert-close';
import { ci95, holm, mean, pairedTest, sd, signFlipP } from './hand-statistics';
import { loadOffsetGridFixture, mixedTestAcc, offsetValue } from './offset-grid-fixture';

/*
 * Grids without zeros and grids that cannot form a comparison: effect_interaction on the
 * lowest value of each axis, effect_vs_control's control there too, and comparison_availability's
 * reasons. Expected values come from the fixture's chosen numbers by explicit loops.
 */

let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  await migrateToLatest(handle.db);
  await loadOffsetGridFixture(handle.db);
});
after(async () => {
  await handle?.close();
  await testDb?.drop();
});

// The offset grid's lowest value of each axis, written out rather than derived.
const [b1, b2, bw] = [0.1, 0.2, 0.001];
const settings = [
  [0.1, 0.4],
  [0.3, 0.2],
  [0.3, 0.4],
] as const;
const metrics = ['test_acc', 'gap'] as const;

interface Expected {
  key: string;
  baseline: number[];
  dropout: number[];
  decay: number[];
  combined: number[];
  interaction: number[];
  pUsed: number | null;
}

function expectedInteractions(): Expected[] {
  const out: Expected[] = [];
  for (const metric of metrics) {
    for (const epochs of [1, 2]) {
      for (const [d1, d2] of settings) {
        const row: Expected = {
          key: [metric, epochs, d1, d2, 0.01].join('|'),
          baseline: [],
          dropout: [],
          decay: [],
          combined: [],
          interaction: [],
          pUsed: null,
        };
        for (const seed of [1, 2, 3]) {
          const v = (a: number, b: number, w: number) => offsetValue(a, b, w, epochs, seed, metric);
          const [v00, vd0, v0w, vdw] = [v(b1, b2, bw), v(d1, d2, bw), v(b1, b2, 0.01), v(d1, d2, 0.01)];
          if (v00 === undefined || vd0 === undefined || v0w === undefined || vdw === undefined) continue;
          row.baseline.push(v00);
          row.dropout.push(vd0 - v00);
          row.decay.push(v0w - v00);
          row.combined.push(vdw - v00);
          row.interaction.push(vdw - vd0 - v0w + v00);
        }
        // The t-test's p where defined; a single seed tests nothing.
        row.pUsed = row.interaction.length >= 2 ? (pairedTest(row.interaction)?.p ?? signFlipP(row.interaction)) : null;
        out.push(row);
      }
    }
  }
  return out;
}

async function interactionRows(): Promise<EffectInteractionView[]> {
  return handle.db.selectFrom('effect_interaction').selectAll().where('sweep_id', '=', 'offset').execute();
}

test('effect_interaction builds its 2×2 design on the lowest value of each axis when the grid has no zero', async () => {
  const rows = await interactionRows();
  const expected = expectedInteractions();
  assert.equal(rows.length, expected.length);
  for (const row of rows) {
    const key = [row.metric, row.epochs, row.dropout1, row.dropout2, row.weight_decay].join('|');
    const x = expected.find((e) => e.key === key);
    assert.ok(x, `unexpected row ${key}`);
    assert.equal(row.n, x.interaction.length, `${key} n`);
    assertClose(row.baseline_mean, mean(x.baseline), `${key} baseline_mean`);
    for (const [name, values] of [
      ['dropout_effect', x.dropout],
      ['weight_decay_effect', x.decay],
      ['combined_effect', x.combined],
      ['interaction', x.interaction],
    ] as const) {
      const ci = ci95(values);
      assertClose(row[`${name}_mean`], mean(values), `${key} ${name}_mean`);
      assertClose(row[`${name}_ci_low`], ci?.low, `${key} ${name}_ci_low`);
      assertClose(row[`${name}_ci_high`], ci?.high, `${key} ${name}_ci_high`);
    }
    assertClose(row.interaction_sd, sd(x.interaction), `${key} interaction_sd`);
    assertClose(row.interaction_t, pairedTest(x.interaction)?.t, `${key} interaction_t`);
    assertClose(row.p_used, x.pUsed, `${key} p_used`, 1e-9);
  }
});

test('effect_interaction names its baseline in every row of a grid without zeros', async () => {
  const rows = await interactionRows();
  assert.ok(rows.length > 0);
  for (const row of rows) {
    assert.deepEqual(
      [row.baseline_dropout1, row.baseline_dropout2, row.baseline_weight_decay, row.baseline_kind],
      [0.1, 0.2, 0.001, 'lowest value of each axis'],
    );
    assert.ok(row.weight_decay > bw && (row.dropout1 !== b1 || row.dropout2 !== b2));
  }
});

test('effect_interaction adjusts the fallback rows over the sweep and metric and within each epochs value', async () => {
  const rows = await interactionRows();
  const expected = expectedInteractions();
  const keyOf = (r: EffectInteractionView) => [r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay].join('|');
  for (const metric of metrics) {
    const whole = rows.filter((r) => r.metric === metric);
    const adjusted = holm(whole.map((r) => expected.find((e) => e.key === keyOf(r))!.pUsed));
    whole.forEach((r, i) => assertClose(r.p_holm, adjusted[i], `${keyOf(r)} p_holm`, 1e-9));
    // Two tested settings per epochs value (the n = 1 one stays out), two epochs values.
    assert.ok(whole.every((r) => r.holm_m === 4 && r.holm_m_epochs === 2));
    for (const epochs of [1, 2]) {
      const family = whole.filter((r) => r.epochs === epochs);
      const within = holm(family.map((r) => expected.find((e) => e.key === keyOf(r))!.pUsed));
      family.forEach((r, i) => assertClose(r.p_holm_epochs, within[i], `${keyOf(r)} p_holm_epochs`, 1e-9));
    }
  }
});

test('effect_interaction leaves a one-seed design untested when only one seed has all four cells', async () => {
  const rows = (await interactionRows()).filter((r) => r.dropout1 === 0.3 && r.dropout2 === 0.4);
  assert.equal(rows.length, 4);
  for (const row of rows) {
    const v = (a: number, b: number, w: number) => offsetValue(a, b, w, row.epochs, 2, row.metric)!;
    assert.equal(row.n, 1);
    assertClose(row.interaction_mean, v(0.3, 0.4, 0.01) - v(0.3, 0.4, bw) - v(b1, b2, 0.01) + v(b1, b2, bw), 'interaction_mean');
    assert.deepEqual(
      [row.interaction_sd, row.interaction_ci_low, row.interaction_t, row.interaction_p, row.interaction_p_sign_flip, row.p_used, row.p_holm],
      [null, null, null, null, 1, null, null],
    );
  }
});

test('effect_interaction takes the zero where an axis has one and the lowest value elsewhere, as effect_vs_control does', async () => {
  const rows = await handle.db.selectFrom('effect_interaction').selectAll().where('sweep_id', '=', 'mixed').where('metric', '=', 'test_acc').execute();
  const control = await handle.db
    .selectFrom('effect_vs_control')
    .select(['control_dropout1', 'control_dropout2', 'control_weight_decay', 'control_kind'])
    .where('sweep_id', '=', 'mixed')
    .distinct()
    .execute();
  assert.deepEqual(control, [{ control_dropout1: 0, control_dropout2: 0, control_weight_decay: 0.002, control_kind: 'lowest value of each axis' }]);
  assert.equal(rows.length, 1);
  const [row] = rows as [EffectInteractionView];
  assert.deepEqual(
    [row.dropout1, row.dropout2, row.weight_decay, row.baseline_dropout1, row.baseline_dropout2, row.baseline_weight_decay, row.baseline_kind],
    [0.5, 0, 0.02, 0, 0, 0.002, 'lowest value of each axis'],
  );
  // Per seed: value(0.5, 0.02) − value(0.5, 0.002) − value(0, 0.02) + value(0, 0.002).
  const contrasts = [0, 1].map(
    (i) => mixedTestAcc['0.5|0.02']![i]! - mixedTestAcc['0.5|0.002']![i]! - mixedTestAcc['0|0.02']![i]! + mixedTestAcc['0|0.002']![i]!,
  );
  assert.equal(row.n, 2);
  assertClose(row.interaction_mean, mean(contrasts), 'interaction_mean');
  assertClose(row.baseline_mean, mean([...mixedTestAcc['0|0.002']!]), 'baseline_mean');
  assertClose(row.p_used, pairedTest(contrasts)!.p, 'p_used', 1e-9);
});

test('effect_vs_control names the lowest value of each axis as its control when the grid has no zero', async () => {
  const rows = await handle.db.selectFrom('effect_vs_control').selectAll().where('sweep_id', '=', 'offset').execute();
  // 7 configurations other than the control × 2 epochs values × 2 metrics.
  assert.equal(rows.length, 28);
  for (const row of rows) {
    assert.deepEqual([row.control_dropout1, row.control_dropout2, row.control_weight_decay, row.control_kind], [0.1, 0.2, 0.001, 'lowest value of each axis']);
    const diffs = [1, 2, 3].flatMap((seed) => {
      const [x, c] = [
        offsetValue(row.dropout1, row.dropout2, row.weight_decay, row.epochs, seed, row.metric),
        offsetValue(b1, b2, bw, row.epochs, seed, row.metric),
      ];
      return x === undefined || c === undefined ? [] : [x - c];
    });
    const label = `${row.metric} ${row.epochs} ${row.dropout1}/${row.dropout2}/${row.weight_decay}`;
    assert.equal(row.n, diffs.length, `${label} n`);
    assertClose(row.diff_mean, mean(diffs), `${label} diff_mean`);
  }
});

test('effect_vs_control gives a one-pair comparison its difference and the sign-flip p of 1, without t or interval', async () => {
  const rows = await handle.db
    .selectFrom('effect_vs_control')
    .selectAll()
    .where('sweep_id', '=', 'offset')
    .where('dropout1', '=', 0.3)
    .where('dropout2', '=', 0.4)
    .where('weight_decay', '=', 0.01)
    .execute();
  assert.equal(rows.length, 4);
  for (const row of rows) {
    assert.equal(row.n, 1);
    assertClose(row.diff_mean, offsetValue(0.3, 0.4, 0.01, row.epochs, 2, row.metric)! - offsetValue(b1, b2, bw, row.epochs, 2, row.metric)!, 'diff_mean');
    assert.deepEqual(
      [row.df, row.diff_sd, row.diff_ci_low, row.diff_t, row.diff_p, row.diff_p_sign_flip, row.p_test],
      [null, null, null, null, null, 1, 'sign-flip'],
    );
  }
});

const swapReason = (d1: string, d2: string) =>
  `dropout_swap needs both (a, b) and (b, a) in the dropout grid for two rates a ≠ b; this grid has dropout1 ∈ ${d1}, dropout2 ∈ ${d2}`;
const noResultYet = 'no run has reached an epochs value of the grid yet';
const oneVariant = 'the grid has one variant (dropout lr=0.5): vs_variant needs at least two';
const noTestTimeDropout = 'test_time_dropout needs runs that evaluate with test-time dropout; every run of variant dropout lr=0.5 has eval_dropout_samples = 0';
/** Every sweep here is of the default variant and evaluates in inference mode only. */
const variantReasons = (sweep: string) => ({ [`${sweep} vs_variant`]: oneVariant, [`${sweep} test_time_dropout`]: noTestTimeDropout });

test('comparison_availability says why each comparison a grid cannot make or has no data for is empty', async () => {
  const rows = await handle.db.selectFrom('comparison_availability').select(['sweep_id', 'comparison', 'available', 'reason']).execute();
  const reasons = Object.fromEntries(rows.map((r) => [`${r.sweep_id} ${r.comparison}`, r.available ? null : r.reason]));
  assert.deepEqual(reasons, {
    'offset vs_control': null,
    'offset dropout_swap': swapReason('{0.1, 0.3}', '{0.2, 0.4}'),
    'offset interaction': null,
    ...variantReasons('offset'),
    'disjoint vs_control': 'no configuration has a result on a seed and epochs value where the control (dropout1 = 0, dropout2 = 0, weight_decay = 0) has one',
    'disjoint dropout_swap': swapReason('{0, 0.5}', '{0}'),
    'disjoint interaction':
      'no seed has results in all four cells (baseline, dropout alone, weight decay alone, both) at one epochs value; baseline: dropout1 = 0, dropout2 = 0, weight_decay = 0',
    ...variantReasons('disjoint'),
    'pending vs_control': noResultYet,
    'pending dropout_swap': noResultYet,
    'pending interaction': noResultYet,
    ...variantReasons('pending'),
    'decay-only vs_control': noResultYet,
    'decay-only dropout_swap': swapReason('{0.3}', '{0.3}'),
    'decay-only interaction': 'interaction needs at least two dropout settings; this grid has only dropout1 = 0.3, dropout2 = 0.3',
    ...variantReasons('decay-only'),
    'diverged vs_control':
      'every run of the control (dropout1 = 0.6, dropout2 = 0.6, weight_decay = 0) that reached an epochs value diverged (2 seed comparisons left out because a cell diverged)',
    'diverged dropout_swap': swapReason('{0.6, 0.7}', '{0.6}'),
    'diverged interaction': 'interaction needs at least two weight-decay values; this grid has weight_decay ∈ {0}',
    ...variantReasons('diverged'),
    'mixed vs_control': null,
    'mixed dropout_swap': swapReason('{0, 0.5}', '{0}'),
    'mixed interaction': null,
    ...variantReasons('mixed'),
    'single vs_control': null,
    'single dropout_swap': swapReason('{0.15, 0.25}', '{0.35}'),
    'single interaction': 'interaction needs at least two weight-decay values; this grid has weight_decay ∈ {0}',
    ...variantReasons('single'),
  });
});

test('comparison_availability counts the rows each effect view has for the sweep', async () => {
  const rows = await handle.db.selectFrom('comparison_availability').selectAll().execute();
  for (const row of rows) {
    const all = await handle.db.selectFrom(row.view_name).select('n').where('sweep_id', '=', row.sweep_id).execute();
    const label = `${row.sweep_id} ${row.comparison}`;
    assert.equal(row.rows, all.length, `${label} rows`);
    assert.equal(row.rows_with_pairs, all.filter((r) => r.n >= 1).length, `${label} rows_with_pairs`);
    assert.equal(row.max_n, all.length === 0 ? null : Math.max(...all.map((r) => r.n)), `${label} max_n`);
    assert.equal(row.available, row.rows_with_pairs > 0, `${label} available`);
    assert.equal(row.reason === null, row.available, `${label} reason set exactly when unavailable`);
  }
  // The disjoint sweep lists every configuration against the control, each with no pair.
  const disjoint = rows.find((r) => r.sweep_id === 'disjoint' && r.comparison === 'vs_control')!;
  assert.deepEqual([disjoint.rows, disjoint.rows_with_pairs, disjoint.max_n], [6, 0, 0]);
});

test('comparison_availability notes comparisons that rest on one seed each', async () => {
  const rows = await handle.db.selectFrom('comparison_availability').selectAll().where('available', '=', true).execute();
  const notes = Object.fromEntries(rows.map((r) => [`${r.sweep_id} ${r.comparison}`, r.note]));
  assert.deepEqual(notes, {
    'offset vs_control': null,
    'offset interaction': null,
    'mixed vs_control': null,
    'mixed interaction': null,
    'single vs_control': 'every comparison rests on one seed: intervals and p-values are null',
  });
});

test('comparisonAvailability returns vs_control, dropout_swap, interaction, vs_variant, test_time_dropout in that order, and nothing for an unknown sweep', async () => {
  const rows = await comparisonAvailability(handle.db, 'diverged');
  assert.deepEqual(
    rows.map((r) => r.comparison),
    ['vs_control', 'dropout_swap', 'interaction', 'vs_variant', 'test_time_dropout'],
  );
  assert.deepEqual(
    rows.map((r) => r.view_name),
    ['effect_vs_control', 'effect_dropout_swap', 'effect_interaction', 'effect_vs_variant', 'test_time_dropout'],
  );
  assert.deepEqual(
    rows.map((r) => r.n_excluded_diverged),
    [2, 0, 0, 0, 0],
  );
  assert.deepEqual(
    rows.map((r) => r.variant),
    ['dropout lr=0.5', 'dropout lr=0.5', 'dropout lr=0.5', null, 'dropout lr=0.5'],
  );
  assert.ok(rows.every((r) => r.sweep_id === 'diverged' && !r.available));
  assert.deepEqual(await comparisonAvailability(handle.db, 'no-such-sweep'), []);
});
