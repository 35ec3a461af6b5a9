import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { printQuery, queryReadOnly } from '../../cli/commands/sql-command';
import type { CommandContext } from '../../cli/command-context';
import { loadConfig } from '../../config';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { testLogins, type TestLogin, type TestLogins } from '../helpers/test-logins';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { loadVariantFixture } from './variant-fixture';

// Every ```sql block of docs/sql.md and README.md runs here through the `regsweep sql` code
// path, so the documented examples break the build when the schema moves away from them.
const sqlBlocks = (file: string): string[] =>
  [...readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
const docQueries = sqlBlocks('docs/sql.md');
const readmeQueries = sqlBlocks('README.md');

let fx: FixtureDatabase;
let logins: TestLogins;
let reader: TestLogin;
let readerDb: DatabaseHandle;

before(async () => {
  fx = await openFixtureDatabase();
  // The variant views' examples read a sweep with several variants and test-time dropout.
  await loadVariantFixture(fx.handle.db);
  logins = testLogins(fx.handle.pool, fx.url);
  reader = await logins.create('sql_reader', 'in role regsweep_reader');
  readerDb = openDatabase(reader.url);
});
after(async () => {
  await readerDb?.close();
  await logins?.dropAll();
  await fx?.close();
});

async function runCount(): Promise<number> {
  const r = await fx.handle.pool.query<{ n: number }>('select count(*)::integer as n from runs');
  return r.rows[0]!.n;
}

test('queryReadOnly returns the rows of a select with columns in select order', async () => {
  const rows = await queryReadOnly(readerDb.pool, `select n, sweep_id, epochs from config_summary where sweep_id = 'quick' order by dropout1, dropout2`);
  assert.equal(rows.length, 4);
  assert.deepEqual(Object.keys(rows[0]!), ['n', 'sweep_id', 'epochs']);
  assert.deepEqual(rows[0], { n: 2, sweep_id: 'quick', epochs: 2 });
});

test('queryReadOnly keeps repeated column names apart', async () => {
  const rows = await queryReadOnly(readerDb.pool, 'select 1 as a, 2 as a, 3 as b');
  assert.deepEqual(rows, [{ a: 1, a_2: 2, b: 3 }]);
});

test('queryReadOnly rejects a write with the Postgres message as a usage error', async () => {
  const before = await runCount();
  await assert.rejects(queryReadOnly(readerDb.pool, 'delete from runs'), { name: 'UsageError', message: 'cannot execute DELETE in a read-only transaction' });
  await assert.rejects(queryReadOnly(readerDb.pool, 'create table scratch (id integer)'), { name: 'UsageError', message: /read-only transaction/ });
  assert.equal(await runCount(), before);
});

test('queryReadOnly rejects several statements so a commit cannot end the read-only transaction', async () => {
  const before = await runCount();
  await assert.rejects(queryReadOnly(readerDb.pool, 'commit; delete from runs'), { name: 'UsageError', message: /multiple commands/ });
  assert.equal(await runCount(), before);
});

test('queryReadOnly reports SQL errors in one line and an empty query as a usage error', async () => {
  await assert.rejects(queryReadOnly(readerDb.pool, 'select nope from config_summary'), (err: Error) => {
    assert.equal(err.name, 'UsageError');
    assert.equal(err.message, 'column "nope" does not exist');
    return true;
  });
  await assert.rejects(queryReadOnly(readerDb.pool, '   '), { name: 'UsageError', message: 'the query is empty' });
});

test('queryReadOnly refuses a superuser login in one line naming the reader setting', async () => {
  const superuser = decodeURIComponent(new URL(fx.url).username);
  await assert.rejects(queryReadOnly(fx.handle.pool, 'select 1'), {
    name: 'UsageError',
    message: `regsweep sql will not run as superuser "${superuser}": use a login in regsweep_reader (set REGSWEEP_READER_URL, or for the local stack see \`regsweep db url --role reader\`)`,
  });
});

test('queryReadOnly rejects a statement that returns no rows', async () => {
  await assert.rejects(queryReadOnly(readerDb.pool, 'reset role'), {
    name: 'UsageError',
    message: /^regsweep sql runs one query that returns rows .*; RESET is not one$/,
  });
});

test('printQuery renders the rows as csv through the configured database', async () => {
  const out: string[] = [];
  const ctx: CommandContext = {
    config: loadConfig({ DATABASE_URL: fx.url, REGSWEEP_READER_URL: reader.url, REGSWEEP_HOME: tmpdir() }, tmpdir()),
    out: (line) => out.push(line),
    err: () => undefined,
  };
  await printQuery(ctx, `select dropout1, dropout2, trials from config_summary where sweep_id = 'quick' order by 1, 2`, 'csv');
  assert.deepEqual(out, ['dropout1,dropout2,trials\n0,0,2\n0,0.2,2\n0.5,0,2\n0.5,0.2,2']);
});

test('docs/sql.md has an example query for every analysis view', () => {
  assert.ok(docQueries.length >= 7, `found ${docQueries.length} sql blocks`);
  for (const view of [
    'config_summary',
    'config_vs_best',
    'effect_vs_control',
    'effect_dropout_swap',
    'effect_interaction',
    'noise_diagnostic',
    'divergence_rate',
    'activation_variance',
    'run_progress',
    'epoch_test_accuracy',
    'comparison_availability',
    'main_effect',
    'effect_vs_variant',
    'test_time_dropout',
  ]) {
    assert.ok(
      docQueries.some((q) => q.includes(view)),
      `no example uses ${view}`,
    );
  }
});

test('docs/sql.md answers each of the questions (a) to (h) with a query', () => {
  const text = readFileSync(new URL('../../docs/sql.md', import.meta.url), 'utf8');
  for (const letter of 'abcdefgh') {
    const section = text.split(/\n### /).find((part) => part.startsWith(`(${letter}) `));
    assert.ok(section, `no section (${letter})`);
    assert.match(section, /```sql\n/, `section (${letter}) has no query`);
  }
});

test('README.md shows SQL examples', () => {
  assert.ok(readmeQueries.length >= 2, `found ${readmeQueries.length} sql blocks in README.md`);
});

for (const [i, query] of [...docQueries, ...readmeQueries].entries()) {
  test(`documented SQL example ${i + 1} returns rows from the fixture (${query.split('\n')[0]})`, async () => {
    const rows = await queryReadOnly(readerDb.pool, query);
    assert.ok(rows.length > 0, `example ${i + 1} returned no rows:\n${query}`);
    for (const row of rows)
      assert.ok(
        Object.values(row).some((v) => v !== null),
        `example ${i + 1} returned an empty row`,
      );
  });
}
