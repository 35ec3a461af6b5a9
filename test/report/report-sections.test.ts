import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { recordDivergedEpoch } from '../../db/epoch-metrics-repository';
import { markRunDiverged } from '../../db/run-repository';
import { expandRuns } from '../../domain/grid-expansion';
import { loadReportData } from '../../report/report-data';
import { renderReportHtml } from '../../report/report-html';
import { reportSections, type ReportSection } from '../../report/report-sections';
import { loadNoZeroSweep, noZeroSweep } from '../db/control-fixture';
import { openFixtureDatabase, type FixtureDatabase } from '../db/fixture-database';

/*
 * The report's sections for the analysis fixture (three seeds, so tests and intervals are shown)
 * and for a sweep with a diverged run, without a browser.
 */

let fx: FixtureDatabase;
before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
});
after(async () => {
  await fx?.close();
});

const section = (sections: readonly ReportSection[], title: string): ReportSection => {
  const found = sections.find((s) => s.title === title);
  assert.ok(found, `no section ${title}`);
  return found;
};

test('the report quotes the whole-family Holm p of each swap and interaction with its test and n', async () => {
  const data = await loadReportData(fx.handle.db, 'd2l-dropout');
  const sections = reportSections(data);
  const swaps = section(sections, 'Does swapping dropout1 and dropout2 matter?').sentences!;
  assert.equal(swaps.length, 12);
  assert.ok(
    swaps.includes(
      'dropout1=0, dropout2=0.5 vs dropout1=0.5, dropout2=0 (weight decay 0.001), 4 epochs: test accuracy +1.0 points (95% CI +0.2 to +1.9), ' +
        "n=3 seeds; paired t-test p=0.037, Holm-adjusted over the 12 swap comparisons of this sweep's test accuracy at every epochs value: " +
        'p=0.34 — the order is within seed noise.',
    ),
    swaps.join('\n'),
  );
  const row = data.swaps.find((r) => r.metric === 'test_acc' && r.weight_decay === 0.001 && r.dropout_a === 0 && r.dropout_b === 0.5)!;
  assert.equal(Number(row.p_holm!.toPrecision(2)), 0.34, 'p_holm, the whole-family column');
  assert.notEqual(Number(row.p_holm_epochs!.toPrecision(2)), 0.34, 'not the per-epochs family');
  const interactions = section(sections, 'Are dropout and weight decay additive?').sentences!;
  assert.equal(interactions.length, 16);
  assert.ok(
    interactions.includes(
      'dropout1=0.2, dropout2=0.2 with weight decay 0.001, 4 epochs: test accuracy together +1.7, dropout alone +2.1, weight decay alone ' +
        '+0.5 points, interaction −0.9 points (95% CI −1.3 to −0.5), n=3 seeds; paired t-test p=0.011, Holm-adjusted over the 15 ' +
        "interaction contrasts of this sweep's test accuracy at every epochs value: p=0.14 — additive within seed noise.",
    ),
    interactions.join('\n'),
  );
  // The interaction charts show test accuracy only; the sentences cover both metrics.
  assert.ok(data.interactions.some((r) => r.metric === 'gap'));
  assert.deepEqual(section(sections, 'Do configurations differ by more than seed noise?').sentences!.slice(0, 1), [
    'test accuracy, 4 epochs: F=57.15 on 17 and 33 df, p<0.001 (F test over 18 configurations, 51 runs, seed sd 0.30 points; ' +
      'one test per metric and epochs value, not adjusted across them) — the configurations differ by more than seed noise.',
  ]);
});

test('the report shows a diverged run: in the run counts, the best-configurations table and the diverged-runs section', async () => {
  const run = expandRuns(noZeroSweep).find((r) => r.dropout1 === 0.5 && r.seed === 4)!;
  await recordDivergedEpoch(fx.handle.db, run.runId, 1, 'wasm', 'test-worker');
  await markRunDiverged(fx.handle.db, run.runId, 1, 'training diverged at epoch 1, batch 1: training loss is NaN');
  const data = await loadReportData(fx.handle.db, 'no-zero');
  const sections = reportSections(data);
  assert.deepEqual(section(sections, 'Diverged runs').sentences, [
    'dropout1 0.5, dropout2 0.25, weight decay 0.001: 1 of 4 seeds diverged by 1 epoch (25%, 95% CI 1%–81%, exact binomial); ' +
      'they are left out of every mean, interval and effect.',
  ]);
  assert.match(
    section(sections, 'Do configurations differ by more than seed noise?').sentences![0]!,
    /F test over 5 configurations, 13 runs, 1 diverged left out, /,
  );
  const html = renderReportHtml(data, sections, '', new Date(0));
  assert.match(html, /\d+ runs \(\d+ done, 0 running, 0 failed, 1 diverged, \d+ waiting\)/);
  // dropout1 = 0.5: three seeds left, one diverged.
  assert.match(html, /<tr><td>0\.5<\/td><td>0\.25<\/td><td>0\.001<\/td><td>3<\/td><td>1<\/td>/);
});
