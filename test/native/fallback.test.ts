import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeSkipReason } from './kernel-comparison';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A shared library named libopenblas.so.0 that exports none of OpenBLAS's functions. */
function fakeOpenBlas(dir: string): void {
  writeFileSync(path.join(dir, 'fake.c'), 'int regsweep_not_openblas;\n');
  // The C compiler that built the addon builds the stand-in too.
  const built = spawnSync('cc', ['-shared', '-fPIC', '-o', path.join(dir, 'libopenblas.so.0'), path.join(dir, 'fake.c')], { encoding: 'utf8' });
  assert.equal(built.status, 0, `cc could not build the stand-in library: ${built.stderr ?? built.error}`);
}

test('regsweep train warns in one line and trains on wasm when the native addon cannot load', { skip: nativeSkipReason() }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-fakeblas-'));
  try {
    fakeOpenBlas(dir);
    const run = spawnSync(process.execPath, ['bin/regsweep.mjs', 'train', '--epochs', '1', '--train-subset', '100', '--json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LD_LIBRARY_PATH: dir, REGSWEEP_BACKEND: 'auto' },
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('regsweep: backend native is unavailable'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0]!, /training on wasm instead/);
    assert.match(run.stderr, /with backend wasm/);
    assert.equal((JSON.parse(run.stdout.trim()) as { backend: string }).backend, 'wasm');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
