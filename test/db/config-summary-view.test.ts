import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigSummaryView } from '../../db/config-summary.view';
import { assertClose } from './assert-close';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { groupBySeed, pointKey } from './grid-groups';
import { ci95, mean, sd } from './hand-statistics';

let fx: FixtureDatabase;
let rows: ConfigSummaryView[];

before(async () => {
  fx = await openFixtureDatabase();
  rows = await fx.handle.db.selectFrom('config_summary').selectAll().execute();
});
after(async () => {
  await fx?.close();
});

function rowAt(sweepId: string, dropout1: number, dropout2: number, weightDecay: number, epochs: number): ConfigSummaryView {
  const row = rows.find((r) => r.sweep_id === sweepId && r.dropout1 === dropout1 && r.dropout2 === dropout2 && r.weight_decay === weightDecay && r.epochs === epochs);
  assert.ok(row, `no config_summary row for ${sweepId} ${dropout1}/${dropout2}/${weightDecay}/${epochs}`);
  return row;
}

test('config_summary has one row per sweep grid point', () => {
  // d2l-dropout: 3 × 3 dropout settings × 2 weight decays × 2 epochs values; quick: 2 × 2 × 1 × 1.
  assert.equal(rows.length, 36 + 4);
  const keys = new Set(rows.map((r) => pointKey({ sweepId: r.sweep_id, dropout1: r.dropout1, dropout2: r.dropout2, weightDecay: r.weight_decay, epochs: r.epochs })));
  assert.equal(keys.size, rows.length);
});

test('config_summary matches hand-computed means, sds and t-intervals at every grid point', () => {
  const groups = groupBySeed(fx.fixture);
  assert.equal(groups.size, rows.length);
  for (const row of rows) {
    const key = pointKey({ sweepId: row.sweep_id, dropout1: row.dropout1, dropout2: row.dropout2, weightDecay: row.weight_decay, epochs: row.epochs });
    const group = groups.get(key);
    assert.ok(group, key);
    assert.equal(row.trials, group.trials.length, `${key} trials`);
    assert.equal(row.n, group.bySeed.size, `${key} n`);
    const metrics = [...group.bySeed.values()];
    for (const column of ['test_acc', 'train_acc_eval', 'gap'] as const) {
      const xs = metrics.map((m) => m[column]);
      const ci = ci95(xs);
      assertClose(row[`${column}_mean`], mean(xs), `${key} ${column}_mean`);
      assertClose(row[`${column}_sd`], sd(xs), `${key} ${column}_sd`);
      assertClose(row[`${column}_ci_low`], ci?.low, `${key} ${column}_ci_low`);
      assertClose(row[`${column}_ci_high`], ci?.high, `${key} ${column}_ci_high`);
    }
  }
});

test('config_summary uses t with 2 degrees of freedom when all three seeds have reached the epoch', () => {
  const row = rowAt('d2l-dropout', 0.2, 0.5, 0.001, 4);
  const [a, b, c] = [1, 2, 3].map((seed) => {
    const run = fx.fixture.runs.find((r) => r.dropout1 === 0.2 && r.dropout2 === 0.5 && r.weightDecay === 0.001 && r.seed === seed)!;
    return fx.fixture.metricsAt(run.runId, 4)!.test_acc;
  }) as [number, number, number];
  const m = (a + b + c) / 3;
  const s = Math.sqrt(((a - m) ** 2 + (b - m) ** 2 + (c - m) ** 2) / 2);
  assert.equal(row.n, 3);
  assertClose(row.test_acc_mean, m, 'mean');
  assertClose(row.test_acc_ci_low, m - (4.302652729749464 * s) / Math.sqrt(3), 'ci_low');
  assertClose(row.test_acc_ci_high, m + (4.302652729749464 * s) / Math.sqrt(3), 'ci_high');
});

test('config_summary uses t with 1 degree of freedom when two of three seeds have reached the epoch', () => {
  const row = rowAt('d2l-dropout', 0.5, 0.2, 0, 4);
  const [a, b] = [1, 2].map((seed) => {
    const run = fx.fixture.runs.find((r) => r.dropout1 === 0.5 && r.dropout2 === 0.2 && r.weightDecay === 0 && r.seed === seed)!;
    return fx.fixture.metricsAt(run.runId, 4)!.test_acc;
  }) as [number, number];
  // For two values sd = |a − b| / √2, so the half-width t·sd/√2 is t·|a − b| / 2.
  assert.deepEqual([row.trials, row.n], [3, 2]);
  assertClose(row.test_acc_ci_high! - row.test_acc_mean!, (12.706204736174705 * Math.abs(a - b)) / 2, 'half-width');
});

test('config_summary leaves sd and interval null when only one seed has reached the epoch', () => {
  const row = rowAt('d2l-dropout', 0.5, 0.5, 0.001, 4);
  assert.deepEqual([row.trials, row.n], [3, 1]);
  assert.equal(row.test_acc_sd, null);
  assert.equal(row.test_acc_ci_low, null);
  assert.equal(row.gap_ci_high, null);
  assert.ok(row.test_acc_mean !== null);
});

test('config_summary keeps sweeps apart when they share runs', () => {
  const quick = rowAt('quick', 0.5, 0.2, 0, 2);
  const main = rowAt('d2l-dropout', 0.5, 0.2, 0, 2);
  assert.deepEqual([quick.trials, quick.n, main.n], [2, 2, 3]);
  const values = [1, 2].map((seed) => {
    const run = fx.fixture.runs.find((r) => r.dropout1 === 0.5 && r.dropout2 === 0.2 && r.weightDecay === 0 && r.seed === seed)!;
    return fx.fixture.metricsAt(run.runId, 2)!.test_acc;
  });
  assertClose(quick.test_acc_mean, mean(values), 'quick mean');
});
