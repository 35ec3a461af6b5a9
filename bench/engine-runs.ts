import { selectBackend, type SelectBackendOptions } from '../training/backends';
import type { Dataset } from '../training/fashion-mnist';
import { train, type EpochMetrics } from '../training/train';
import { d2lRunDefaults } from '../domain/training-limits';
import { withTrainDefaults } from '../training/train-config';
import { BackendUnavailableError } from '../training/training-errors';

/** The regsweep engines the benchmark trains with: the same train() on two tfjs backends. */
export type BenchEngine = 'native' | 'wasm';

/** What to train: the d2l config (dropout 0.2/0.5, lr 0.5, batch 256) for each seed. */
export interface EngineWorkload {
  seeds: readonly number[];
  epochs: number;
  /** Training images per epoch; null = all 60,000. */
  trainSubset: number | null;
}

export interface EngineRuns {
  engine: BenchEngine;
  /** The tfjs backend that ran, or null when the engine is unavailable here. */
  backend: string | null;
  unavailable: string | null;
  runs: Array<{ seed: number; metrics: EpochMetrics[] }>;
}

/**
 * Trains the workload on one engine through train(), exactly as workers do, and keeps every
 * epoch's metrics (timings included). An engine that cannot start is reported, not thrown.
 */
export async function runEngine(engine: BenchEngine, data: Dataset, workload: EngineWorkload, options: SelectBackendOptions = {}): Promise<EngineRuns> {
  let backend: string;
  try {
    backend = await selectBackend(engine, options);
  } catch (error) {
    if (error instanceof BackendUnavailableError) return { engine, backend: null, unavailable: error.message, runs: [] };
    throw error;
  }
  const runs: EngineRuns['runs'] = [];
  for (const seed of workload.seeds) {
    const config = withTrainDefaults({ ...d2lRunDefaults, seed, epochs: workload.epochs, trainSubset: workload.trainSubset });
    runs.push({ seed, metrics: await train(config, data) });
  }
  return { engine, backend, unavailable: null, runs };
}
