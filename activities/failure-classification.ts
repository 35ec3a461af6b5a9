import { ApplicationFailure } from '@temporalio/common';

/**
 * Decides, in one place, whether an error is permanent (retrying cannot help: bad spec,
 * missing dataset, unknown backend) or transient (connection reset, deadlock, worker
 * restart), and converts permanent ones into non-retryable failures.
 */
const permanentErrorNames = new Set(['SpecError', 'TrainConfigError', 'DatasetError', 'BackendUnavailableError', 'CheckpointError', 'TrainingDivergedError']);

// SQLSTATE classes that a retry fixes: connection exceptions, serialization failures and deadlocks,
// insufficient resources, operator intervention (admin shutdown, crash recovery).
const transientSqlStates = /^(08|40|53|57)/;

export function isPermanentError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof ApplicationFailure) return err.nonRetryable === true;
  if (permanentErrorNames.has(err.name)) return true;
  const code = (err as { code?: unknown }).code;
  // Other SQL errors (constraint violations, bad SQL) are bugs or bad data, not weather.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !transientSqlStates.test(code);
}

/** Rethrows `err`, marked non-retryable when it is permanent. */
export function classifyFailure(err: unknown): never {
  if (isPermanentError(err) && !(err instanceof ApplicationFailure)) {
    const e = err as Error;
    throw ApplicationFailure.nonRetryable(e.message, e.name);
  }
  throw err;
}
