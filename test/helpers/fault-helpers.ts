import { setTimeout as sleep } from 'node:timers/promises';
import type { EpochMetricsRow } from '../../db/epoch-metrics.table';
import { loadConfig } from '../../config';
import { parseBackendName, selectBackend } from '../../training/backends';
import { loadDatasetCached, locateDataset } from '../../training/fashion-mnist';
import { train, type EpochMetrics } from '../../training/train';
import type { TrainConfig } from '../../training/train-config';

/** Polls `probe` until it returns a value; fails the test with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The same config trained here, uninterrupted, on the backend the test stack's workers choose. */
export async function referenceMetrics(config: TrainConfig): Promise<EpochMetrics[]> {
  await selectBackend(parseBackendName(loadConfig().backend));
  return train(config, loadDatasetCached(locateDataset({ dataDir: null })));
}

/** The deterministic part of an epoch's metrics, from either a database row or the engine. */
export function stripTiming(m: EpochMetricsRow | EpochMetrics): Record<string, number | null> {
  const row = 'train_loss' in m;
  const r = m as EpochMetricsRow;
  const e = m as EpochMetrics;
  return {
    epoch: m.epoch,
    trainLoss: row ? r.train_loss : e.trainLoss,
    trainAcc: row ? r.train_acc : e.trainAcc,
    trainAccEval: row ? r.train_acc_eval : e.trainAccEval,
    testLoss: row ? r.test_loss : e.testLoss,
    testAcc: row ? r.test_acc : e.testAcc,
    actVar1: row ? r.act_var1 : e.actVar1,
    actVar2: row ? r.act_var2 : e.actVar2,
    weightNorm1: row ? r.weight_norm1 : e.weightNorm1,
    weightNorm3: row ? r.weight_norm3 : e.weightNorm3,
  };
}
