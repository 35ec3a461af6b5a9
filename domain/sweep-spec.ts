/**
 * The sweep spec: one JSON document, identical whether a sweep is launched from the
 * regsweep CLI or with `temporal workflow start --input-file`. Pure code: the sweep
 * workflow validates its own input with it inside Temporal's sandbox.
 */

import type { ReplicateSpec } from './replicate-spec';
import type { RegularizerName } from './training-limits';

/** The grid axes; every combination (times every seed) is one trial. */
export interface SweepGrid {
  dropout1: number[];
  dropout2: number[];
  weightDecay: number[];
  epochs: number[];
  /**
   * What `dropout1` / `dropout2` are the rates of (docs/training.md, "Regularizer variants").
   * Absent = `["dropout"]`, d2l's model, and runs keep the ids they had before the axis existed.
   */
  regularizer?: RegularizerName[];
  /** Batch normalization after each hidden dense layer. Absent = `[false]`. */
  batchNorm?: boolean[];
  /** Learning rates to sweep. Absent = `[train.lr]`; giving both is an error. */
  lr?: number[];
}

/** Training settings shared by every run of the sweep; bounds and defaults in training-limits.ts. */
export interface SweepTrainSettings {
  /** @default 0.5 */
  lr: number;
  /** @default 256 */
  batchSize: number;
  /** Sizes of the two hidden layers. @default [256, 256] */
  hidden: [number, number];
  /** Train on a fixed, class-balanced subset of this many images; null = all 60,000. @default null */
  trainSubset: number | null;
  /**
   * Test-time dropout: stochastic passes over the test images at every epoch (MC dropout), in
   * `trainingLimits.evalDropoutSamples`; absent or 0 = inference mode only. @default 0
   */
  evalDropoutSamples?: number;
}

/**
 * Orchestration knobs. Real clusters keep the defaults; tests shrink them because
 * Temporal's time-skipping server is not available and waits must be real.
 */
export interface SweepOrchestration {
  /** A training activity that sends no heartbeat for this long is retried elsewhere. @default 120 */
  heartbeatTimeoutSeconds: number;
  /** First retry delay of a failed activity; doubles up to retryMaxSeconds. @default 2 */
  retryInitialSeconds: number;
  /** @default 60 */
  retryMaxSeconds: number;
  /** Attempts per run before it is marked failed (0 = unlimited). @default 5 */
  maxAttempts: number;
  /** Task queue of the training workers; the workflow itself runs on the launch queue. @default "regsweep-train" */
  trainTaskQueue: string;
}

export interface SweepSpec {
  name: string;
  grid: SweepGrid;
  seeds: number[];
  train: SweepTrainSettings;
  /** Most training runs in flight at once. @default 8 */
  maxParallel: number;
  orchestration: SweepOrchestration;
  /** Seeds decided while the sweep runs (docs/adaptive-seeds.md); absent = train `seeds` as listed. */
  replicate?: ReplicateSpec;
}

export const defaultOrchestration: SweepOrchestration = Object.freeze({
  heartbeatTimeoutSeconds: 120,
  retryInitialSeconds: 2,
  retryMaxSeconds: 60,
  maxAttempts: 5,
  trainTaskQueue: 'regsweep-train',
});

/** The spec is invalid; `field` is its JSON path, e.g. `grid.dropout1[2]`. */
export class SpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SpecError';
  }
}
