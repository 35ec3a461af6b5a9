import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivationVarianceView } from '../../db/activation-variance.view';
import type { RunProgressView } from '../../db/run-progress.view';
import { fixtureMetrics } from './analysis-fixture';
import { assertClose } from './assert-close';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';

// The two per-run views: activation variance over epochs, and where each run stands.

let fx: FixtureDatabase;
let variances: ActivationVarianceView[];
let progress: RunProgressView[];

before(async () => {
  fx = await openFixtureDatabase();
  variances = await fx.handle.db.selectFrom('activation_variance').selectAll().orderBy(['sweep_id', 'run_id', 'epoch', 'layer']).execute();
  progress = await fx.handle.db.selectFrom('run_progress').selectAll().orderBy(['sweep_id', 'ordinal']).execute();
});
after(async () => {
  await fx?.close();
});

test('activation_variance has one row per sweep, run, trained epoch and layer', () => {
  const mainRows = variances.filter((r) => r.sweep_id === 'd2l-dropout');
  const trainedEpochs = fx.fixture.runs.reduce((sum, run) => sum + fx.fixture.epochsOf(run.runId), 0);
  assert.equal(mainRows.length, 2 * trainedEpochs);
  // quick shares 8 runs (2 × 2 dropout settings × 2 seeds), all trained to epoch 4 with both layers.
  assert.equal(variances.length - mainRows.length, 8 * 4 * 2);
});

test('activation_variance takes act_var and dropout rate from the row\'s layer', () => {
  const run = fx.fixture.runs.find((r) => r.dropout1 === 0.2 && r.dropout2 === 0.5 && r.weightDecay === 0.001 && r.seed === 2)!;
  const metrics = fx.fixture.metricsAt(run.runId, 3)!;
  const at = (layer: number) => variances.find((r) => r.sweep_id === 'd2l-dropout' && r.run_id === run.runId && r.epoch === 3 && r.layer === layer);
  assert.deepEqual(
    { ...at(1) },
    { sweep_id: 'd2l-dropout', run_id: run.runId, epoch: 3, layer: 1, act_var: metrics.act_var1, dropout1: 0.2, dropout2: 0.5, weight_decay: 0.001, seed: 2, layer_dropout: 0.2, has_dropout: true, layer_has_dropout: true, variant: 'dropout lr=0.5' },
  );
  assert.equal(at(2)?.act_var, metrics.act_var2);
  assert.equal(at(2)?.layer_dropout, 0.5);
});

test('activation_variance flags dropout per run and per layer', () => {
  for (const r of variances) {
    assert.equal(r.has_dropout, r.dropout1 > 0 || r.dropout2 > 0);
    assert.equal(r.layer_dropout, r.layer === 1 ? r.dropout1 : r.dropout2);
    assert.equal(r.layer_has_dropout, r.layer_dropout > 0);
  }
  // Only the second layer is dropped out when dropout1 = 0 and dropout2 > 0.
  const secondOnly = variances.filter((r) => r.dropout1 === 0 && r.dropout2 === 0.5);
  assert.ok(secondOnly.length > 0);
  assert.ok(secondOnly.every((r) => r.has_dropout && r.layer_has_dropout === (r.layer === 2)));
});

test('run_progress lists every run of each sweep in scheduling order', () => {
  const main = progress.filter((r) => r.sweep_id === 'd2l-dropout');
  assert.equal(main.length, 54);
  assert.deepEqual(main.map((r) => r.ordinal), [...Array(54).keys()]);
  assert.deepEqual(main.map((r) => r.run_id), fx.fixture.runs.map((r) => r.runId));
  assert.equal(progress.filter((r) => r.sweep_id === 'quick').length, 8);
});

test('run_progress estimates time left from the mean epoch time of a run still running', () => {
  const stopped = progress.filter((r) => r.status !== 'completed');
  assert.equal(stopped.length, 3);
  for (const row of stopped) {
    const run = fx.fixture.runs.find((r) => r.runId === row.run_id)!;
    const epochs = [1, 2].map((e) => fixtureMetrics(run, e));
    const meanSeconds = (epochs[0]!.seconds + epochs[0]!.eval_seconds + epochs[1]!.seconds + epochs[1]!.eval_seconds) / 2;
    assert.deepEqual([row.status, row.epochs_done, row.max_epochs, row.fraction_done], ['running', 2, 4, 0.5]);
    assertClose(row.mean_epoch_seconds, meanSeconds, 'mean_epoch_seconds');
    assertClose(row.eta_seconds, 2 * meanSeconds, 'eta_seconds');
    assert.equal(row.last_samples_per_sec, epochs[1]!.samples_per_sec);
  }
});

test('run_progress has no time left once a run is completed', () => {
  const done = progress.filter((r) => r.status === 'completed');
  assert.ok(done.length > 0);
  assert.ok(done.every((r) => r.eta_seconds === null && r.fraction_done === 1 && r.last_recorded_at instanceof Date));
});
