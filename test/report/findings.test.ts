import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listAllInteractions, listAllSwaps, listAllVariantEffects, listConfigEpochMeans } from '../../db/findings-repository';
import { listTestTimeDropout } from '../../db/variant-repository';
import { loadSweepFindings } from '../../report/findings/findings-data';
import { studyMarkdown } from '../../report/findings/findings-markdown';
import { UnknownSweepError, writeFindings } from '../../report/findings/write-findings';
import { openFixtureDatabase, type FixtureDatabase } from '../db/fixture-database';
import { loadVariantFixture, variantsSweep } from '../db/variant-fixture';

/*
 * The findings document from real Postgres views over the hand-made fixtures: a sweep named as a
 * study answers with that study's sections, a sweep that is not a study with every section, and
 * every comparison row appears as one sentence (nothing is selected away).
 */

let fx: FixtureDatabase;
let studies: string;
let out: string;
const variants = variantsSweep.name;

before(async () => {
  fx = await openFixtureDatabase();
  await loadVariantFixture(fx.handle.db);
  studies = mkdtempSync(path.join(os.tmpdir(), 'regsweep-studies-'));
  out = mkdtempSync(path.join(os.tmpdir(), 'regsweep-findings-'));
  writeFileSync(path.join(studies, 'variants.json'), JSON.stringify(variantsSweep));
  writeFileSync(
    path.join(studies, 'studies.json'),
    JSON.stringify({
      studies: [
        {
          spec: 'variants.json',
          exercise: 6,
          title: 'Variants of the fixture',
          question: 'Do the variants differ?',
          sections: ['vs-variant', 'test-time-dropout', 'configs', 'curves', 'activation-variance', 'divergence'],
        },
      ],
    }),
  );
});

after(async () => {
  await fx.close();
});

const bulletCount = (text: string, section: string): number => {
  const start = text.indexOf(section);
  assert.ok(start >= 0, `section ${section} is missing`);
  const rest = text.slice(start + section.length);
  const end = rest.search(/\n###? /);
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.startsWith('- ')).length;
};

