import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend, type SelectBackendOptions } from '../training/backends';
import type { Dataset } from '../training/fashion-mnist';
import { train, type EpochMetrics } from '../training/train';
import { d2lRunDefaults } from '../domain/training-limits';
import { withTrainDefaults, type TrainConfig } from '../training/train-config';
import { BackendUnavailableError } from '../training/training-errors';

/** The regsweep engines the benchmark trains with: the same train() on two tfjs backends. */
export type BenchEngine = 'native' | 'wasm';

/** What to train: the d2l config (dropout 0.2/0.5, lr 0.5, batch 256) for each seed. */
export interface EngineWorkload {
  seeds: readonly number[];
  epochs: number;
  /** Training images per epoch; null = all 60,000. */
  trainSubset: number | null;
  /** Settings beyond the d2l config, e.g. a regularizer variant or batch norm. */
  variant?: Pick<TrainConfig, 'regularizer' | 'batchNorm'>;
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
    const config = withTrainDefaults({ ...d2lRunDefaults, ...workload.variant, seed, epochs: workload.epochs, trainSubset: workload.trainSubset });
    runs.push({ seed, metrics: await train(config, data) });
  }
  return { engine, backend, unavailable: null, runs };
}

/** A native run in its own process, and the OpenBLAS kernel set and thread count it had. */
export interface ChildEngineRuns extends EngineRuns {
  /** The engine as its ready line names it, e.g. `native (OpenBLAS SkylakeX kernels, 2 threads)`. */
  engineDescription: string;
  /** Why OpenBLAS's kernel set is what it is (native/blas-core.ts). */
  coreChoice: string;
  /** The most threads a product used. */
  threads: number;
}

const childScript = fileURLToPath(new URL('engine-child.ts', import.meta.url));

/**
 * {@link runEngine} in a fresh Node process with `env` laid over this one's: OpenBLAS reads its
 * kernel set and thread count once, when a process loads it, so comparing them needs processes.
 * Several calls at once run side by side, as workers sharing a machine do.
 */
export function runEngineInChild(engine: BenchEngine, workload: EngineWorkload, env: Record<string, string | undefined>): Promise<ChildEngineRuns> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, engine, JSON.stringify(workload)], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${engine} run in a child process exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
        return;
      }
      resolve(JSON.parse(stdout) as ChildEngineRuns);
    });
  });
}
