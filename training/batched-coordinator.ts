/**
 * A training worker's batch coordinator (docs/training.md, "Batched runs"): a drop-in for
 * train() that a worker running up to K trainRun activities at once calls instead. Calls that
 * can share a step (the same {@link batchGroupKey} and dataset) and arrive within a short
 * gathering window are trained together by trainBatched, up to K at a time; every other call
 * trains alone. Each caller gets exactly what train() would have given it — its own metrics, or
 * its own error — and its callbacks are called for its run only, so an activity keeps its
 * heartbeats, lease, rows and cancellation whatever else trains beside it.
 */
import { batchGroupKey, trainBatched } from './batched-train';
import type { Dataset } from './fashion-mnist';
import { train, type Checkpoint, type EpochMetrics, type TrainCallbacks } from './train';
import type { TrainConfig } from './train-config';

/** train()'s signature: what a trainRun activity calls to train its run. */
export type TrainFunction = (config: TrainConfig, data: Dataset, callbacks?: TrainCallbacks, resumeFrom?: Checkpoint | null) => Promise<EpochMetrics[]>;

/**
 * How long the first call of a group waits for companions. The activities of runs dispatched
 * together reach a worker within milliseconds of each other (each first takes its run's lock and
 * loads its checkpoint); a second is nothing beside a batched epoch and far below any heartbeat
 * timeout, which no heartbeat is sent during.
 */
export const batchGatherMs = 1000;

export interface BatchCoordinatorOptions {
  /** K: the most runs trained in one unit (the worker's setting, `REGSWEEP_BATCH_RUNS`). */
  maxRuns: number;
  /** @default batchGatherMs */
  gatherMs?: number;
  /** Told about each unit as it starts, e.g. `training 8 runs in one batched unit`. */
  log?: (line: string) => void;
}

interface Waiting {
  config: TrainConfig;
  data: Dataset;
  callbacks: TrainCallbacks;
  resumeFrom: Checkpoint | null;
  resolve: (metrics: EpochMetrics[]) => void;
  reject: (error: unknown) => void;
}

/** Builds a coordinator; its function may be called concurrently, once per run. */
export function createBatchCoordinator(options: BatchCoordinatorOptions): TrainFunction {
  const gatherMs = options.gatherMs ?? batchGatherMs;
  const pending = new Map<string, Waiting[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  // Runs share a step only when they train on the very same dataset object.
  const datasetIds = new WeakMap<Dataset, number>();
  let nextDatasetId = 0;

  const flush = (key: string): void => {
    clearTimeout(timers.get(key));
    timers.delete(key);
    const group = pending.get(key) ?? [];
    pending.delete(key);
    if (group.length === 0) return;
    if (group.length === 1) {
      // Alone, a run takes the single-run path and its engine's fused kernels.
      const [only] = group as [Waiting];
      train(only.config, only.data, only.callbacks, only.resumeFrom).then(only.resolve, only.reject);
      return;
    }
    options.log?.(`training ${group.length} runs in one batched unit`);
    trainBatched(
      group.map((w) => ({ config: w.config, callbacks: w.callbacks, resumeFrom: w.resumeFrom })),
      group[0]!.data,
    ).then(
      (outcomes) => outcomes.forEach((outcome, i) => (outcome.ok ? group[i]!.resolve(outcome.metrics) : group[i]!.reject(outcome.error))),
      (error: unknown) => group.forEach((w) => w.reject(error)),
    );
  };

  return async (config, data, callbacks = {}, resumeFrom = null) => {
    const key = batchGroupKey(config, resumeFrom);
    if (key === null || options.maxRuns <= 1) return train(config, data, callbacks, resumeFrom);
    if (!datasetIds.has(data)) datasetIds.set(data, nextDatasetId++);
    const fullKey = `${datasetIds.get(data)}|${key}`;
    return new Promise<EpochMetrics[]>((resolve, reject) => {
      const group = pending.get(fullKey) ?? [];
      group.push({ config, data, callbacks, resumeFrom, resolve, reject });
      pending.set(fullKey, group);
      if (group.length >= options.maxRuns) flush(fullKey);
      else if (!timers.has(fullKey))
        timers.set(
          fullKey,
          setTimeout(() => flush(fullKey), gatherMs),
        );
    });
  };
}
