import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EffectDropoutSwapView } from '../../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../../db/effect-interaction.view';
import { assertClose } from './assert-close';
import { expectedInteractions, expectedSwaps, interactionKey, swapKey } from './expected-effects';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { cellValue } from './grid-groups';
import { ci95, mean, pairedTest, sd, tTwoSidedP } from './hand-statistics';

let fx: FixtureDatabase;
let swaps: EffectDropoutSwapView[];
let interactions: EffectInteractionView[];

before(async () => {
  fx = await openFixtureDatabase();
  swaps = await fx.handle.db.selectFrom('effect_dropout_swap').selectAll().execute();
  interactions = await fx.handle.db.selectFrom('effect_interaction').selectAll().execute();
});
after(async () => {
  await fx?.close();
});

const at = (d1: number, d2: number, w: number, epochs: number, seed: number) =>
  cellValue(fx.fixture, { sweepId: 'd2l-dropout', dropout1: d1, dropout2: d2, weightDecay: w, epochs }, seed, 'test_acc')!;

test('effect_dropout_swap compares each unordered pair once per weight decay, epochs and metric', () => {
  // 3 pairs (0/0.2, 0/0.5, 0.2/0.5) × 2 weight decays × 2 epochs × 2 metrics; quick has no swapped cells.
  assert.equal(swaps.length, 24);
  assert.ok(swaps.every((r) => r.dropout_a < r.dropout_b && r.sweep_id === 'd2l-dropout'));
});

test('effect_dropout_swap matches hand-computed paired t-tests and Holm adjustment', () => {
  const expected = expectedSwaps(fx.fixture);
  assert.equal(swaps.length, expected.size);
  for (const row of swaps) {
    const key = swapKey(row.sweep_id, row.metric, row.epochs, row.weight_decay, row.dropout_a, row.dropout_b);
    const e = expected.get(key);
    assert.ok(e, key);
    const ci = ci95(e.diffs);
    assert.equal(row.n, e.diffs.length, `${key} n`);
    assertClose(row.mean_ab, mean(e.ab), `${key} mean_ab`);
    assertClose(row.mean_ba, mean(e.ba), `${key} mean_ba`);
    assertClose(row.diff_mean, mean(e.diffs), `${key} diff_mean`);
    assertClose(row.diff_sd, sd(e.diffs), `${key} diff_sd`);
    assertClose(row.diff_ci_low, ci?.low, `${key} diff_ci_low`);
    assertClose(row.diff_ci_high, ci?.high, `${key} diff_ci_high`);
    assertClose(row.diff_t, pairedTest(e.diffs)?.t, `${key} diff_t`);
    assertClose(row.diff_p, e.p, `${key} diff_p`, 1e-9);
    assertClose(row.diff_p_holm, e.pHolm, `${key} diff_p_holm`, 1e-9);
  }
});

test('effect_dropout_swap pairs only the seeds present on both sides', () => {
  // Seed 3 of dropout1 = 0.5, dropout2 = 0.2 without weight decay stopped at epoch 2.
  const row = swaps.find((r) => r.metric === 'test_acc' && r.epochs === 4 && r.weight_decay === 0 && r.dropout_a === 0.2 && r.dropout_b === 0.5);
  assert.ok(row);
  assert.equal(row.n, 2);
  const [d1, d2] = [1, 2].map((seed) => at(0.2, 0.5, 0, 4, seed) - at(0.5, 0.2, 0, 4, seed)) as [number, number];
  // Two differences: mean (d1 + d2) / 2, sd |d1 − d2| / √2, t = mean / (sd / √2), one degree of freedom.
  const t = (d1 + d2) / 2 / (Math.abs(d1 - d2) / Math.sqrt(2) / Math.sqrt(2));
  assertClose(row.diff_t, t, 'diff_t');
  assertClose(row.diff_p, 1 - (2 / Math.PI) * Math.atan(Math.abs(t)), 'diff_p', 1e-9);
  assertClose(row.diff_p, tTwoSidedP(t, 1), 'diff_p (series)', 1e-9);
});

