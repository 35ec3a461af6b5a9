import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, maxBatchRuns } from '../../config';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { selectBackend } from '../../training/backends';
import { loadDatasetCached } from '../../training/fashion-mnist';
import { train } from '../../training/train';
import type { SweepSummary } from '../../workflows/sweep-state';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { sweepWorkflowType } from '../../workflows/workflow-types';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';

// A real sweep on the webgpu engine (llvmpipe here, needing the Mesa packages that `npm test`'s
// prerequisites install) with a training worker that batches: REGSWEEP_BATCH_RUNS=4, and four
// runs for each of two seeds, which the sweep dispatches seed by seed, so they train as two units.
const spec = {
  name: 'batched-sweep',
  grid: { dropout1: [0, 0.5], dropout2: [0, 0.5], weightDecay: [0], epochs: [1, 2] },
  seeds: [3, 4],
  train: { lr: 0.5, batchSize: 64, hidden: [64, 64], trainSubset: 500 },
  maxParallel: 4,
  orchestration: { heartbeatTimeoutSeconds: 60, retryInitialSeconds: 1, retryMaxSeconds: 2 },
};
// The batched path's stated tolerance (docs/training.md, "Batched runs"; test/training/batched-webgpu.test.ts).
const batchedTolerance = 1e-5;

let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  stack = await startTestStack(database.url, ['orchestrate', 'train'], { env: { REGSWEEP_BACKEND: 'webgpu', REGSWEEP_BATCH_RUNS: '4' } });
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

const launch = async (id: string): Promise<SweepSummary> =>
  (await stack.client.workflow.execute(sweepWorkflowType, { taskQueue: sweepTaskQueue, workflowId: id, args: [spec] })) as SweepSummary;

test('a sweep on the webgpu engine trains the runs of each seed as one batched unit, each run with its single-run metrics', { timeout: 600_000 }, async () => {
  const summary = await launch('batched');
  assert.deepEqual({ runs: summary.runs, trained: summary.trained, failed: summary.failed }, { runs: 8, trained: 8, failed: 0 });

  const rows = await handle.db
    .selectFrom('epoch_metrics as m')
    .innerJoin('runs as r', 'r.id', 'm.run_id')
    .select([
      'r.id',
      'r.seed',
      'r.dropout1',
      'r.dropout2',
      'r.status',
      'r.backend as run_backend',
      'm.epoch',
      'm.seconds',
      'm.backend',
      'm.test_acc',
      'm.test_loss',
      'm.train_loss',
      'm.train_acc_eval',
      'm.weight_norm1',
    ])
    .orderBy(['r.id', 'm.epoch'])
    .execute();
  assert.equal(rows.length, 16, 'eight runs x two epochs, each once');
  assert.ok(rows.every((r) => r.status === 'completed' && r.backend === 'webgpu' && /^webgpu \(/.test(r.run_backend ?? '')));
  // Runs of one unit share each epoch's wall-clock time: one value per seed and epoch, and
  // different values for the two seeds, show that each seed's four runs trained together.
  for (const epoch of [1, 2]) {
    const perSeed = [3, 4].map((seed) => new Set(rows.filter((r) => r.epoch === epoch && r.seed === seed).map((r) => r.seconds)));
    assert.deepEqual(
      perSeed.map((s) => s.size),
      [1, 1],
      `epoch ${epoch}'s seconds ${perSeed.map((s) => [...s].join(', ')).join(' / ')}`,
    );
    assert.notEqual([...perSeed[0]!][0], [...perSeed[1]!][0]);
  }

  await selectBackend('webgpu', { warn: () => {} });
  const data = loadDatasetCached(realDatasetDir());
  for (const run of expandRuns(validateSpec(spec))) {
    const alone = await train({ ...run, epochs: run.maxEpochs }, data);
    for (const m of alone) {
      const row = rows.find((r) => r.id === run.runId && r.epoch === m.epoch)!;
      for (const [stored, single] of [
        [row.test_acc, m.testAcc],
        [row.test_loss, m.testLoss],
        [row.train_loss, m.trainLoss],
        [row.train_acc_eval, m.trainAccEval],
        [row.weight_norm1, m.weightNorm1],
      ] as const) {
        assert.ok(Math.abs(stored! - single) <= batchedTolerance * Math.abs(single), `run ${run.runId} epoch ${m.epoch}: stored ${stored}, alone ${single}`);
      }
    }
  }
});

test('relaunching the batched sweep reuses every run and trains nothing', { timeout: 120_000 }, async () => {
  const summary = await launch('batched-again');
  assert.deepEqual({ trained: summary.trained, reused: summary.reused, failed: summary.failed }, { trained: 0, reused: 8, failed: 0 });
  const epochs = await handle.db
    .selectFrom('epoch_metrics')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(epochs.n), 16);
});

test('REGSWEEP_BATCH_RUNS defaults to 1 and a bad value fails with one line naming the variable and its range', () => {
  assert.equal(loadConfig({}).batchRuns, 1);
  assert.equal(loadConfig({ REGSWEEP_BATCH_RUNS: '32' }).batchRuns, 32);
  for (const bad of ['0', '2.5', 'eight', String(maxBatchRuns + 1)]) {
    assert.throws(() => loadConfig({ REGSWEEP_BATCH_RUNS: bad }), {
      name: 'ConfigError',
      message: `REGSWEEP_BATCH_RUNS must be an integer in [1, ${maxBatchRuns}], got ${JSON.stringify(bad)}`,
    });
  }
});
