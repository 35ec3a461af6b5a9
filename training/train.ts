import * as tf from '@tensorflow/tfjs';
import { activeMaskFill } from './backends';
import { createBatchSource, disposeBatch, rangeIndices, uploadEvalSet, type BatchSource } from './batching';
import { decodeWeights, encodeWeights } from './checkpoint-codec';
import { evaluateSplit, evaluateSplitWithProbe, evaluateStochastic, frobeniusNorm } from './evaluate';
import { balancedSubset, type Dataset } from './fashion-mnist';
import { imagePixels } from './idx-format';
import { buildMlp, type Mlp } from './mlp';
import { checkMinibatchLoss } from './divergence';
import { createRng, deriveSeed, randomStreams } from './seeded-random';
import { sgdStep } from './sgd-step';
import { validateTrainConfig, type TrainConfig } from './train-config';
import { DatasetError, TrainConfigError, TrainingDivergedError } from './training-errors';

/** What one epoch produced. Everything except the timing fields is identical across reruns of a config. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training-mode (regularizer on) loss over the epoch's minibatches, weighted by batch size. */
  trainLoss: number;
  /** Training-mode accuracy over the epoch's minibatches, weighted by batch size. */
  trainAcc: number;
  /** Inference-mode accuracy on the training images (the subset when trainSubset is set), after the epoch. */
  trainAccEval: number;
  /** Inference-mode mean loss on the 10,000 test images. */
  testLoss: number;
  /** Inference-mode accuracy on the 10,000 test images. */
  testAcc: number;
  /**
   * Test accuracy of one stochastic pass with the regularizer's noise on, drawn from the
   * evaluation stream (batch norm in inference mode); only when `evalDropoutSamples` > 0.
   */
  testAccDropout?: number;
  /**
   * Test accuracy of the argmax of the mean softmax probabilities of `evalDropoutSamples`
   * stochastic passes, the first being testAccDropout's (MC dropout); only when `evalDropoutSamples` > 0.
   */
  testAccMcDropout?: number;
  /** Test images that testAcc is measured on: its binomial standard error is √(p(1 − p)/testCount). */
  testCount: number;
  /** trainAccEval − testAcc. */
  gap: number;
  /** Population variance of hidden layer 1's post-ReLU activations on the first 1,000 test images. */
  actVar1: number;
  /** Same for hidden layer 2. */
  actVar2: number;
  /** Frobenius norms of W1, W2, W3. */
  weightNorm1: number;
  weightNorm2: number;
  weightNorm3: number;
  /** Wall-clock seconds of the epoch's training part only (onBatch time included). */
  seconds: number;
  /** Wall-clock seconds of the epoch's inference-mode evaluations. */
  evalSeconds: number;
  /**
   * Wall-clock seconds of the epoch's `evalDropoutSamples` stochastic test passes, kept out of
   * evalSeconds so that means the same whatever the setting; only when `evalDropoutSamples` > 0.
   */
  evalDropoutSeconds?: number;
  /** Training images per second of `seconds`. */
  samplesPerSec: number;
  /** The tfjs backend that ran the epoch, e.g. `wasm`. */
  backend: string;
}

/** Model state after an epoch; training resumed from it continues exactly as if never stopped. */
export interface Checkpoint {
  /** The last completed epoch. */
  epoch: number;
  /** Parameters encoded by training/checkpoint-codec.ts. */
  weights: Uint8Array;
}

export interface TrainCallbacks {
  /** Awaited after each epoch, before the next starts; the activity persists metrics + checkpoint and heartbeats here. */
  onEpoch?: (metrics: EpochMetrics, checkpoint: Checkpoint) => Promise<void> | void;
  /**
   * Awaited after every minibatch (`batch` counts the batches done in this epoch, 1..batches),
   * so the caller can yield to the event loop, heartbeat, and throw to cancel. A throw stops
   * training, frees every tensor, and propagates from train().
   */
  onBatch?: (info: { epoch: number; batch: number; batches: number }) => Promise<void> | void;
}

