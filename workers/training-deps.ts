import type { RegsweepConfig } from '../config';
import type { TrainingDeps } from '../activities/train-run';
import { describeActiveEngine, parseBackendName, selectBackend } from '../training/backends';
import { createBatchCoordinator } from '../training/batched-coordinator';
import { loadDatasetCached, locateDataset } from '../training/fashion-mnist';

/**
 * Everything a training worker needs before it takes its first run: the backend (a
 * missing package fails here, at start, not at the first run) and the dataset, parsed
 * once and shared by every run of the process.
 */
export async function loadTrainingDeps(
  config: Readonly<RegsweepConfig>,
  backend: string,
  workerName: string,
  log: (line: string) => void = () => undefined,
): Promise<TrainingDeps> {
  await selectBackend(parseBackendName(backend));
  const dir = locateDataset({ dataDir: config.dataDir });
  const dataset = loadDatasetCached(dir);
  let stopping = false;
  // Temporal's runtime also listens for these and starts the worker's graceful shutdown. A
  // permanent listener (not `once`) keeps a second signal from killing the process mid-save.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void (stopping = true));
  // With K > 1 the worker runs up to K activities at once (workers/run-worker.ts), and the
  // coordinator trains those that can share a step together.
  const batched =
    config.batchRuns > 1 ? { train: createBatchCoordinator({ maxRuns: config.batchRuns, log: (line) => log(`worker ${workerName}: ${line}`) }) } : {};
  return { dataset: () => dataset, backend: describeActiveEngine(), workerName, shutdownRequested: () => stopping, ...batched };
}
