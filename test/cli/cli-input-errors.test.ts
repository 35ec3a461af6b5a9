import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../helpers/test-database';

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-cli-'));

async function regsweep(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, REGSWEEP_HOME: dir, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function specFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const good = { name: 'cli', grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [5, 10, 20] }, seeds: [1, 2] };

const cases: [string, string, RegExp][] = [
  ['malformed JSON', '{"name": "x", ', /^regsweep: spec is not valid JSON: /],
  ['a dropout of 1', JSON.stringify({ ...good, grid: { ...good.grid, dropout2: [1] } }), /^regsweep: grid\.dropout2\[0\] must be in \[0, 1\), got 1$/],
  [
    'fractional epochs',
    JSON.stringify({ ...good, grid: { ...good.grid, epochs: [2.5] } }),
    /^regsweep: grid\.epochs\[0\] must be an integer in \[1, 10000\], got 2\.5$/,
  ],
  ['an unknown key', JSON.stringify({ ...good, seed: [1] }), /^regsweep: seed is not a known setting; allowed keys are /],
  ['a wrong type', JSON.stringify({ ...good, seeds: 'all' }), /^regsweep: seeds must be a non-empty array, got "all"$/],
  [
    'an unknown regularizer',
    JSON.stringify({ ...good, grid: { ...good.grid, regularizer: ['dropblock'] } }),
    /^regsweep: grid\.regularizer\[0\] must be one of "dropout", "dropconnect", "gaussian", "additive-gaussian", got "dropblock"$/,
  ],
  [
    'a gaussian rate of 1',
    JSON.stringify({ ...good, grid: { ...good.grid, regularizer: ['gaussian'], dropout1: [1] } }),
    /^regsweep: grid\.dropout1\[0\] must be in \[0, 1\), got 1$/,
  ],
  [
    'batchNorm as a string',
    JSON.stringify({ ...good, grid: { ...good.grid, batchNorm: ['yes'] } }),
    /^regsweep: grid\.batchNorm\[0\] must be true or false, got "yes"$/,
  ],
  [
    'evalDropoutSamples out of range',
    JSON.stringify({ ...good, train: { evalDropoutSamples: 1000 } }),
    /^regsweep: train\.evalDropoutSamples must be an integer in \[0, 100\], got 1000$/,
  ],
];

for (const [what, content, message] of cases) {
  test(`regsweep plan exits 2 with one line when the spec has ${what}`, async () => {
    const r = await regsweep(['plan', specFile(`${what}.json`, content)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim(), message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  });
}

test('regsweep plan exits 2 when the grid is over REGSWEEP_MAX_TRIALS', async () => {
  const r = await regsweep(['plan', specFile('big.json', JSON.stringify(good))], { REGSWEEP_MAX_TRIALS: '5' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the grid has 12 trials, more than the cap of 5; shrink an axis or raise REGSWEEP_MAX_TRIALS/);
});

test('regsweep plan exits 2 when the spec file does not exist', async () => {
  const r = await regsweep(['plan', path.join(dir, 'missing.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^regsweep: cannot read spec file .*missing\.json: ENOENT$/m);
});

test('regsweep plan counts trials, runs and the epochs that will really train', async () => {
  const r = await regsweep(['plan', specFile('good.json', JSON.stringify(good))], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sweep cli: 12 trials, 4 runs, each trained to epoch 20$/m);
  assert.match(r.stdout, /^epochs to train: 80 \(training every trial separately would take 140\)$/m);
  assert.match(r.stdout, /^existing runs unknown: /m);
});

test('regsweep exits 2 on a malformed setting in the environment', async () => {
  const r = await regsweep(['plan', 'x.json'], { REGSWEEP_MAX_TRIALS: 'lots' });
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^regsweep: REGSWEEP_MAX_TRIALS must be an integer in \[1, 10000000\], got "lots"$/);
});

test('regsweep worker fails at start naming the package when the backend is not installed', async () => {
  // The worker migrates its database before it loads the engine, so it gets a scratch one.
  const database = await createTestDatabase();
  try {
    const r = await regsweep(['worker', '--role', 'train', '--backend', 'tensorflow-gpu'], { DATABASE_URL: database.url, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /@tensorflow\/tfjs-node-gpu/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    await database.drop();
  }
});

test('regsweep names the address and the setting when the database is unreachable', async () => {
  const r = await regsweep(['db', 'migrate'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/regsweep' });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'regsweep: cannot reach Postgres at 127.0.0.1:1/regsweep (ECONNREFUSED); start it, or set DATABASE_URL');
});

test('regsweep names the address and the setting when Temporal is unreachable', async () => {
  const r = await regsweep(['status', 'some-sweep'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^regsweep: cannot reach Temporal at 127\.0\.0\.1:1 \(.*\); start it with `regsweep dev` or set TEMPORAL_ADDRESS$/);
});

test('regsweep train exits 2 naming the valid regularizers when the regularizer is unknown', async () => {
  const r = await regsweep(['train', '--regularizer', 'dropblock', '--epochs', '1']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'regsweep: regularizer must be one of dropout, dropconnect, gaussian, additive-gaussian, got "dropblock"');
});

test('regsweep train exits 2 naming the range when evalDropoutSamples is out of range', async () => {
  const r = await regsweep(['train', '--eval-dropout-samples', '101', '--epochs', '1']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'regsweep: evalDropoutSamples must be an integer in [0, 100], got 101');
});

test('regsweep train exits 2 naming the valid backends when the backend is unknown', async () => {
  const r = await regsweep(['train', '--backend', 'tpu', '--epochs', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^regsweep: .*tpu.*wasm/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('regsweep train exits 2 naming the file when a dataset file is corrupt', async () => {
  const data = path.join(dir, 'corrupt-data');
  mkdirSync(data, { recursive: true });
  for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
    copyFileSync(path.join('/usr/share/datasets/fashion-mnist', f), path.join(data, f));
  }
  writeFileSync(path.join(data, 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 7])));
  const r = await regsweep(['train', '--epochs', '1', '--train-subset', '100'], { REGSWEEP_DATA_DIR: data });
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /t10k-labels-idx1-ubyte\.gz/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('regsweep plan of several specs counts the runs they share once, and names the file of a bad one', async () => {
  const a = specFile('share-a.json', JSON.stringify({ ...good, name: 'share-a' }));
  const b = specFile('share-b.json', JSON.stringify({ ...good, name: 'share-b', grid: { ...good.grid, dropout1: [0.5, 0.9], epochs: [30] } }));
  const r = await regsweep(['plan', a, b]);
  assert.equal(r.code, 0, r.stderr);
  // a: dropout1 ∈ {0, 0.5} × 2 seeds to epoch 20; b: dropout1 ∈ {0.5, 0.9} × 2 seeds to epoch 30; the two dropout1 = 0.5 runs are shared.
  assert.match(r.stdout, /^together: 6 distinct runs and 160 epochs to train \(a run two specs share trains once, to the larger epochs\)$/m);
  const bad = await regsweep(['plan', a, specFile('share-bad.json', JSON.stringify({ ...good, seeds: [] }))]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), `regsweep: ${path.join(dir, 'share-bad.json')}: seeds must be a non-empty array, got []`);
  assert.equal(bad.stdout, '');
});