/** Rows per evaluation chunk, and images of the activation-variance probe (the first test images); the batched trainer reads them too. */
export const evalChunkRows = 5000;
export const probeRows = 1000;
// Independent of config.seed: every run with the same trainSubset sees the same images, so
// runs of a sweep differ only in what the sweep varies (and in init/order/dropout by seed).
export const trainSubsetSeed = 0;

/** @throws DatasetError when the dataset's arrays disagree with its counts. */
export function checkDataset(data: Dataset): void {
  const problems = [
    data.trainImages.length !== data.trainCount * imagePixels && `trainImages holds ${data.trainImages.length} values, expected ${data.trainCount * imagePixels}`,
    data.trainLabels.length !== data.trainCount && `trainLabels holds ${data.trainLabels.length} labels, expected ${data.trainCount}`,
    data.testImages.length !== data.testCount * imagePixels && `testImages holds ${data.testImages.length} values, expected ${data.testCount * imagePixels}`,
    data.testLabels.length !== data.testCount && `testLabels holds ${data.testLabels.length} labels, expected ${data.testCount}`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    throw new DatasetError(`dataset from ${data.source} is inconsistent: ${problems.join('; ')}`, data.source);
  }
}

async function trainEpoch(
  mlp: Mlp,
  source: BatchSource,
  subset: Int32Array,
  epoch: number,
  onBatch: TrainCallbacks['onBatch'],
): Promise<{ lossSum: number; correct: number }> {
  const { seed, batchSize, lr, weightDecay } = mlp.config;
  const order = createRng(deriveSeed(seed, randomStreams.shuffle, epoch)).shuffleInPlace(subset.slice());
  // The last, partial batch is kept, as d2l's DataLoader (drop_last=False) does: every image
  // is seen once per epoch and small subsets lose nothing.
  const batches = Math.ceil(order.length / batchSize);
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < batches; b++) {
    const batch = source.batch(order, b * batchSize, Math.min(order.length, (b + 1) * batchSize));
    try {
      const step = sgdStep(mlp, batch, { epoch, batch: b, lr, weightDecay });
      // The loss is read back every batch anyway, so checking it costs nothing, and stopping at
      // the first diverged batch spares the rest of a diverged epoch.
      checkMinibatchLoss(step.lossSum / batch.rows, epoch, b + 1);
      lossSum += step.lossSum;
      correct += step.correct;
    } finally {
      disposeBatch(batch);
    }
    await onBatch?.({ epoch, batch: b + 1, batches });
  }
  return { lossSum, correct };
}

function resumeEpoch(resumeFrom: Checkpoint | null, epochs: number): number {
  if (resumeFrom === null) return 0;
  if (!Number.isInteger(resumeFrom.epoch) || resumeFrom.epoch < 0 || resumeFrom.epoch > epochs) {
    throw new TrainConfigError(
      `epochs must be at least the checkpoint's epoch to resume from it: checkpoint epoch ${resumeFrom.epoch}, epochs ${epochs}`,
      'epochs',
    );
  }
  return resumeFrom.epoch;
}

/**
 * Trains the d2l dropout MLP with minibatch SGD from epoch 1, or from `resumeFrom.epoch + 1`,
 * through `config.epochs`, evaluating after every epoch. Deterministic: the same config,
 * data and checkpoint give the same metrics (timing aside) on the same backend. Frees every
 * tensor it creates, also when a callback throws.
 *
 * @returns the metrics of the epochs trained by this call (empty when the checkpoint is already at `epochs`).
 * @throws TrainConfigError for a bad config or a checkpoint past `epochs`; CheckpointError for a
 *   checkpoint that is damaged or shaped for another model; DatasetError for inconsistent data;
 *   TrainingDivergedError when a minibatch's mean training loss becomes NaN, ±Infinity or larger
 *   than the exploding-loss limit of training/divergence.ts, or a weight becomes NaN or
 *   ±Infinity (the run's outcome, not a fault: onEpoch has been called for every epoch before
 *   that one only).
 */
