import {
  defaultBatchNorm,
  defaultEvalDropoutSamples,
  defaultInitStd,
  defaultRegularizer,
  defaultTrainSettings,
  regularizerNames,
  trainingLimits,
  type IntegerLimit,
  type RegularizerName,
} from '../domain/training-limits';
import { TrainConfigError } from './training-errors';

/**
 * Settings of one training run of the d2l dropout MLP
 * (784 → hidden[0] → dropout1 → hidden[1] → dropout2 → 10).
 */
export interface TrainConfig {
  /** Rate of the regularizer on the first hidden layer (the dropout probability by default), in [0, 1). */
  dropout1: number;
  /** Rate of the regularizer on the second hidden layer, in [0, 1). */
  dropout2: number;
  /** L2 penalty coefficient on weight matrices (never biases), >= 0. */
  weightDecay: number;
  /** Integer seeding init, shuffle order and dropout masks, in `trainingLimits.seed`. */
  seed: number;
  /** Train until this epoch (1-based, inclusive), in `trainingLimits.epochs`. */
  epochs: number;
  /** SGD learning rate. @default 0.5 */
  lr: number;
  /** Minibatch size. @default 256 */
  batchSize: number;
  /** Widths of the two hidden layers. @default [256, 256] */
  hidden: [number, number];
  /** Train on a fixed class-balanced subset of this many images; null = all 60,000. @default null */
  trainSubset: number | null;
  /** Standard deviation of the normal weight init. @default 0.01 */
  initStd?: number;
  /**
   * What `dropout1` / `dropout2` are the rates of: `dropout` (inverted dropout of each hidden
   * layer's activations), `dropconnect` (of the weights reading them), `gaussian`
   * (multiplicative N(1, p/(1−p)) noise) or `additive-gaussian` (N(0, p²) noise added);
   * docs/training.md defines each. @default 'dropout'
   */
  regularizer?: RegularizerName;
  /** Batch normalization after each hidden dense layer, before its ReLU. @default false */
  batchNorm?: boolean;
  /**
   * Test-time dropout: T > 0 adds T stochastic passes over the test images to every epoch's
   * evaluation, with the regularizer's noise on, reported as `testAccDropout` (the first pass)
   * and `testAccMcDropout` (argmax of the mean softmax of all T); 0 evaluates in inference mode
   * only. An integer in `trainingLimits.evalDropoutSamples`; docs/training.md, "Test-time
   * dropout". @default 0
   */
  evalDropoutSamples?: number;
}

/** The fields a caller must give; everything else falls back to the defaults of domain/training-limits.ts. */
export type TrainConfigInput = Pick<TrainConfig, 'dropout1' | 'dropout2' | 'weightDecay' | 'seed' | 'epochs'> &
  Partial<Omit<TrainConfig, 'dropout1' | 'dropout2' | 'weightDecay' | 'seed' | 'epochs'>>;

