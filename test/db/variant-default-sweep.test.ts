import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, sql, type Kysely } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { Database } from '../../db/database';
import { recordDivergedEpoch } from '../../db/epoch-metrics-repository';
import { markRunDiverged } from '../../db/run-repository';
import { expandRuns } from '../../domain/grid-expansion';
import { migrations } from '../../infra/postgres/migrations/index';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { loadAnalysisFixture } from './analysis-fixture';
import { assertClose } from './assert-close';
import { loadNoZeroSweep, noZeroSweep } from './control-fixture';
import { loadOffsetGridFixture } from './offset-grid-fixture';

/*
 * Sweeps of the default variant alone (dropout, no batch norm, lr 0.5) give exactly the rows
 * they gave before variants existed. One database holds every analysis fixture (the grids with
 * zeros, without zeros, with pending, single-seed and diverged runs), written through the
 * repository functions under the current schema. Every view and dashboard function is read
 * there; then the database is migrated back to the migration before variants, whose down()
 * restores the earlier views (checked against the definitions a database migrated only that far
 * has), and read again with the same rows; then migrated up again, which backfills the new
 * columns from the existing rows. The earlier columns must agree cell by cell; the appended ones
 * must say "the default variant".
 */

const previous = '20261205T0900-run-lease';
// This migration, not the latest: later ones may change the views again.
const variants = '20261206T0900-regularizer-variants';

/** The relations and dashboard-function calls compared, with the filter that selects the rows the earlier view had. */
const readings: ReadonlyArray<{ name: string; from: string; where?: string }> = [
  { name: 'trial_results', from: 'trial_results' },
  { name: 'config_summary', from: 'config_summary' },
  { name: 'config_interval', from: 'config_interval' },
  { name: 'config_vs_best', from: 'config_vs_best' },
  { name: 'effect_vs_control', from: 'effect_vs_control' },
  { name: 'effect_dropout_swap', from: 'effect_dropout_swap' },
  { name: 'effect_interaction', from: 'effect_interaction' },
  { name: 'divergence_rate', from: 'divergence_rate' },
  { name: 'noise_diagnostic', from: 'noise_diagnostic' },
  { name: 'activation_variance', from: 'activation_variance' },
  { name: 'run_progress', from: 'run_progress' },
  { name: 'epoch_test_accuracy', from: 'epoch_test_accuracy' },
  // The comparisons the earlier view knew; vs_variant and test_time_dropout rows are new.
  { name: 'comparison_availability', from: 'comparison_availability', where: `comparison in ('vs_control', 'dropout_swap', 'interaction')` },
  { name: 'main_effect', from: 'main_effect' },
  { name: 'epoch_curve', from: 'epoch_curve' },
  { name: 'weight_norm_curve', from: 'weight_norm_curve' },
  { name: 'regsweep_main_effect (one weight decay)', from: `regsweep_main_effect('d2l-dropout', '4', array['0'])` },
  { name: 'regsweep_epoch_curve (one weight decay, one seed)', from: `regsweep_epoch_curve('d2l-dropout', array['0.001'], '2')` },
  { name: 'regsweep_weight_norm_curve (one seed)', from: `regsweep_weight_norm_curve('offset', null, '1')` },
];

/** What every appended column holds for a run of the default variant. */
const defaultVariant: Record<string, unknown> = {
  variant: 'dropout lr=0.5',
  regularizer: 'dropout',
  batch_norm: false,
  lr: 0.5,
  eval_dropout_samples: 0,
  test_acc_dropout: null,
  test_acc_mc_dropout: null,
  eval_dropout_seconds: null,
};

type Rows = Record<string, unknown>[];
interface Reading {
  columns: string[];
  rows: Rows;
}

let testDb: TestDatabase;
let handle: DatabaseHandle;
let definitionsBefore: string[];
let definitionsAfterDown: string[];
let withVariants: Map<string, Reading>;
let restored: Map<string, Reading>;
let upAgain: Map<string, Reading>;

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const result = await migrator(db).migrateTo(name);
  assert.equal(result.error, undefined, String(result.error));
}

