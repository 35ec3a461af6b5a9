/**
 * Error classes of the training engine. Each one is a permanent problem: retrying the
 * same call gives the same failure, so callers should treat them as non-retryable.
 */

/**
 * Thrown when the Fashion-MNIST files cannot be found, read, parsed or downloaded.
 * The message names the file, what is wrong (expected vs got) and how to fix it.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    message: string,
    /** The file (absolute path or URL) at fault, or the folders searched when none was found. */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown by {@link validateTrainConfig} (and by train on resume) when a training setting is out of range. */
export class TrainConfigError extends Error {
  override readonly name = 'TrainConfigError';

  constructor(
    message: string,
    /** The offending config field, e.g. `dropout1`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * Thrown when a checkpoint cannot be decoded (truncated, bit-flipped, wrong format) or does
 * not fit the model it is restored into (missing tensor, wrong shape).
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/**
 * Thrown by selectBackend when the requested TensorFlow.js backend's package is not installed
 * or fails to initialise (e.g. missing CUDA libraries).
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';

  constructor(
    message: string,
    /** The backend that was asked for, e.g. `tensorflow-gpu`. */
    readonly backend: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Thrown by train when a run diverges: the mean training loss of a minibatch (checked every
 * batch, where it is read anyway) is NaN, ±Infinity or above the exploding-loss limit of
 * training/divergence.ts, or a weight matrix after an epoch is NaN or ±Infinity. Training stops
 * there, since every later epoch would only carry the broken values on. Divergence is a result
 * of the configuration, not a fault: the same config and seed diverge again at the same point,
 * so callers record it as the run's outcome instead of retrying.
 */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';

  constructor(
    /** 1-based epoch in which the divergence appeared; its metrics are not meaningful. */
    readonly epoch: number,
    /** 1-based minibatch of that epoch whose loss diverged; null when found after the epoch (weights). */
    readonly batch: number | null,
    /** What diverged: `training loss` (mean nats per example), or a parameter name such as `W1`. */
    readonly quantity: string,
    /** The offending value: non-finite, or a finite loss above the limit. */
    readonly value: number,
    /** What a value must be for training to continue. */
    requirement = 'a finite value is required to continue',
  ) {
    const where = batch === null ? `after epoch ${epoch}` : `at epoch ${epoch}, batch ${batch}`;
    super(`training diverged ${where}: ${quantity} is ${value}, ${requirement}`);
  }
}