export async function train(
  config: TrainConfig,
  data: Dataset,
  callbacks: TrainCallbacks = {},
  resumeFrom: Checkpoint | null = null,
): Promise<EpochMetrics[]> {
  const valid = validateTrainConfig(config);
  checkDataset(data);
  const firstEpoch = resumeEpoch(resumeFrom, valid.epochs) + 1;
  if (firstEpoch > valid.epochs) return [];
  const subset =
    valid.trainSubset === null ? rangeIndices(data.trainCount) : balancedSubset(data.trainLabels, valid.trainSubset, trainSubsetSeed);

  const owned: Array<{ dispose(): void }> = [];
  const results: EpochMetrics[] = [];
  try {
    // The engine's own mask generator: the same masks as the JavaScript one, drawn several times
    // faster on native, so each engine's timing is its own.
    const mlp = buildMlp(valid, { maskFill: activeMaskFill() });
    owned.push(mlp);
    if (resumeFrom !== null) {
      mlp.assignWeights(decodeWeights(resumeFrom.weights));
    }
    const source = createBatchSource(data.trainImages, data.trainLabels);
    owned.push(source);
    // Evaluation sets never change within a run, so they are uploaded once, not every epoch.
    const trainEval = uploadEvalSet(data.trainImages, data.trainLabels, subset, evalChunkRows);
    owned.push(trainEval);
    const testEval = uploadEvalSet(data.testImages, data.testLabels, rangeIndices(data.testCount), evalChunkRows);
    owned.push(testEval);
    // The probe is the test set's first images: its activations come from the test set's pass.
    const probeCount = Math.min(probeRows, data.testCount);

    for (let epoch = firstEpoch; epoch <= valid.epochs; epoch++) {
      const trainStart = performance.now();
      const trained = await trainEpoch(mlp, source, subset, epoch, callbacks.onBatch);
      const seconds = (performance.now() - trainStart) / 1000;

      const evalStart = performance.now();
      const trainScore = evaluateSplit(mlp, trainEval);
      const testScore = evaluateSplitWithProbe(mlp, testEval, probeCount);
      const [actVar1, actVar2] = testScore.activationVariances;
      const evalSeconds = (performance.now() - evalStart) / 1000;
      const stochasticStart = performance.now();
      const stochastic = valid.evalDropoutSamples > 0 ? evaluateStochastic(mlp, testEval, epoch, valid.evalDropoutSamples) : null;
      const evalDropoutSeconds = (performance.now() - stochasticStart) / 1000;

      const weights = mlp.readWeights();
      // A finite loss can still leave a non-finite weight (an overflow in the last update); the
      // weights are read here for their norms anyway, and a NaN weight would be saved and resumed.
      const broken = weights.find((w) => !w.data.every(Number.isFinite));
      if (broken !== undefined) throw new TrainingDivergedError(epoch, null, broken.name, broken.data.find((v) => !Number.isFinite(v))!);
      const norm = (name: string): number => frobeniusNorm(weights.find((w) => w.name === name)!.data);
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: trained.lossSum / subset.length,
        trainAcc: trained.correct / subset.length,
        trainAccEval: trainScore.acc,
        testLoss: testScore.loss,
        testAcc: testScore.acc,
        // Absent, not undefined, when off: metrics without test-time dropout stay exactly as they were.
        testCount: data.testCount,
        gap: trainScore.acc - testScore.acc,
        actVar1,
        actVar2,
        weightNorm1: norm('W1'),
        weightNorm2: norm('W2'),
        weightNorm3: norm('W3'),
        seconds,
        evalSeconds,
        // Absent, not undefined, when off: metrics without test-time dropout stay exactly as they were.
        ...(stochastic === null
          ? {}
          : { testAccDropout: stochastic.onePassAcc, testAccMcDropout: stochastic.meanAcc, evalDropoutSeconds }),
        samplesPerSec: subset.length / seconds,
        backend: tf.getBackend(),
      };
      results.push(metrics);
      await callbacks.onEpoch?.(metrics, { epoch, weights: encodeWeights(weights) });
    }
    return results;
  } finally {
    owned.reverse().forEach((resource) => resource.dispose());
  }
}
