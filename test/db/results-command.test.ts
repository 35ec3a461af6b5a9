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
  const lines = text.split('\n');
  const start = lines.indexOf('Effects against the control:') + 1;
  const sentences = lines.slice(start, lines.indexOf('', start));
  assert.ok(sentences.every((l) => l.startsWith('- ')));
  assert.equal(sentences.length, 17 * 2);
  assert.ok(text.indexOf('Effects against the control:') > text.lastIndexOf('┘'));
  assert.match(sentences[0]!, /vs no regularization, 4 epochs: test accuracy [+−]\d+\.\d points/);
});

test('regsweep results says each swap and interaction with its test, n and whole-family Holm p, or that n<3 tells nothing', async () => {
  const text = await results('d2l-dropout', 'table');
  const lines = text.split('\n');
  const family = async (view: 'effect_dropout_swap' | 'effect_interaction') =>
    (
      await fx.handle.db
        .selectFrom(view)
        .select((eb) => eb.fn.max('holm_m').as('m'))
        .where('sweep_id', '=', 'd2l-dropout')
        .where('metric', '=', 'test_acc')
        .executeTakeFirstOrThrow()
    ).m;
  // The whole (sweep, metric) family: every swap at both epochs values.
  assert.equal(await family('effect_dropout_swap'), 12);
  assert.equal(await family('effect_interaction'), 15);
  const swaps = lines.indexOf('Dropout1 ↔ dropout2 swaps:');
  const interactions = lines.indexOf('Dropout × weight decay interactions:');
  assert.ok(swaps > lines.indexOf('Effects against the control:') && interactions > swaps, text);
  assert.equal(lines.slice(swaps + 1, interactions - 1).length, 12, 'one sentence per pair, weight decay and metric at 4 epochs');
  assert.ok(
    lines.includes(
      '- dropout1=0, dropout2=0.5 vs dropout1=0.5, dropout2=0 (weight decay 0.001), 4 epochs: test accuracy +1.0 points (95% CI +0.2 to +1.9), ' +
        "n=3 seeds; paired t-test p=0.037, Holm-adjusted over the 12 swap comparisons of this sweep's test accuracy at every epochs value: " +
        'p=0.34 — the order is within seed noise.',
    ),
    text,
  );
  assert.ok(
    lines.includes(
      '- dropout1=0.2, dropout2=0.5 vs dropout1=0.5, dropout2=0.2 (weight decay 0), 4 epochs: test accuracy +0.6 points, n=2 seeds; ' +
        'with fewer than 3 seeds the interval and p-value are not informative.',
    ),
    text,
  );
  assert.ok(
    lines.includes(
      '- dropout1=0.2, dropout2=0.2 with weight decay 0.001, 4 epochs: test accuracy together +1.7, dropout alone +2.1, weight decay alone ' +
        '+0.5 points, interaction −0.9 points (95% CI −1.3 to −0.5), n=3 seeds; paired t-test p=0.011, Holm-adjusted over the 15 ' +
        "interaction contrasts of this sweep's test accuracy at every epochs value: p=0.14 — additive within seed noise.",
    ),
    text,
  );
  assert.ok(
    lines.includes(
      '- dropout1=0.5, dropout2=0.5 with weight decay 0.001, 4 epochs: test accuracy together +4.8, dropout alone +5.1, weight decay alone ' +
        '+0.7 points, interaction −1.0 points, n=1 seed; with fewer than 3 seeds the interval and p-value are not informative.',
    ),
    text,
  );
  // Below 3 seeds no sentence quotes an interval or a p-value.
  for (const l of lines.filter((l) => / n=[12] seeds?[;,( ]/.test(l))) assert.doesNotMatch(l, /CI|p=/, l);
});

test('regsweep results has a seed-noise section: F, its degrees of freedom and p per metric and epochs value, naming the F test', async () => {
  const text = await results('d2l-dropout', 'table');
  const lines = text.split('\n');
  const at = lines.indexOf('Seed noise (F test):');
  assert.ok(at > lines.indexOf('Dropout × weight decay interactions:'), text);
  assert.match(lines[at + 1]!, /^One-way analysis of variance \(F test\) per metric and epochs value over the runs that did not diverge: /);
  assert.deepEqual(lines.slice(at + 2, at + 6), [
    "- test accuracy, 4 epochs: F=57.15 on 17 and 33 df, p<0.001 (F test over 18 configurations, 51 runs, seed sd 0.30 points; one test per metric and epochs value, not adjusted across them) — the configurations differ by more than seed noise.",
    "- train−test gap, 4 epochs: F=242.73 on 17 and 33 df, p<0.001 (F test over 18 configurations, 51 runs, seed sd 0.13 points; one test per metric and epochs value, not adjusted across them) — the configurations differ by more than seed noise.",
    "- test accuracy, 2 epochs: F=76.01 on 17 and 36 df, p<0.001 (F test over 18 configurations, 54 runs, seed sd 0.27 points; one test per metric and epochs value, not adjusted across them) — the configurations differ by more than seed noise.",
    "- train−test gap, 2 epochs: F=456.91 on 17 and 36 df, p<0.001 (F test over 18 configurations, 54 runs, seed sd 0.10 points; one test per metric and epochs value, not adjusted across them) — the configurations differ by more than seed noise.",
  ]);
  const row = await fx.handle.db
    .selectFrom('noise_diagnostic')
    .selectAll()
    .where('sweep_id', '=', 'd2l-dropout')
    .where('metric', '=', 'test_acc')
    .where('epochs', '=', 4)
    .executeTakeFirstOrThrow();
  assert.deepEqual([row.f!.toFixed(2), row.df1, row.df2, row.k, row.n], ['57.15', 17, 33, 18, 51]);
  assert.ok(row.p! < 0.001);
});

test('regsweep results marks an interval clipped to the metric range and adds the footnote', async () => {
  const text = await results('no-zero', 'table');
  // dropout1 = 0.5: four seeds near 1 and far apart, so the interval is cut at 100%.
  assert.match(text, /^│ 0\.5 .*│ 4 +│ 0 +│ \d+\.\d% \[\d+\.\d%, 100\.0%\]\* /m);
  assert.match(text, /^│ 0\.3 .*\(n<3: no interval\)/m);
  assert.match(text, /^\* 95% interval clipped to the metric's range/m);
});

test('regsweep results says in words why a comparison has no rows', async () => {
  const lines = (await results('no-zero', 'table')).split('\n');
  const reasons = await fx.handle.db.selectFrom('comparison_availability').select(['comparison', 'available', 'reason']).where('sweep_id', '=', 'no-zero').execute();
  assert.deepEqual(reasons.filter((r) => !r.available).map((r) => r.comparison).sort(), ['dropout_swap', 'interaction', 'test_time_dropout', 'vs_variant']);
  assert.deepEqual(lines.slice(lines.indexOf('Dropout1 ↔ dropout2 swaps:') + 1, lines.indexOf('Dropout1 ↔ dropout2 swaps:') + 2), [
    '- No dropout swap: dropout_swap needs both (a, b) and (b, a) in the dropout grid for two rates a ≠ b; this grid has ' +
      'dropout1 ∈ {0.1, 0.2, 0.3, 0.4, 0.5}, dropout2 ∈ {0.25}.',
  ]);
  assert.deepEqual(lines.slice(lines.indexOf('Dropout × weight decay interactions:') + 1, lines.indexOf('Dropout × weight decay interactions:') + 2), [
    '- No dropout × weight decay interaction: interaction needs at least two weight-decay values; this grid has weight_decay ∈ {0.001}.',
  ]);
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
  assert.match(text, /^diverged: seeds whose training diverged by that epoch \(a minibatch loss NaN, infinite or above 1,000 nats, or a weight NaN or infinite\); 'seeds' and every mean/m);
  const lines = text.split('\n');
  const diverged = lines.indexOf('Diverged runs:');
  assert.ok(diverged > lines.indexOf('Seed noise (F test):'), text);
  assert.deepEqual(lines.slice(diverged + 1), [
    '- dropout1 0.2, dropout2 0.25, weight decay 0.001: 1 of 4 seeds diverged by 1 epoch (25%, 95% CI 1%–81%, exact binomial); ' +
      'they are left out of every mean, interval and effect.',
  ]);
  assert.ok(lines.some((l) => l.startsWith('- test accuracy, 1 epoch: ') && l.includes('(F test over 5 configurations, 13 runs, 1 diverged left out, ')), text);
  const csv = (await results('no-zero', 'csv')).split('\n');
  assert.ok(csv.some((l) => l.startsWith('0.2,0.25,0.001,1,3,1,')), csv.join('\n'));
});
