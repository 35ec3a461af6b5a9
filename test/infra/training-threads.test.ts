import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../config';
import { startLocalStack } from '../../infra/local/local-stack';
import { blasThreadsPerWorker, trainingWorkerEnv } from '../../infra/local/training-threads';
import { nativeSkipReason } from '../native/kernel-comparison';
import { createTestDatabase } from '../helpers/test-database';

test('blasThreadsPerWorker splits the cores between training workers, at least one thread each', () => {
  assert.equal(blasThreadsPerWorker(1, 8), null);
  assert.equal(blasThreadsPerWorker(2, 8), 4);
  assert.equal(blasThreadsPerWorker(3, 8), 2);
  assert.equal(blasThreadsPerWorker(2, 2), 1);
  assert.equal(blasThreadsPerWorker(4, 2), 1);
});

test('trainingWorkerEnv sets OPENBLAS_NUM_THREADS for several workers unless the operator set it', () => {
  assert.equal(trainingWorkerEnv({ PATH: '/bin' }, 2, 16).OPENBLAS_NUM_THREADS, '8');
  assert.equal(trainingWorkerEnv({ PATH: '/bin' }, 1, 16).OPENBLAS_NUM_THREADS, undefined);
  assert.equal(trainingWorkerEnv({ OPENBLAS_NUM_THREADS: '3' }, 2, 16).OPENBLAS_NUM_THREADS, '3');
  assert.equal(trainingWorkerEnv({ OPENBLAS_NUM_THREADS: ' ' }, 2, 2).OPENBLAS_NUM_THREADS, '1');
  const env = { PATH: '/bin' };
  trainingWorkerEnv(env, 2, 2);
  assert.deepEqual(env, { PATH: '/bin' }, 'the given environment is not modified');
});

test('the local stack starts each of its training workers with its share of the cores, and they say so', { skip: nativeSkipReason() }, async () => {
  const database = await createTestDatabase('regsweep_threads');
  const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-threads-'));
  const lines: string[] = [];
  const env = { ...process.env, DATABASE_URL: database.url, REGSWEEP_HOME: home, REGSWEEP_TEMPORAL_PORT: '0', REGSWEEP_TEMPORAL_UI_PORT: '0' };
  try {
    const stack = await startLocalStack(loadConfig(env), {
      trainWorkers: 2,
      headless: true,
      log: (line) => lines.push(line),
      // Blank counts as unset: the launcher then decides, whatever this machine's environment says.
      workerEnv: { OPENBLAS_NUM_THREADS: '' },
    });
    await stack.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
    await database.drop();
  }
  const share = blasThreadsPerWorker(2, os.availableParallelism())!;
  const trainers = lines.filter((line) => / role=train .* ready$/.test(line));
  assert.equal(trainers.length, 2, lines.join('\n'));
  assert.ok(!lines.some((line) => line.includes('No workflows registered')), 'training workers print no activities-only notice');
  for (const line of trainers) assert.match(line, new RegExp(`backend=native \\(OpenBLAS \\w+ kernels, ${share} threads?\\) ready$`));
});