test('effect_dropout_swap multiplies the smallest p-value of a family by the family size', () => {
  const family = swaps.filter((r) => r.metric === 'test_acc' && r.epochs === 2);
  assert.equal(family.length, 6);
  const smallest = family.reduce((best, r) => (r.diff_p! < best.diff_p! ? r : best));
  assertClose(smallest.diff_p_holm, Math.min(1, 6 * smallest.diff_p!), 'holm of the smallest p', 1e-12);
  assert.ok(family.every((r) => r.diff_p_holm! >= r.diff_p! && r.diff_p_holm! <= 1));
});

test('effect_interaction has a row per dropout setting, positive weight decay, epochs and metric', () => {
  // 8 dropout settings other than (0, 0) × 1 positive weight decay × 2 epochs × 2 metrics.
  assert.equal(interactions.length, 32);
  assert.ok(interactions.every((r) => r.weight_decay > 0 && (r.dropout1 > 0 || r.dropout2 > 0) && r.sweep_id === 'd2l-dropout'));
});

test('effect_interaction matches hand-computed effects, interaction contrasts and Holm adjustment', () => {
  const expected = expectedInteractions(fx.fixture);
  assert.equal(interactions.length, expected.size);
  for (const row of interactions) {
    const key = interactionKey(row.sweep_id, row.metric, row.epochs, row.dropout1, row.dropout2, row.weight_decay);
    const x = expected.get(key);
    assert.ok(x, key);
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
    assertClose(row.interaction_p, x.p, `${key} interaction_p`, 1e-9);
    assertClose(row.interaction_p_holm, x.pHolm, `${key} interaction_p_holm`, 1e-9);
  }
});

test('effect_interaction computes value(d,w) − value(d,0) − value(0,w) + value(0,0) per seed', () => {
  const row = interactions.find((r) => r.metric === 'test_acc' && r.epochs === 2 && r.dropout1 === 0.2 && r.dropout2 === 0.5);
  assert.ok(row);
  const c = [1, 2, 3].map((s) => at(0.2, 0.5, 0.001, 2, s) - at(0.2, 0.5, 0, 2, s) - at(0, 0, 0.001, 2, s) + at(0, 0, 0, 2, s)) as [number, number, number];
  const m = (c[0] + c[1] + c[2]) / 3;
  const s = Math.sqrt(((c[0] - m) ** 2 + (c[1] - m) ** 2 + (c[2] - m) ** 2) / 2);
  const t = m / (s / Math.sqrt(3));
  assert.equal(row.n, 3);
  assertClose(row.interaction_mean, m, 'interaction_mean');
  assertClose(row.interaction_ci_high, m + (4.302652729749464 * s) / Math.sqrt(3), 'interaction_ci_high');
  // With 2 degrees of freedom the two-sided p-value is 1 − |t| / √(2 + t²).
  assertClose(row.interaction_p, 1 - Math.abs(t) / Math.sqrt(2 + t * t), 'interaction_p', 1e-9);
});

test('effect_interaction leaves p null and outside the Holm family when one seed has all four cells', () => {
  const family = interactions.filter((r) => r.metric === 'test_acc' && r.epochs === 4);
  const single = family.find((r) => r.dropout1 === 0.5 && r.dropout2 === 0.5);
  assert.ok(single);
  assert.equal(single.n, 1);
  assert.deepEqual([single.interaction_sd, single.interaction_p, single.interaction_p_holm], [null, null, null]);
  const tested = family.filter((r) => r.interaction_p !== null);
  assert.equal(tested.length, 7);
  const smallest = tested.reduce((best, r) => (r.interaction_p! < best.interaction_p! ? r : best));
  assertClose(smallest.interaction_p_holm, Math.min(1, 7 * smallest.interaction_p!), 'holm of the smallest p', 1e-12);
});
