import { createSweepRecordActivities } from '../../activities/sweep-records';
import { toEpochRow } from '../../db/epoch-row';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { markRunFinished, markRunProgress, markRunStarted } from '../../db/run-repository';
import { setSweepStatus } from '../../db/sweep-repository';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import type { SweepSpec } from '../../domain/sweep-spec';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { selectBackend } from '../../training/backends';
import { loadDatasetCached, locateDataset } from '../../training/fashion-mnist';
import { train } from '../../training/train';
import { createTestDatabase } from './test-database';

/*
 * A real, tiny sweep in a fresh database: 16 runs of a 784-64-64-10 MLP on 1,000 real
 * Fashion-MNIST images for 3 epochs (2×2 dropout grid × 2 weight decays × 2 seeds), trained
 * with train() and written with the same repositories the workers use. Training takes about
 * five seconds; the metrics are real, so dashboards and reports are checked against what a
 * sweep really produces rather than against chosen numbers. Small batches and lr 0.3 because
 * with d2l's batch 256 and init std 0.01 a net this small stays at chance for many epochs.
 */

export const realSweepId = 'real-mini';
export const realSweepWorker = 'fixture-worker';

export const realSweepSpec: SweepSpec = validateSpec({
  name: realSweepId,
  grid: { dropout1: [0, 0.5], dropout2: [0, 0.5], weightDecay: [0, 0.001], epochs: [2, 3] },
  seeds: [1, 2],
  train: { lr: 0.3, batchSize: 20, hidden: [64, 64], trainSubset: 1000 },
});

export interface RealSweepDatabase {
  url: string;
  handle: DatabaseHandle;
  sweepId: string;
  spec: SweepSpec;
  /** Runs and trials the sweep holds (16 and 32). */
  runs: number;
  trials: number;
  close(): Promise<void>;
}

async function trainAndRecord(handle: DatabaseHandle, spec: SweepSpec): Promise<void> {
  await selectBackend('wasm');
  const data = loadDatasetCached(locateDataset({ dataDir: null }));
  const { db } = handle;
  for (const run of expandRuns(spec)) {
    await markRunStarted(db, run.runId, realSweepWorker, 'wasm');
    await train({ ...run, epochs: run.maxEpochs }, data, {
      onEpoch: async (metrics) => {
        await upsertEpochMetrics(db, toEpochRow(run.runId, metrics, realSweepWorker));
        await markRunProgress(db, run.runId, metrics.epoch);
      },
    });
    await markRunFinished(db, run.runId, 'completed');
  }
}

/** A fresh migrated database holding {@link realSweepSpec}, registered and fully trained. */
export async function openRealSweepDatabase(): Promise<RealSweepDatabase> {
  const testDb = await createTestDatabase('regsweep_real');
  const handle = openDatabase(testDb.url);
  const close = async (): Promise<void> => {
    await handle.close();
    await testDb.drop();
  };
  try {
    await migrateToLatest(handle.db);
    const registered = await createSweepRecordActivities(handle.db).registerSweep({ sweepId: realSweepId, spec: realSweepSpec });
    await trainAndRecord(handle, realSweepSpec);
    await setSweepStatus(handle.db, realSweepId, 'completed');
    return { url: testDb.url, handle, sweepId: realSweepId, spec: realSweepSpec, runs: registered.runs, trials: registered.trials, close };
  } catch (err) {
    await close();
    throw err;
  }
}
