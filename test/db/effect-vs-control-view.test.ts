import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { EffectVsControlView } from '../../db/effect-vs-control.view';
import { mainSweep, sharedSweep } from './analysis-fixture';
import { assertClose } from './assert-close';
import { loadNoZeroSweep, noZeroSweep, noZeroValue } from './control-fixture';
import { expectedVsControl, vsControlKey, type ExpectedVsControl, type ValueOf } from './expected-vs-control';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { cellValue } from './grid-groups';
import { holm, mean, signFlipP, tTwoSidedP } from './hand-statistics';

let fx: FixtureDatabase;
let rows: EffectVsControlView[];
let expected: Map<string, ExpectedVsControl>;

before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
  rows = await fx.handle.db.selectFrom('effect_vs_control').selectAll().execute();
  const fromFixture = (sweepId: string): ValueOf => (point, seed, metric) => cellValue(fx.fixture, { sweepId, ...point }, seed, metric);
  expected = expectedVsControl([
    { spec: mainSweep, valueOf: fromFixture(mainSweep.name) },
    { spec: sharedSweep, valueOf: fromFixture(sharedSweep.name) },
    { spec: noZeroSweep, valueOf: (point, seed, metric) => noZeroValue(point.dropout1, seed, metric) },
  ]);
});
after(async () => {
  await fx?.close();
});

const row = (sweepId: string, metric: string, epochs: number, d1: number, d2: number, w: number): EffectVsControlView => {
  const found = rows.find((r) => vsControlKey(r.sweep_id, r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay) === vsControlKey(sweepId, metric, epochs, d1, d2, w));
  assert.ok(found, vsControlKey(sweepId, metric, epochs, d1, d2, w));
  return found;
};

test('effect_vs_control has a row for every grid point but the control, per metric and epochs value', () => {
  // d2l-dropout: 18 grid points − control, × 2 epochs × 2 metrics; quick: (4 − 1) × 2; no-zero: (5 − 1) × 2.
  assert.equal(rows.filter((r) => r.sweep_id === 'd2l-dropout').length, 17 * 2 * 2);
  assert.equal(rows.filter((r) => r.sweep_id === 'quick').length, 3 * 2);
  assert.equal(rows.filter((r) => r.sweep_id === 'no-zero').length, 4 * 2);
  assert.equal(rows.length, expected.size);
});

test('effect_vs_control matches an independent computation of every column', () => {
  for (const r of rows) {
    const key = vsControlKey(r.sweep_id, r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay);
    const e = expected.get(key);
    assert.ok(e, key);
    assert.deepEqual([r.control_dropout1, r.control_dropout2, r.control_weight_decay], e.control, `${key} control`);
    assert.equal(r.n, e.diffs.length, `${key} n`);
    assert.equal(r.df, e.diffs.length >= 2 ? e.diffs.length - 1 : null, `${key} df`);
    assertClose(r.config_mean, e.config.length ? mean(e.config) : null, `${key} config_mean`);
    assertClose(r.control_mean, e.controlValues.length ? mean(e.controlValues) : null, `${key} control_mean`);
    assertClose(r.diff_mean, e.diffs.length ? mean(e.diffs) : null, `${key} diff_mean`);
    assertClose(r.diff_sd, e.sd, `${key} diff_sd`);
    assertClose(r.diff_ci_low, e.ci?.low, `${key} diff_ci_low`);
    assertClose(r.diff_ci_high, e.ci?.high, `${key} diff_ci_high`);
    assert.equal(r.diff_ci_clipped, e.ci?.clipped ?? false, `${key} diff_ci_clipped`);
    assertClose(r.diff_t, e.t, `${key} diff_t`);
    assertClose(r.diff_p, e.p, `${key} diff_p`, 1e-9);
    assertClose(r.diff_p_sign_flip, e.pSignFlip, `${key} diff_p_sign_flip`, 1e-15);
    assert.equal(r.p_test, e.p !== null ? 't' : e.pSignFlip !== null ? 'sign-flip' : null, `${key} p_test`);
    assertClose(r.p_used, e.pUsed, `${key} p_used`, 1e-9);
    assertClose(r.p_holm, e.pHolm, `${key} p_holm`, 1e-9);
    assert.equal(r.holm_m, e.holmM, `${key} holm_m`);
    assertClose(r.p_holm_epochs, e.pHolmEpochs, `${key} p_holm_epochs`, 1e-9);
    assert.equal(r.holm_m_epochs, e.holmMEpochs, `${key} holm_m_epochs`);
  }
});

test('effect_vs_control names no regularization as the control when the grid has it', () => {
  assert.ok(rows.filter((r) => r.sweep_id !== 'no-zero').every((r) => r.control_kind === 'no regularization'));
  const r = row('d2l-dropout', 'test_acc', 2, 0.5, 0.5, 0);
  assert.deepEqual([r.control_dropout1, r.control_dropout2, r.control_weight_decay], [0, 0, 0]);
});

test('effect_vs_control falls back to the lowest value of each axis when the grid has no zero', () => {
  const noZero = rows.filter((r) => r.sweep_id === 'no-zero');
  assert.ok(noZero.every((r) => r.control_kind === 'lowest value of each axis'));
  assert.ok(noZero.every((r) => r.control_dropout1 === 0.1 && r.control_dropout2 === 0.25 && r.control_weight_decay === 0.001));
});

