import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import type { CommandContext } from '../../cli/command-context';
import { printResults } from '../../cli/commands/results-command';
import { loadConfig } from '../../config';
import { recordDivergedEpoch } from '../../db/epoch-metrics-repository';
import { markRunDiverged } from '../../db/run-repository';
import { expandRuns } from '../../domain/grid-expansion';
import { loadNoZeroSweep, noZeroSweep } from './control-fixture';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';

let fx: FixtureDatabase;
before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
});
after(async () => {
  await fx?.close();
});

async function results(id: string, format: 'table' | 'csv'): Promise<string> {
  const out: string[] = [];
  const ctx: CommandContext = { config: loadConfig({ DATABASE_URL: fx.url, REGSWEEP_HOME: tmpdir() }, tmpdir()), out: (l) => out.push(l), err: () => undefined };
  await printResults(ctx, id, format);
  return out.join('\n');
}

test('regsweep results shows each mean with its 95% interval, or the n<3 flag, and how it compares with the best', async () => {
  const text = await results('d2l-dropout', 'table');
  const lines = text.split('\n');
  assert.match(text, /test accuracy \[95% CI\]/);
  // dropout1 = dropout2 = 0.5 without decay, 4 epochs: three seeds, the best mean.
  const best = lines.find((l) => /^│ 0\.5 +│ 0\.5 +│ 0 +│ 4 +│ 3 /.test(l));
  assert.ok(best, text);
  assert.match(best, /\d+\.\d% \[\d+\.\d%, \d+\.\d%\]/);
  assert.match(best, /│ best /);
  // Two seeds at 4 epochs for dropout1 = 0.5, dropout2 = 0.2 without decay: flagged, not shown.
  const two = lines.find((l) => /^│ 0\.5 +│ 0\.2 +│ 0 +│ 4 +│ 2 /.test(l));
  assert.ok(two, text);
  assert.match(two, /\d+\.\d% \(n<3: no interval\)/);
  assert.doesNotMatch(two, /\[/);
  assert.match(text, /n<3: no interval: fewer than 3 seeds give no informative interval\./);
  assert.doesNotMatch(text, /clipped to the metric's range/, 'nothing clipped in this sweep');
});

test('regsweep results prints one sentence per effect after the table', async () => {
  const text = await results('d2l-dropout', 'table');
  const sentences = text.split('\n').filter((l) => l.startsWith('- '));
  assert.equal(sentences.length, 17 * 2);
  assert.ok(text.indexOf('Effects against the control:') > text.lastIndexOf('┘'));
  assert.match(sentences[0]!, /vs no regularization, 4 epochs: test accuracy [+−]\d+\.\d points/);
});

test('regsweep results marks an interval clipped to the metric range and adds the footnote', async () => {
  const text = await results('no-zero', 'table');
  // dropout1 = 0.5: four seeds near 1 and far apart, so the interval is cut at 100%.
  assert.match(text, /^│ 0\.5 .*│ 4 +│ 0 +│ \d+\.\d% \[\d+\.\d%, 100\.0%\]\* /m);
  assert.match(text, /^│ 0\.3 .*\(n<3: no interval\)/m);
  assert.match(text, /^\* 95% interval clipped to the metric's range/m);
});

test('regsweep results --format csv keeps one plain column per metric', async () => {
  const csv = (await results('quick', 'csv')).split('\n');
  assert.equal(csv[0], 'dropout1,dropout2,weight_decay,epochs,seeds,diverged,test_acc,train_acc_eval,gap');
  assert.equal(csv.length, 1 + 4);
  assert.ok(csv.slice(1).every((l) => l.split(',')[4] === '2'));
});

test('regsweep results counts a diverged seed next to the seeds and says the statistics leave it out', async () => {
  const run = expandRuns(noZeroSweep).find((r) => r.dropout1 === 0.2 && r.seed === 2)!;
  await recordDivergedEpoch(fx.handle.db, run.runId, 1, 'wasm', 'test-worker');
  await markRunDiverged(fx.handle.db, run.runId, 1, 'training diverged at epoch 1, batch 1: training loss is NaN');
  const text = await results('no-zero', 'table');
  assert.match(text, /^│ 0\.2 +│ 0\.25 +│ 0\.001 +│ 1 +│ 3 +│ 1 +│/m);
  assert.match(text, /^│ 0\.5 +│ 0\.25 +│ 0\.001 +│ 1 +│ 4 +│ 0 +│/m);
  assert.match(text, /^diverged: seeds whose training loss or weights became NaN or infinite by that epoch; 'seeds' and every mean/m);
  const csv = (await results('no-zero', 'csv')).split('\n');
  assert.ok(csv.some((l) => l.startsWith('0.2,0.25,0.001,1,3,1,')), csv.join('\n'));
});
