import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { interactionViewSql } from '../../infra/postgres/migrations/20261203T0910-effect-families';
import { assertClose } from './assert-close';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';

/*
 * On grids with zeros on every axis, effect_interaction's baseline is no regularization and
 * every row and value is what the definition before the lowest-value fallback gave: that
 * definition is created next to it under another name and the two are compared cell by cell.
 */

let fx: FixtureDatabase;

before(async () => {
  fx = await openFixtureDatabase();
  const previous = interactionViewSql(true).replace('create or replace view effect_interaction', 'create view previous_effect_interaction');
  assert.notEqual(previous, interactionViewSql(true));
  await sql.raw(previous).execute(fx.handle.db);
});
after(async () => {
  await fx?.close();
});

const order = 'order by sweep_id, metric, epochs, dropout1, dropout2, weight_decay';

test('effect_interaction gives the same rows and values as before on grids with zeros', async () => {
  const before = await sql<Record<string, unknown>>`select * from previous_effect_interaction ${sql.raw(order)}`.execute(fx.handle.db);
  const now = await sql<Record<string, unknown>>`select * from effect_interaction ${sql.raw(order)}`.execute(fx.handle.db);
  assert.ok(before.rows.length > 0);
  assert.equal(now.rows.length, before.rows.length);
  const columns = Object.keys(before.rows[0]!);
  // The earlier columns keep their positions; the baseline columns come after them.
  assert.deepEqual(Object.keys(now.rows[0]!).slice(0, columns.length), columns);
  before.rows.forEach((old, i) => {
    const row = now.rows[i]!;
    for (const column of columns) {
      const label = `row ${i} ${column}`;
      if (typeof old[column] === 'number') assertClose(row[column] as number, old[column] as number, label, 1e-12);
      else assert.deepEqual(row[column], old[column], label);
    }
  });
});

test('effect_interaction names no regularization as its baseline on grids with zeros', async () => {
  const rows = await fx.handle.db
    .selectFrom('effect_interaction')
    .select(['baseline_dropout1', 'baseline_dropout2', 'baseline_weight_decay', 'baseline_kind'])
    .distinct()
    .execute();
  assert.deepEqual(rows, [{ baseline_dropout1: 0, baseline_dropout2: 0, baseline_weight_decay: 0, baseline_kind: 'no regularization' }]);
});
