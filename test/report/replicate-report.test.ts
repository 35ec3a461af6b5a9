import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { replicateStatusLines } from '../../cli/replicate-lines';
import { writeReport } from '../../report/write-report';
import { adaptiveFixtureId, runAdaptiveFixture } from '../helpers/adaptive-sweep-fixture';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/*
 * The adaptive-seed section of the report and of `regsweep status`, on the hand-written adaptive
 * fixture (test/helpers/adaptive-sweep-fixture.ts) after its rounds ran through the real record
 * activities: 3 configurations, dropout1 = 0.9 decided on seeds 1–3, dropout1 = 0.5 run to 5 seeds.
 */
let testDb: TestDatabase;
let handle: DatabaseHandle;
let dir: string;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  await migrateToLatest(handle.db);
  await runAdaptiveFixture(handle.db);
  dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-replicate-report-'));
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const pts = (v: number | null): string => `${v! < 0 ? '−' : '+'}${Math.abs(v! * 100).toFixed(2)}`;

async function expectedSentences(): Promise<string[]> {
  const rows = await handle.db.selectFrom('replicate_comparisons').selectAll().where('sweep_id', '=', adaptiveFixtureId).orderBy('ordinal').execute();
  assert.equal(rows.length, 2);
  const [open, clear] = rows as [(typeof rows)[0], (typeof rows)[0]];
  return [
    'Seeds chosen while the sweep ran: test accuracy at 2 epochs, each configuration against the control, decided at family-wise level 0.05 ' +
      '(anytime-valid t-test, Holm over the comparisons). Finished after round 2: 13 runs, where 5 seeds for every one of the 3 configurations ' +
      'would take 15 (2 saved); 1 resolved, 0 unresolved, 1 stopped at a cap.',
    `dropout1=0.5 vs dropout1=0: stopped at a cap (not resolved with this budget) on 5 paired seeds (5 and 5 seeds trained): ${pts(open.mean)} points, ` +
      `anytime-valid 97.5% interval ${pts(open.ci_low)} to ${pts(open.ci_high)}, anytime p = ${open.p_anytime!.toFixed(4)}.`,
    `dropout1=0.9 vs dropout1=0: resolved on 3 paired seeds (3 and 5 seeds trained): ${pts(clear.mean)} points, ` +
      `anytime-valid 97.5% interval ${pts(clear.ci_low)} to ${pts(clear.ci_high)}, anytime p = ${clear.p_anytime!.toFixed(4)}.`,
  ];
}

test('the report of an adaptive sweep opens with its rounds, the runs saved and each comparison', async () => {
  const file = await writeReport(handle.db, adaptiveFixtureId, path.join(dir, 'report.html'));
  const html = readFileSync(file, 'utf8');
  const section = /<h2>Adaptive seeds<\/h2>[\s\S]*?<\/section>/.exec(html)?.[0];
  assert.ok(section, 'the report has an Adaptive seeds section');
  const items = [...section.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!.replace(/&#39;/g, "'"));
  assert.deepEqual(items, await expectedSentences());
  const titles = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
  assert.deepEqual(titles.slice(0, 2), ['Best configurations', 'Adaptive seeds'], 'right after the best configurations');
});

test('regsweep status prints the same sentences, each comparison indented', async () => {
  const state = await handle.db.selectFrom('replicate_sweeps').selectAll().where('sweep_id', '=', adaptiveFixtureId).executeTakeFirstOrThrow();
  const rows = await handle.db.selectFrom('replicate_comparisons').selectAll().where('sweep_id', '=', adaptiveFixtureId).orderBy('ordinal').execute();
  const [summary, ...comparisons] = await expectedSentences();
  assert.deepEqual(replicateStatusLines(state, rows), [summary, ...comparisons.map((c) => `  ${c}`)]);
});
