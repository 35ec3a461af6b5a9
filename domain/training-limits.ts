/**
 * The bounds and defaults of every training setting, written once. The spec validator (inside
 * Temporal's workflow sandbox, so this module stays pure: no imports beyond types), the
 * training config validator, buildMlp and the training-subset sampler all read them from here,
 * so a spec that validates always trains.
 */
import type { SweepTrainSettings } from './sweep-spec';

/** Size of the Fashion-MNIST training split. */
export const fashionMnistTrainCount = 60_000;

/** Number of Fashion-MNIST classes. */
export const fashionMnistClassCount = 10;

/** An inclusive integer range. */
export interface IntegerLimit {
  readonly min: number;
  readonly max: number;
}

/** Inclusive bounds of the integer training settings. */
export const trainingLimits = Object.freeze({
  /**
   * A full-data epoch takes about a second on the native engine (docs/performance.md), so
   * 10,000 epochs is about three hours per run; a larger value is far more likely a typo than
   * an experiment, and would hold a training worker for a day.
   */
  epochs: { min: 1, max: 10_000 },
  /**
   * Width of each hidden layer. At 8,192 the middle weight matrix alone is 256 MiB of float32,
   * and with its gradient and the SGD update's copy a run holds about 1 GiB; twice the width
   * would need about 4 GiB per run, more than a training worker on an ordinary machine has.
   */
  hidden: { min: 1, max: 8_192 },
  /** A minibatch can hold at most the whole training split. */
  batchSize: { min: 1, max: fashionMnistTrainCount },
  /** The subset is class-balanced, so it needs at least one image of every class. */
  trainSubset: { min: fashionMnistClassCount, max: fashionMnistTrainCount },
  /** Seeds are stored in Postgres `integer` columns. */
  seed: { min: 0, max: 2 ** 31 - 1 },
  /**
   * Stochastic test passes per evaluated epoch (docs/training.md, "Test-time dropout"). Each
   * pass costs about one inference pass over the 10,000 test images, so 100 passes make an
   * epoch's evaluation 100 times as long; the Monte Carlo average has settled long before (its
   * standard error shrinks as 1/√T), so a larger value is more likely a typo than an experiment.
   */
  evalDropoutSamples: { min: 0, max: 100 },
} satisfies Record<string, IntegerLimit>);

/** The d2l defaults for every training setting a sweep does not vary. */
export const defaultTrainSettings: Readonly<SweepTrainSettings> = Object.freeze({
  lr: 0.5,
  batchSize: 256,
  hidden: Object.freeze([256, 256]) as unknown as [number, number],
  trainSubset: null,
});

/**
 * One training run's grid values when nobody chose them: the d2l chapter's dropout 0.2 after the
 * first hidden layer and 0.5 after the second, no weight decay, 10 epochs, seed 1. `regsweep train`
 * shows these as its defaults and the benchmarks train this configuration.
 */
export const d2lRunDefaults = Object.freeze({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, epochs: 10, seed: 1 });

/** Standard deviation of the normal weight init, as in d2l; not a sweep setting. */
export const defaultInitStd = 0.01;

/** Default cap on trials per sweep; larger sweeps must raise `REGSWEEP_MAX_TRIALS` explicitly. */
export const defaultMaxTrials = 100_000;

/** The largest trials cap `REGSWEEP_MAX_TRIALS` may set. */
export const largestMaxTrials = 10_000_000;

/**
 * What acts on each hidden layer in training, at the rate `dropout1` / `dropout2` of that layer
 * (docs/training.md, "Regularizer variants"): inverted dropout of the activations, DropConnect
 * on the weight matrix that reads them, multiplicative N(1, p/(1−p)) noise, or additive
 * N(0, σ²) noise with σ the rate. Every rate lies in [0, 1) whatever the variant, so one bound
 * holds for the rate fields and a swept rate means something under every variant.
 */
export const regularizerNames = Object.freeze(['dropout', 'dropconnect', 'gaussian', 'additive-gaussian'] as const);

/** One of {@link regularizerNames}. */
export type RegularizerName = (typeof regularizerNames)[number];

/** d2l's model: inverted dropout on the activations. */
export const defaultRegularizer: RegularizerName = 'dropout';

/** d2l's dropout MLP has no batch normalization. */
export const defaultBatchNorm = false;

/** Test-time dropout is off unless asked for: epochs evaluate in inference mode only, as in d2l. */
export const defaultEvalDropoutSamples = 0;