test('findings answer a study with its sections and every comparison row, and cite their images', async () => {
  const file = await writeFindings(fx.handle.db, [variants, 'd2l-dropout'], out, { commands: [`regsweep findings ${variants} d2l-dropout --out x`], studies });
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^# Findings: the questions of d2l's dropout chapter\n/);
  assert.ok(text.includes(`\n    regsweep findings ${variants} d2l-dropout --out x\n`));
  assert.match(text, /Engine that trained the runs \(runs\.backend\): `cpu`/);
  assert.match(text, /None of these sweeps trained the d2l default/);
  assert.match(text, /## Exercise 6: Variants of the fixture\n\n\*\*Question\.\*\* Do the variants differ\?/);

  const variantRows = await listAllVariantEffects(fx.handle.db, variants);
  assert.ok(variantRows.length > 0);
  assert.equal(bulletCount(text, '### Variants against the base variant (paired by seed)'), variantRows.length);
  assert.match(text, /dropconnect lr=0\.5 vs dropout lr=0\.5 at dropout1=0\.5, dropout2=0, weight decay 0, 1 epoch: test accuracy [+−]\d/);
  const ttd = await listTestTimeDropout(fx.handle.db, variants);
  assert.equal(bulletCount(text, '### Test-time dropout'), ttd.length);
  assert.match(text, /### Divergence \(exact binomial intervals\)\n\n- dropconnect lr=0\.5: dropout1 0\.5, dropout2 0, weight decay 0: 1 of 3 seeds diverged/);

  // A sweep that is not a study shows every section it has rows for, swaps and interactions included.
  assert.match(text, /## Sweep d2l-dropout\n/);
  const mainPart = text.slice(text.indexOf('## Sweep d2l-dropout'));
  assert.equal(bulletCount(mainPart, '### Swapped dropout rates (paired by seed)'), (await listAllSwaps(fx.handle.db, 'd2l-dropout')).length);
  assert.equal(
    bulletCount(mainPart, '### Dropout × weight decay (interaction contrasts, paired by seed)'),
    (await listAllInteractions(fx.handle.db, 'd2l-dropout')).length,
  );

  // Each activation variance with its 95% t-interval over seeds: t quantiles of 2, 3 and 4 degrees of freedom, by hand.
  const tQuantile: Record<number, number> = { 3: 4.302652729911275, 4: 3.182446305284263, 5: 2.776445105197793 };
  const varianceRows = (await listConfigEpochMeans(fx.handle.db, variants)).filter((r) => r.n >= 3 && r.act_var1 !== null && r.epoch === 1);
  assert.ok(varianceRows.length > 0);
  for (const r of varianceRows) {
    const half = (tQuantile[r.n]! * r.act_var1_sd!) / Math.sqrt(r.n);
    const cell = `${r.act_var1!.toPrecision(3)} [${(r.act_var1! - half).toPrecision(3)}, ${(r.act_var1! + half).toPrecision(3)}]`;
    assert.ok(
      text.includes(`| ${r.variant} | ${r.dropout1} | ${r.dropout2} | 1 | ${r.n} | ${cell} |`),
      `variance row ${r.variant} ${r.dropout1}/${r.dropout2} shows ${cell}`,
    );
  }

  const images = readdirSync(path.join(out, 'findings')).sort();
  assert.deepEqual(images, [
    'd2l-dropout-activation-variance-1.svg',
    'd2l-dropout-activation-variance-2.svg',
    'd2l-dropout-test-accuracy.svg',
    `${variants}-activation-variance-1.svg`,
    `${variants}-activation-variance-2.svg`,
    `${variants}-test-accuracy.svg`,
  ]);
  for (const image of images) {
    assert.ok(text.includes(`](findings/${image})`), `${image} is cited`);
    assert.match(readFileSync(path.join(out, 'findings', image), 'utf8'), /^<svg [^>]*width="760"/);
  }
});

test('findings for a sweep id not in the database fail with its name and leave the previous document as it was', async () => {
  const file = path.join(out, 'findings.md');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
  await assert.rejects(writeFindings(fx.handle.db, [variants, 'no-such-sweep'], out, { commands: ['x'], studies }), (err: unknown) => {
    assert.ok(err instanceof UnknownSweepError);
    assert.equal(err.message, 'no sweep with id "no-such-sweep" in the database');
    return true;
  });
  assert.equal(existsSync(file) ? readFileSync(file, 'utf8') : null, before);
  assert.deepEqual(
    readdirSync(out).filter((f) => f.startsWith('.findings-')),
    [],
  );
});

test('a second study of the same exercise is headed as its continuation', async () => {
  const twoStudies = mkdtempSync(path.join(os.tmpdir(), 'regsweep-studies-'));
  const twoOut = mkdtempSync(path.join(os.tmpdir(), 'regsweep-findings-'));
  writeFileSync(path.join(twoStudies, 'variants.json'), JSON.stringify(variantsSweep));
  writeFileSync(path.join(twoStudies, 'd2l.json'), readFileSync(new URL('../../examples/d2l-dropout.json', import.meta.url), 'utf8'));
  const study = (spec: string, title: string) => ({ spec, exercise: 7, title, question: `${title}?`, sections: ['configs'] });
  writeFileSync(path.join(twoStudies, 'studies.json'), JSON.stringify({ studies: [study('variants.json', 'First'), study('d2l.json', 'Second')] }));
  const text = readFileSync(await writeFindings(fx.handle.db, [variants, 'd2l-dropout'], twoOut, { commands: ['x'], studies: twoStudies }), 'utf8');
  assert.match(text, /\n## Exercise 7: First\n[^]*\n## Exercise 7, continued: Second\n/);
});

test('a run that diverged only past the sweep’s epochs, in another study’s longer training, is named as such in the headline', async () => {
  const d = await loadSweepFindings(fx.handle.db, variants);
  assert.ok(d);
  const plain = studyMarkdown(null, d, [], {});
  assert.doesNotMatch(plain, /diverged only after/);
  // The same sweep with one more diverged run than its divergence rows count by its epochs values.
  const text = studyMarkdown(null, { ...d, runCounts: { ...d.runCounts, diverged: d.runCounts.diverged + 1 } }, [], {});
  const largest = Math.max(...d.intervals.map((r) => r.epochs));
  assert.ok(
    text.includes(
      `; one of them diverged only after epoch ${largest}, in the longer training of another study that shares it, and counts here as trained to epoch ${largest})`,
    ),
    text.split('\n')[2],
  );
});
