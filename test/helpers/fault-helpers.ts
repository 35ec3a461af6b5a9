import { setTimeout as sleep } from 'node:timers/promises';
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

