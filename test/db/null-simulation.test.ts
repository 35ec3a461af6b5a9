import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { holm, mean, oneWayAnova, pairedTest, signFlipP } from './hand-statistics';

/*
 * Synthetic sweeps, no training: 6 configurations (the first is the control) × 2 epochs values ×
 * 5 seeds, test accuracy on the 1e-4 grid of 10,000 test images, the two epochs of one run
 * correlated (ρ = 0.7) as a run's epochs are. Each sweep is tested as the views test it: every
 * configuration against the control paired by seed (t-test, or the exact sign-flip p where every
 * difference is equal, as effect_vs_control does), Holm over the whole family of 5 × 2
 * comparisons; and the one-way F test of noise_diagnostic per epochs value, its p from the
 * database's regsweep_f_pvalue.
 */
const sweeps = 400;
const configs = 6;
const epochsValues = 2;
const seeds = 5;
const sigma = 0.004;
// Monte-Carlo standard error of a share near 0.05 over 400 sweeps.
const mcSe = Math.sqrt((0.05 * 0.95) / sweeps);

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

/** Deterministic uniform numbers in [0, 1) (mulberry32), so the test gives the same shares every run. */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normals(seed: number): () => number {
  const u = uniforms(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** value[config][epochsIndex][seed]: 0.85 plus `planted` on config 1, plus seed noise. */
function simulateSweep(normal: () => number, planted: number): number[][][] {
  return Array.from({ length: configs }, (_, c) => {
    const first = Array.from({ length: seeds }, () => normal());
    const second = first.map((z) => 0.7 * z + Math.sqrt(1 - 0.7 ** 2) * normal());
    return [first, second].map((zs) => zs.map((z) => Math.round((0.85 + (c === 1 ? planted : 0) + sigma * z) * 1e4) / 1e4));
  });
}

/** The p the views use for one configuration against the control: t-test, else sign-flip when every difference is equal. */
function pairedP(diffs: number[]): number {
  const spread = Math.max(...diffs) - Math.min(...diffs);
  const t = spread > 1e-12 ? pairedTest(diffs) : null;
  return t ? t.p : signFlipP(diffs);
}

async function fPvalues(tests: { f: number; df1: number; df2: number }[]): Promise<number[]> {
  const r = await sql<{ p: number }>`
    select regsweep_f_pvalue(f, df1, df2) as p
      from unnest(${tests.map((x) => x.f)}::float8[], ${tests.map((x) => x.df1)}::integer[], ${tests.map((x) => x.df2)}::integer[])
           with ordinality as u(f, df1, df2, i)
     order by i`.execute(handle.db);
  return r.rows.map((row) => row.p);
}

function fTests(values: number[][][]): { f: number; df1: number; df2: number }[] {
  return Array.from({ length: epochsValues }, (_, e) => oneWayAnova(values.map((byEpochs) => byEpochs[e]!)));
}

test('with no real effect, at most 5% of sweeps have any Holm-adjusted p below 0.05 in their family, within Monte-Carlo error', async () => {
  const normal = normals(12);
  let familiesWithAny = 0;
  const anovas: { f: number; df1: number; df2: number }[] = [];
  for (let s = 0; s < sweeps; s++) {
    const values = simulateSweep(normal, 0);
    const ps: number[] = [];
    for (let c = 1; c < configs; c++) {
      for (let e = 0; e < epochsValues; e++) ps.push(pairedP(values[c]![e]!.map((v, i) => v - values[0]![e]![i]!)));
    }
    if (holm(ps).some((p) => p! < 0.05)) familiesWithAny++;
    anovas.push(...fTests(values));
  }
  const share = familiesWithAny / sweeps;
  assert.ok(share <= 0.05 + 3 * mcSe, `share of null families with a Holm p < 0.05: ${share}, bound ${0.05 + 3 * mcSe}`);
  // The F test is exact under the null: its rejection rate is 0.05 within its Monte-Carlo error (800 tests).
  const fp = await fPvalues(anovas);
  const fShare = fp.filter((p) => p < 0.05).length / fp.length;
  const fSe = Math.sqrt((0.05 * 0.95) / fp.length);
  assert.ok(Math.abs(fShare - 0.05) <= 3 * fSe, `share of null F tests with p < 0.05: ${fShare}`);
});

test('the noise diagnostic F test flags a configuration planted 2 seed sds above the rest in most sweeps', async () => {
  const normal = normals(34);
  const anovas: { f: number; df1: number; df2: number }[] = [];
  for (let s = 0; s < sweeps; s++) anovas.push(...fTests(simulateSweep(normal, 2 * sigma)));
  const fp = await fPvalues(anovas);
  const power = fp.filter((p) => p < 0.05).length / fp.length;
  // Noncentrality 5 × 4 × 5/6 ≈ 16.7 on (5, 24) degrees of freedom gives a power near 0.85.
  assert.ok(power >= 0.75, `share of sweeps with a planted effect flagged: ${power}`);
  assert.ok(mean(fp) < 0.05);
});