test('effect_vs_control uses the sign-flip test when every seed shows the same difference', () => {
  // dropout1 = 0.2 is exactly 0.0100 better at seeds 1–3; the control has no seed 4.
  const tie = row('no-zero', 'test_acc', 1, 0.2, 0.25, 0.001);
  assert.equal(tie.n, 3);
  assertClose(tie.diff_mean, 0.01, 'diff_mean');
  assert.equal(tie.diff_sd, 0);
  assert.deepEqual([tie.diff_ci_low, tie.diff_ci_high, tie.diff_t, tie.diff_p], [null, null, null, null]);
  // Of the 8 sign patterns only all-plus and all-minus reach |mean| = 0.01.
  assert.equal(tie.diff_p_sign_flip, 2 / 8);
  assert.equal(tie.p_test, 'sign-flip');
  assert.equal(tie.p_used, 0.25);
  assert.notEqual(tie.p_holm, null, 'the tie stays in the Holm family');
});

test('effect_vs_control handles one and two pairs, and seeds missing on either side', () => {
  const one = row('no-zero', 'test_acc', 1, 0.4, 0.25, 0.001);
  assert.deepEqual([one.n, one.df, one.diff_sd, one.diff_ci_low, one.diff_t, one.diff_p], [1, null, null, null, null, null]);
  assertClose(one.diff_mean, 0.8301 - 0.8133, 'n = 1 diff_mean');
  assert.equal(one.diff_p_sign_flip, 1);
  assert.equal(one.p_test, 'sign-flip');
  const two = row('no-zero', 'test_acc', 1, 0.3, 0.25, 0.001);
  assert.deepEqual([two.n, two.df, two.p_test], [2, 1, 't']);
  const [d1, d2] = [0.9211 - 0.8012, 0.6901 - 0.7954];
  const t = (d1 + d2) / 2 / (Math.abs(d1 - d2) / Math.sqrt(2) / Math.sqrt(2));
  assertClose(two.diff_t, t, 'n = 2 t');
  assertClose(two.diff_p, tTwoSidedP(t, 1), 'n = 2 p', 1e-9);
  const half = (12.706204736174705 * Math.abs(d1 - d2)) / Math.sqrt(2) / Math.sqrt(2);
  assert.ok(half > 1, 'the unclipped interval is wider than the range');
  assert.deepEqual([two.diff_ci_low, two.diff_ci_high], [-1, 1]);
  const all = row('no-zero', 'test_acc', 1, 0.5, 0.25, 0.001);
  assert.equal(all.n, 3, 'seed 4 has no control value');
});

test('effect_vs_control clips an interval to the possible range of a difference and says so', () => {
  // Differences of +0.1199 and −0.1053 with one degree of freedom: half-width 1.43, past ±1.
  const two = row('no-zero', 'test_acc', 1, 0.3, 0.25, 0.001);
  assert.equal(two.diff_ci_clipped, true);
  assert.deepEqual([two.diff_ci_low, two.diff_ci_high], [-1, 1]);
  const unclipped = row('no-zero', 'test_acc', 1, 0.5, 0.25, 0.001);
  assert.equal(unclipped.diff_ci_clipped, false);
  assert.ok(unclipped.diff_ci_low! > -1 && unclipped.diff_ci_high! < 1);
});

test('p_holm adjusts over every configuration and epochs value of a sweep and metric; p_holm_epochs within one epochs value', () => {
  const family = rows.filter((r) => r.sweep_id === 'd2l-dropout' && r.metric === 'test_acc');
  const tested = family.filter((r) => r.p_used !== null);
  assert.equal(tested.length, 34, 'every configuration at both epochs values has a p-value');
  assert.ok(family.every((r) => r.holm_m === 34));
  // By hand: sort, multiply the k-th smallest by m − k + 1, carry the running maximum, cap at 1.
  const sorted = [...tested].sort((a, b) => a.p_used! - b.p_used!);
  let running = 0;
  sorted.forEach((r, k) => {
    running = Math.max(running, Math.min(1, (34 - k) * r.p_used!));
    assertClose(r.p_holm, running, `rank ${k + 1}`, 1e-12);
  });
  const atTwo = tested.filter((r) => r.epochs === 2);
  const adjusted = holm(atTwo.map((r) => r.p_used));
  atTwo.forEach((r, i) => assertClose(r.p_holm_epochs, adjusted[i]!, 'p_holm_epochs', 1e-12));
  assert.ok(atTwo.every((r) => r.holm_m_epochs === 17 && r.p_holm! >= r.p_holm_epochs!));
});

test('regsweep_sign_flip_p enumerates all 2^n sign patterns up to n = 12 and is null beyond', async () => {
  const cases: number[][] = [
    [0.01],
    [0.01, 0.01],
    [0.01, -0.02, 0.005],
    [0.003, 0.001, 0.004, 0.001, 0.005, 0.009, 0.002, 0.006, 0.005, 0.003, 0.005, 0.008],
    [0.003, -0.001, 0.004, 0.001, -0.005, 0.009, 0.002, -0.006, 0.005, 0.003, 0.005, 0.008],
    [0, 0, 0],
  ];
  for (const diffs of cases) {
    const r = await sql<{ p: number }>`select regsweep_sign_flip_p(${sql.val(diffs)}::float8[]) as p`.execute(fx.handle.db);
    assertClose(r.rows[0]!.p, signFlipP(diffs), `sign flip of ${diffs.join(', ')}`, 1e-15);
  }
  // Twelve positive differences: only all-plus and all-minus reach the observed |mean|.
  const twelve = await sql<{ p: number }>`select regsweep_sign_flip_p(array_fill(0.001::float8, array[12])) as p`.execute(fx.handle.db);
  assert.equal(twelve.rows[0]!.p, 2 / 4096);
  const thirteen = await sql<{ p: number | null }>`select regsweep_sign_flip_p(array_fill(0.001::float8, array[13])) as p`.execute(fx.handle.db);
  assert.equal(thirteen.rows[0]!.p, null);
});
