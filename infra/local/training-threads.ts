import os from 'node:os';

/**
 * OpenBLAS threads for each of `workers` training processes on a machine with `cores` cores,
 * or null for OpenBLAS's own default (one per core) when a single worker has the machine.
 * Several workers each using every core oversubscribe it: OpenBLAS's threads spin while they
 * wait, and each product then waits for its slowest part. Two full-data runs at once on this
 * project's 2-core machine took 1.4–1.9 s per epoch each with one thread apiece and 2.2–2.7 s
 * with two (docs/performance.md).
 */
export function blasThreadsPerWorker(workers: number, cores: number): number | null {
  if (workers <= 1) return null;
  return Math.max(1, Math.floor(cores / workers));
}

/**
 * The environment for `workers` training processes started together on this machine: with
 * OPENBLAS_NUM_THREADS split between them, unless the operator set it. Every worker of the
 * launch gets the same count. On the native engine the count no longer changes a result (its
 * products run as fixed row blocks, docs/performance.md); on wasm and other engines it still may.
 */
export function trainingWorkerEnv(env: NodeJS.ProcessEnv, workers: number, cores = os.availableParallelism()): NodeJS.ProcessEnv {
  if (env.OPENBLAS_NUM_THREADS !== undefined && env.OPENBLAS_NUM_THREADS.trim() !== '') return env;
  const threads = blasThreadsPerWorker(workers, cores);
  return threads === null ? env : { ...env, OPENBLAS_NUM_THREADS: String(threads) };
}