/** Everything the schema says about regsweep's views, functions, tables and grants, as text. */
async function definitions(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ line: string }>`
    select 'view ' || viewname || ': ' || definition as line from pg_views where schemaname = 'public'
    union all
    select 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || '): ' || pg_get_functiondef(p.oid)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'
    union all
    select 'columns ' || c.relname || ': ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || coalesce(' -- ' || col_description(c.oid, a.attnum), ''), ', ' order by a.attnum)
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
     where n.nspname = 'public' and c.relkind in ('r', 'v')
     group by c.relname
    union all
    select 'constraint ' || conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid)
      from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select 'comment ' || c.relname || ': ' || obj_description(c.oid, 'pg_class')
      from pg_class c where c.relnamespace = 'public'::regnamespace and obj_description(c.oid, 'pg_class') is not null
    union all
    select 'grant ' || table_name || ' ' || grantee || ' ' || string_agg(privilege_type, ',' order by privilege_type)
      from information_schema.role_table_grants where table_schema = 'public' and grantee like 'regsweep%'
     group by table_name, grantee
    order by 1`.execute(db);
  return rows.map((r) => r.line);
}

/**
 * Each reading's rows, ordered by every column in turn. The variant columns come last, so a view
 * with them and its earlier definition put the same rows in the same order.
 */
async function read(db: Kysely<Database>): Promise<Map<string, Reading>> {
  const out = new Map<string, Reading>();
  for (const r of readings) {
    const where = r.where ? `where ${r.where}` : '';
    const first = await sql.raw<Record<string, unknown>>(`select * from ${r.from} as x ${where} limit 1`).execute(db);
    const columns = Object.keys(first.rows[0] ?? {});
    const order = columns.map((n) => `x.${JSON.stringify(n)}`).join(', ');
    const { rows } = await sql.raw<Record<string, unknown>>(`select * from ${r.from} as x ${where} order by ${order || '1'}`).execute(db);
    out.set(r.name, { columns, rows });
  }
  return out;
}

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  const db = handle.db;
  await migrateTo(db, previous);
  definitionsBefore = await definitions(db);

  await migrateTo(db, variants);
  await loadAnalysisFixture(db);
  await loadOffsetGridFixture(db);
  await loadNoZeroSweep(db);
  const diverging = expandRuns(noZeroSweep).find((r) => r.dropout1 === 0.4 && r.seed === 1)!;
  await recordDivergedEpoch(db, diverging.runId, 1, 'wasm', 'test-worker');
  await markRunDiverged(db, diverging.runId, 1, 'training diverged at epoch 1, batch 3: training loss is NaN');
  withVariants = await read(db);

  await migrateTo(db, previous);
  definitionsAfterDown = await definitions(db);
  restored = await read(db);

  await migrateTo(db, variants);
  upAgain = await read(db);
});
after(async () => {
  await handle?.close();
  await testDb?.drop();
});

test('migrating down from variants restores every view, function, column, constraint, comment and grant as they were', () => {
  assert.ok(definitionsBefore.some((d) => d.startsWith('view effect_interaction: ')));
  assert.deepEqual(definitionsAfterDown, definitionsBefore);
});

for (const { name } of readings) {
  test(`${name} gives the same rows and values for sweeps of the default variant as before variants existed`, () => {
    const old = restored.get(name)!;
    const now = withVariants.get(name)!;
    assert.ok(old.rows.length > 0, `${name} has rows to compare`);
    assert.equal(now.rows.length, old.rows.length);
    // The earlier columns keep their names and positions; the variant columns come after them.
    assert.deepEqual(now.columns.slice(0, old.columns.length), old.columns);
    const appended = now.columns.slice(old.columns.length);
    assert.ok(appended.includes('variant'), `${name} has a variant column`);
    old.rows.forEach((before, i) => {
      const row = now.rows[i]!;
      for (const column of old.columns) {
        const label = `${name} row ${i} ${column}`;
        if (typeof before[column] === 'number') assertClose(row[column] as number, before[column] as number, label, 1e-12);
        else assert.deepEqual(row[column], before[column], label);
      }
      for (const column of appended) {
        assert.ok(column in defaultVariant, `${name}: unexpected appended column ${column}`);
        assert.deepEqual(row[column], defaultVariant[column], `${name} row ${i} ${column}`);
      }
    });
  });
}

test('migrating up again backfills the trials and runs so that every view gives the same rows', () => {
  for (const { name } of readings) assert.deepEqual(upAgain.get(name), withVariants.get(name), name);
});
