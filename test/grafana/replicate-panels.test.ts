import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { adaptiveFixtureId, runAdaptiveFixture } from '../helpers/adaptive-sweep-fixture';
import { interpolateGrafanaSql } from '../helpers/grafana-interpolation';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { dataPanels, type BuiltPanel } from './dashboard-panels';
import { typeNames } from './panel-expectations';

/*
 * The overview dashboard's adaptive-seed panels, interpolated as Grafana does and run as
 * regsweep_reader against an adaptive sweep that went through its rounds with the real record
 * activities (metrics written by hand, test/helpers/adaptive-sweep-fixture.ts). The fixed-seed
 * fixture of panel-queries.test.ts leaves these panels empty, so their rows are checked here.
 */
let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  await migrateToLatest(handle.db);
  await runAdaptiveFixture(handle.db);
});

after(async () => {
  await handle?.close();
  await testDb?.drop();
});

async function runAsReader(panel: BuiltPanel): Promise<{ columns: Record<string, string>; rows: unknown[][] }> {
  const range = { from: new Date(Date.now() - 3_600_000), to: new Date() };
  const text = interpolateGrafanaSql(panel.targets![0]!.rawSql, { sweep: { value: adaptiveFixtureId } }, range);
  const client = await handle.pool.connect();
  try {
    await client.query('begin read only');
    await client.query('set local role regsweep_reader');
    const r = await client.query({ text, rowMode: 'array' });
    return { columns: Object.fromEntries(r.fields.map((f) => [f.name, typeNames[f.dataTypeID] ?? `oid ${f.dataTypeID}`])), rows: r.rows as unknown[][] };
  } finally {
    await client.query('rollback');
    client.release();
  }
}

const overview = buildDashboards()[0]!;
const panel = (title: string): BuiltPanel => {
  const found = dataPanels(overview).find((p) => p.title === title);
  assert.ok(found, `the overview dashboard has a panel "${title}"`);
  return found;
};

test('the adaptive-seed stat shows rounds, runs used, the fixed-seed cost and the runs saved', async () => {
  const r = await runAsReader(panel('Adaptive seeds: runs used'));
  assert.deepEqual(r.columns, { rounds: 'int4', 'runs used': 'int4', 'at maxSeeds everywhere': 'int4', saved: 'int4' });
  // 3 configurations × seeds 1–3, then seeds 4 and 5 for the control and dropout1 = 0.5: 13 of 15.
  assert.deepEqual(r.rows, [[2, 13, 15, 2]]);
});

test('the adaptive-seed table shows each comparison with its status, seeds and anytime-valid interval', async () => {
  const r = await runAsReader(panel('Adaptive seeds: comparisons'));
  assert.deepEqual(r.columns, {
    comparison: 'text', status: 'text', n: 'int4', seeds: 'int4', 'seeds (other)': 'int4', difference: 'float8', interval: 'text', 'p (anytime)': 'float8', round: 'int4',
  });
  const rows = await handle.db.selectFrom('replicate_comparisons').selectAll().where('sweep_id', '=', adaptiveFixtureId).orderBy('ordinal').execute();
  assert.deepEqual(
    r.rows.map((row) => row.slice(0, 6)),
    [
      ['dropout1=0.5 vs dropout1=0', 'stopped-at-cap', 5, 5, 5, rows[0]!.mean],
      ['dropout1=0.9 vs dropout1=0', 'resolved', 3, 3, 5, rows[1]!.mean],
    ],
  );
  // The confidence sequences at alpha/m = 0.025, in percentage points, as the rule computed them.
  const pp = (v: number | null): string => `${v! < 0 ? '-' : '+'}${Math.abs(v! * 100).toFixed(2)}`;
  assert.deepEqual(
    r.rows.map((row) => row[6]),
    rows.map((c) => `${pp(c.ci_low)} to ${pp(c.ci_high)} pp (anytime-valid 97.5%)`),
  );
  assert.ok((r.rows[1]![7] as number) < 0.025 && (r.rows[0]![7] as number) > 0.025, `p (anytime): ${r.rows.map((x) => x[7]).join(', ')}`);
});
