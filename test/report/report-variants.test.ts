import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listTestTimeDropout, listVariantEffectsAtLargestEpochs } from '../../db/variant-repository';
import { loadReportData } from '../../report/report-data';
import { reportSections, type ReportSection } from '../../report/report-sections';
import { openFixtureDatabase, type FixtureDatabase } from '../db/fixture-database';
import { loadVariantFixture, variantLabels, variantsSweep } from '../db/variant-fixture';

/*
 * The report of a sweep with several variants (the hand-made fixture of test/db/variant-fixture.ts):
 * every comparison says which variant it is about, variants are compared with the base variant,
 * test-time dropout has its section, and each variant gets its own dropout-grid matrices.
 */

let fx: FixtureDatabase;
before(async () => {
  fx = await openFixtureDatabase();
  await loadVariantFixture(fx.handle.db);
});
after(async () => {
  await fx?.close();
});

const section = (sections: readonly ReportSection[], title: string): ReportSection => {
  const found = sections.find((s) => s.title === title);
  assert.ok(found, `no section ${title}`);
  return found;
};

test('the report of a sweep with variants compares each with the base variant and labels every other sentence with its variant', async () => {
  const data = await loadReportData(fx.handle.db, variantsSweep.name);
  assert.deepEqual(data.variants, [...variantLabels].sort());
  const sections = reportSections(data);
  const variants = section(sections, 'Does the regularizer, batch normalization or the learning rate matter?').sentences!;
  assert.equal(variants.length, (await listVariantEffectsAtLargestEpochs(fx.handle.db, variantsSweep.name)).length);
  assert.ok(variants.every((s) => / vs dropout lr=0\.5 at dropout1=/.test(s)));
  const testTime = section(sections, 'Dropout at test time').sentences!;
  assert.equal(testTime.length, (await listTestTimeDropout(fx.handle.db, variantsSweep.name)).length);
  assert.ok(testTime.every((s) => /4 stochastic passes: inference mode \d/.test(s)));
  const effects = section(sections, 'What the sweep shows').sentences!;
  assert.ok(effects.length > 0 && effects.every((s) => variantLabels.some((v) => s.startsWith(`${v}: `))));
  assert.match(
    section(sections, 'Diverged runs').sentences!.join('\n'),
    /^dropconnect lr=0\.5: dropout1 0\.5, dropout2 0, weight decay 0: 1 of 3 seeds diverged/,
  );
  const matrices = section(sections, 'Test accuracy over the dropout grid').charts;
  assert.equal(matrices.length, variantLabels.length);
  assert.equal(new Set(matrices.map((c) => c.id)).size, matrices.length);
  assert.deepEqual(
    matrices.map((c) => c.title.split(':')[0]),
    [...variantLabels].sort(),
  );
  assert.match(section(sections, 'Training dynamics').intro, /of variant dropout lr=0\.5,/);
  // A comparison no variant can make says so once, not once per variant.
  const swaps = section(sections, 'Does swapping dropout1 and dropout2 matter?');
  assert.deepEqual(swaps.sentences, []);
  assert.equal(
    swaps.whyEmpty,
    'In every variant: No dropout swap: dropout_swap needs both (a, b) and (b, a) in the dropout grid for two rates a ≠ b; this grid has dropout1 ∈ {0, 0.5}, dropout2 ∈ {0}.',
  );
});

test('the report of a one-variant sweep has no variant labels and says why it has no variant comparison', async () => {
  const sections = reportSections(await loadReportData(fx.handle.db, 'd2l-dropout'));
  const variants = section(sections, 'Does the regularizer, batch normalization or the learning rate matter?');
  assert.deepEqual(variants.sentences, []);
  assert.equal(variants.whyEmpty, 'The sweep has one variant: no regularizer, batch normalization or learning rate axis.');
  assert.ok(section(sections, 'What the sweep shows').sentences!.every((s) => !s.startsWith('dropout lr=')));
});
