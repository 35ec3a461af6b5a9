import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { assertClose } from './assert-close';
import { expectedInteractions, expectedSwaps, interactionKey, swapKey } from './expected-effects';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { holm } from './hand-statistics';

/*
 * The families of effect_dropout_swap and effect_interaction: p_holm over every row of a sweep
 * and metric at every epochs value, p_holm_epochs (= the old diff_p_holm / interaction_p_holm)
 * within one epochs value, and the sign-flip p where every difference is equal.
 */
let fx: FixtureDatabase;

before(async () => {
  fx = await openFixtureDatabase();
});
after(async () => {
  await fx?.close();
});

/** Holm over the expected p-values grouped by `familyOf`, keyed like the expectations. */
function holmBy<T extends { p: number | null }>(expected: Map<string, T>, familyOf: (key: string) => string): Map<string, number | null> {
  const families = new Map<string, string[]>();
  for (const key of expected.keys()) families.set(familyOf(key), [...(families.get(familyOf(key)) ?? []), key]);
  const out = new Map<string, number | null>();
  for (const keys of families.values()) {
    const adjusted = holm(keys.map((k) => expected.get(k)!.p));
    keys.forEach((k, i) => out.set(k, adjusted[i]!));
  }
  return out;
}

// Keys start sweep|metric|epochs|…: the whole family is the first two fields.
const sweepAndMetric = (key: string): string => key.split('|').slice(0, 2).join('|');

test('effect_dropout_swap adjusts p_holm over the sweep and metric at every epochs value and keeps diff_p_holm as p_holm_epochs', async () => {
  const expected = expectedSwaps(fx.fixture);
  const whole = holmBy(expected, sweepAndMetric);
  const rows = await fx.handle.db.selectFrom('effect_dropout_swap').selectAll().execute();
  assert.equal(rows.length, expected.size);
  for (const row of rows) {
    const key = swapKey(row.sweep_id, row.metric, row.epochs, row.weight_decay, row.dropout_a, row.dropout_b);
    const x = expected.get(key)!;
    assertClose(row.p_used, x.p, `${key} p_used`, 1e-9);
    assert.equal(row.p_test, x.p === null ? null : 't', `${key} p_test`);
    assertClose(row.p_holm, whole.get(key), `${key} p_holm`, 1e-9);
    assertClose(row.diff_p_holm, x.pHolm, `${key} diff_p_holm`, 1e-9);
    assert.equal(row.p_holm_epochs, row.diff_p_holm, `${key} p_holm_epochs`);
    // 3 pairs × 2 weight decays per epochs value, 2 epochs values, all with a p.
    assert.deepEqual([row.holm_m, row.holm_m_epochs], [12, 6], `${key} family sizes`);
  }
});

test('effect_interaction adjusts p_holm over the sweep and metric at every epochs value and keeps interaction_p_holm as p_holm_epochs', async () => {
  const expected = expectedInteractions(fx.fixture);
  const whole = holmBy(expected, sweepAndMetric);
  const rows = await fx.handle.db.selectFrom('effect_interaction').selectAll().execute();
  assert.equal(rows.length, expected.size);
  for (const row of rows) {
    const key = interactionKey(row.sweep_id, row.metric, row.epochs, row.dropout1, row.dropout2, row.weight_decay);
    const x = expected.get(key)!;
    assertClose(row.p_used, x.p, `${key} p_used`, 1e-9);
    assertClose(row.p_holm, whole.get(key), `${key} p_holm`, 1e-9);
    assertClose(row.interaction_p_holm, x.pHolm, `${key} interaction_p_holm`, 1e-9);
    assert.equal(row.p_holm_epochs, row.interaction_p_holm, `${key} p_holm_epochs`);
    assert.ok(row.holm_m >= row.holm_m_epochs);
  }
  // The n = 1 row (one seed has all four cells at epochs 4) tests nothing: its sign-flip p is 1
  // and it stays out of both families.
  const single = rows.find((r) => r.metric === 'test_acc' && r.epochs === 4 && r.dropout1 === 0.5 && r.dropout2 === 0.5)!;
  assert.deepEqual([single.n, single.interaction_p_sign_flip, single.p_used, single.p_holm, single.p_holm_epochs], [1, 1, null, null, null]);
  const family = rows.filter((r) => r.metric === 'test_acc');
  assert.equal(family[0]!.holm_m, family.filter((r) => r.p_used !== null).length);
});

test('effect_dropout_swap uses the sign-flip p when every seed shows the same difference, and keeps the row in its families', async () => {
  // Every seed of (0, 0.2) is exactly 0.0100 above (0.2, 0) at weight decay 0 and epochs 2.
  const ab = [0.8123, 0.8201, 0.7999];
  for (const [i, value] of ab.entries()) {
    for (const [d1, d2, v] of [[0, 0.2, value], [0.2, 0, Number((value - 0.01).toFixed(4))]] as const) {
      await sql`
        update epoch_metrics m set test_acc = ${v}
          from trial_results t
         where t.run_id = m.run_id and m.epoch = 2 and t.sweep_id = 'd2l-dropout' and t.epochs = 2
           and t.dropout1 = ${d1} and t.dropout2 = ${d2} and t.weight_decay = 0 and t.seed = ${i + 1}`.execute(fx.handle.db);
    }
  }
  const rows = await fx.handle.db.selectFrom('effect_dropout_swap').selectAll()
    .where('sweep_id', '=', 'd2l-dropout').where('metric', '=', 'test_acc').where('epochs', '=', 2).execute();
  const tie = rows.find((r) => r.weight_decay === 0 && r.dropout_a === 0 && r.dropout_b === 0.2)!;
  assert.equal(tie.n, 3);
  assertClose(tie.diff_mean, 0.01, 'diff_mean', 1e-12);
  assert.deepEqual([tie.diff_sd, tie.diff_t, tie.diff_p, tie.diff_ci_low, tie.p_test], [0, null, null, null, 'sign-flip']);
  // 2 of the 8 sign patterns reach |sum| = 3 × 0.01.
  assert.equal(tie.diff_p_sign_flip, 0.25);
  assert.equal(tie.p_used, 0.25);
  assert.deepEqual([tie.holm_m, tie.holm_m_epochs], [12, 6]);
  const adjusted = holm(rows.map((r) => r.p_used));
  rows.forEach((r, i) => assertClose(r.p_holm_epochs, adjusted[i], `p_holm_epochs ${r.weight_decay} ${r.dropout_a}/${r.dropout_b}`, 1e-12));
});