/** Fills unset settings with the defaults of domain/training-limits.ts, then validates. */
export function withTrainDefaults(input: TrainConfigInput): Required<TrainConfig> {
  return validateTrainConfig({
    ...input,
    lr: input.lr ?? defaultTrainSettings.lr,
    batchSize: input.batchSize ?? defaultTrainSettings.batchSize,
    hidden: input.hidden ?? [...defaultTrainSettings.hidden],
    trainSubset: input.trainSubset === undefined ? defaultTrainSettings.trainSubset : input.trainSubset,
    initStd: input.initStd ?? defaultInitStd,
    regularizer: input.regularizer ?? defaultRegularizer,
    batchNorm: input.batchNorm ?? defaultBatchNorm,
    evalDropoutSamples: input.evalDropoutSamples ?? defaultEvalDropoutSamples,
  });
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isIntegerIn(value: unknown, { min, max }: IntegerLimit): value is number {
  return isNumber(value) && Number.isInteger(value) && value >= min && value <= max;
}

function requireInteger(field: string, value: unknown, { min, max }: IntegerLimit): number {
  if (!isIntegerIn(value, { min, max })) {
    throw new TrainConfigError(`${field} must be an integer in [${min}, ${max}], got ${describe(value)}`, field);
  }
  return value;
}

function requireRate(field: string, value: unknown, regularizer: RegularizerName): number {
  if (!isNumber(value) || value < 0 || value >= 1) {
    // Under a variant the field is that variant's rate, so the message says which meaning failed.
    const meaning = regularizer === defaultRegularizer ? '' : ` for regularizer ${regularizer}`;
    throw new TrainConfigError(`${field} must be in [0, 1)${meaning}, got ${describe(value)}`, field);
  }
  return value;
}

function requireRegularizer(value: unknown): RegularizerName {
  if (value === undefined) return defaultRegularizer;
  if (typeof value !== 'string' || !(regularizerNames as readonly string[]).includes(value)) {
    throw new TrainConfigError(`regularizer must be one of ${regularizerNames.join(', ')}, got ${describe(value)}`, 'regularizer');
  }
  return value as RegularizerName;
}

function requireBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TrainConfigError(`${field} must be true or false, got ${describe(value)}`, field);
  }
  return value;
}

function requirePositive(field: string, value: unknown): number {
  if (!isNumber(value) || value <= 0) {
    throw new TrainConfigError(`${field} must be a finite number > 0, got ${describe(value)}`, field);
  }
  return value;
}

/**
 * Checks every field of a training config and returns a copy with `initStd`, `regularizer`,
 * `batchNorm` and `evalDropoutSamples` filled in.
 * Configs arrive as JSON from workflow inputs, so types are checked too, not only ranges.
 *
 * @throws TrainConfigError naming the first bad field, e.g. `dropout1 must be in [0, 1), got 1.2`.
 */
export function validateTrainConfig(c: TrainConfig): Required<TrainConfig> {
  const weightDecay: unknown = c.weightDecay;
  if (!isNumber(weightDecay) || weightDecay < 0) {
    throw new TrainConfigError(`weightDecay must be a finite number >= 0, got ${describe(weightDecay)}`, 'weightDecay');
  }
  const hidden: unknown = c.hidden;
  const widths = trainingLimits.hidden;
  if (!Array.isArray(hidden) || hidden.length !== 2 || !hidden.every((width) => isIntegerIn(width, widths))) {
    throw new TrainConfigError(`hidden must be two integer layer widths in [${widths.min}, ${widths.max}], got ${describe(hidden)}`, 'hidden');
  }
  const trainSubset: unknown = c.trainSubset;
  const subsets = trainingLimits.trainSubset;
  if (trainSubset !== null && !isIntegerIn(trainSubset, subsets)) {
    throw new TrainConfigError(
      `trainSubset must be null or an integer in [${subsets.min}, ${subsets.max}], got ${describe(trainSubset)}`,
      'trainSubset',
    );
  }
  const regularizer = requireRegularizer(c.regularizer);
  return {
    dropout1: requireRate('dropout1', c.dropout1, regularizer),
    dropout2: requireRate('dropout2', c.dropout2, regularizer),
    weightDecay,
    seed: requireInteger('seed', c.seed, trainingLimits.seed),
    epochs: requireInteger('epochs', c.epochs, trainingLimits.epochs),
    lr: requirePositive('lr', c.lr),
    batchSize: requireInteger('batchSize', c.batchSize, trainingLimits.batchSize),
    hidden: [hidden[0] as number, hidden[1] as number],
    trainSubset: c.trainSubset,
    initStd: requirePositive('initStd', c.initStd ?? defaultInitStd),
    regularizer,
    batchNorm: requireBoolean('batchNorm', c.batchNorm, defaultBatchNorm),
    evalDropoutSamples:
      c.evalDropoutSamples === undefined
        ? defaultEvalDropoutSamples
        : requireInteger('evalDropoutSamples', c.evalDropoutSamples, trainingLimits.evalDropoutSamples),
  };
}
