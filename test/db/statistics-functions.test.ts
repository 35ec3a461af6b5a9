import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { assertClose } from './assert-close';
import { tTwoSidedP } from './hand-statistics';

let testDb: TestDatabase;
let handle: DatabaseHandle;

before(async () => {
  testDb = await createTestDatabase();
  handle = openDatabase(testDb.url);
  await migrateToLatest(handle.db);
});
after(async () => {
  await handle?.close();
  await testDb?.drop();
});

async function pvalue(t: number, df: number): Promise<number | null> {
  const r = await sql<{ p: number | null }>`select regsweep_t_pvalue(${t}::float8, ${df}::integer) as p`.execute(handle.db);
  return r.rows[0]!.p;
}

async function t975(df: number): Promise<number | null> {
  const r = await sql<{ q: number | null }>`select regsweep_t975(${df}::integer) as q`.execute(handle.db);
  return r.rows[0]!.q;
}

test('regsweep_t_pvalue returns textbook two-sided p-values', async () => {
  assertClose(await pvalue(2.776, 4), 0.05, 't = 2.776, df = 4', 1e-3);
  assertClose(await pvalue(2.228, 10), 0.05, 't = 2.228, df = 10', 1e-3);
  assertClose(await pvalue(1, 1), 0.5, 't = 1, df = 1', 1e-12);
  assertClose(await pvalue(-1, 1), 0.5, 't = -1, df = 1', 1e-12);
  assertClose(await pvalue(0, 7), 1, 't = 0', 1e-15);
  assertClose(await pvalue(1.959963984540054, 100000), 0.05, 'near-normal df', 1e-5);
});

test('regsweep_t_pvalue agrees with the closed-form Student-t distribution when df is an integer', async () => {
  const ts = [0.05, 0.5, 1, 1.5, 2, 3, 4.5, 7, 12, 25];
  const dfs = [1, 2, 3, 4, 5, 6, 9, 10, 17, 30, 64, 250];
  const r = await sql<{ t: number; df: number; p: number }>`
    select t, df, regsweep_t_pvalue(t, df) as p
      from unnest(${ts}::float8[]) as t, unnest(${dfs}::integer[]) as df`.execute(handle.db);
  assert.equal(r.rows.length, ts.length * dfs.length);
  for (const { t, df, p } of r.rows) {
    // The series loses relative precision in the far tail (1 − A with A near 1), so compare absolutely there.
    assertClose(p, tTwoSidedP(t, df), `t = ${t}, df = ${df}`, 1e-11);
  }
});

test('regsweep_t_pvalue keeps its relative precision far in the tail', async () => {
  for (const t of [1e3, 1e6]) {
    // df = 1: p = (2/π)·atan(1/t); df = 2: p = 2 / (√(2+t²)·(√(2+t²)+t)), both free of cancellation.
    const p1 = await pvalue(t, 1);
    const p2 = await pvalue(t, 2);
    const r = Math.sqrt(2 + t * t);
    assert.ok(Math.abs(p1! / ((2 / Math.PI) * Math.atan(1 / t)) - 1) < 1e-9, `df 1, t ${t}: ${p1}`);
    assert.ok(Math.abs(p2! / (2 / (r * (r + t))) - 1) < 1e-9, `df 2, t ${t}: ${p2}`);
  }
  assert.equal(await pvalue(1e200, 3), 0);
});

test('regsweep_t_pvalue and regsweep_t975 return null when df < 1 or t is NaN', async () => {
  assert.equal(await pvalue(2, 0), null);
  assert.equal(await pvalue(Number.NaN, 3), null);
  assert.equal(await t975(0), null);
  const r = await sql<{ p: number | null; q: number | null }>`select regsweep_t_pvalue(null, 3) as p, regsweep_t975(null) as q`.execute(handle.db);
  assert.deepEqual(r.rows[0], { p: null, q: null });
});

test('regsweep_t975 matches published quantiles for small df', async () => {
  const published: [number, number][] = [
    [1, 12.706204736174705],
    [2, 4.302652729749464],
    [3, 3.1824463052837095],
    [4, 2.7764451051977943],
    [9, 2.2621571627982053],
    [10, 2.228138851986275],
    [30, 2.042272456301238],
  ];
  for (const [df, q] of published) assertClose(await t975(df), q, `df = ${df}`, 1e-15);
});

test('regsweep_t975 is the 97.5% quantile within 1e-7 for every df up to 300', async () => {
  const r = await sql<{ df: number; q: number }>`select df, regsweep_t975(df) as q from generate_series(1, 300) as df order by df`.execute(handle.db);
  let previous = Number.POSITIVE_INFINITY;
  for (const { df, q } of r.rows) {
    assert.ok(q < previous && q > 1.959963984540054, `df = ${df}: ${q} must decrease towards z`);
    previous = q;
    // Near the quantile dp/dt = 2·f(t) ≈ 0.1, so |Δp| < 1e-8 means |Δt| < 1e-7.
    assert.ok(Math.abs(tTwoSidedP(q, df) - 0.05) < 1e-8, `df = ${df}: p(${q}) = ${tTwoSidedP(q, df)}`);
  }
});
