import { disposeBatch, rangeIndices, uploadBatch } from '../training/batching';
import { activeMaskFill, selectBackend, type EngineName } from '../training/backends';
import type { Dataset } from '../training/fashion-mnist';
import { buildMlp } from '../training/mlp';
import { createRng, deriveSeed, randomStreams } from '../training/seeded-random';
import { sgdStep } from '../training/sgd-step';
import { d2lRunDefaults } from '../domain/training-limits';
import { withTrainDefaults } from '../training/train-config';

/**
 * How closely two engines follow one training trajectory: the same init, batches and dropout
 * masks, stepped on each. They differ only in float rounding inside the kernels, which SGD at
 * lr 0.5 amplifies within about a hundred steps (tfjs's own cpu and wasm backends drift apart
 * just as fast), so the engines are compared on accuracy across seeds, not on bits.
 */
export interface StepAgreement {
  engines: [EngineName, EngineName];
  /** At each checkpoint: the step count, the largest |batch loss difference| so far, and max over parameters of ‖W_a − W_b‖ / ‖W_b‖. */
  checkpoints: Array<{ steps: number; maxLossDifference: number; maxRelativeParameterDifference: number }>;
}

async function trajectory(engine: EngineName, data: Dataset, checkpoints: readonly number[]) {
  await selectBackend(engine);
  const config = withTrainDefaults({ ...d2lRunDefaults, epochs: 1 });
  const order = createRng(deriveSeed(config.seed, randomStreams.shuffle, 1)).shuffleInPlace(rangeIndices(data.trainCount));
  // The engine's own mask generator, as train() uses.
  const mlp = buildMlp(config, { maskFill: activeMaskFill() });
  try {
    const losses: number[] = [];
    const weights: Float32Array[][] = [];
    for (let b = 0; b < Math.max(...checkpoints); b++) {
      const batch = uploadBatch(data.trainImages, data.trainLabels, order, b * config.batchSize, (b + 1) * config.batchSize);
      try {
        losses.push(sgdStep(mlp, batch, { epoch: 1, batch: b, lr: config.lr, weightDecay: 0 }).lossSum / batch.rows);
      } finally {
        disposeBatch(batch);
      }
      if (checkpoints.includes(b + 1)) weights.push(mlp.readWeights().map((w) => w.data));
    }
    return { losses, weights };
  } finally {
    mlp.dispose();
  }
}

function relativeDifference(x: Float32Array, y: Float32Array): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < y.length; i++) {
    difference += (x[i]! - y[i]!) ** 2;
    norm += y[i]! ** 2;
  }
  return norm === 0 ? Math.sqrt(difference) : Math.sqrt(difference / norm);
}

/** Steps both engines through the first minibatches of seed 1's first epoch; `checkpoints` are ascending step counts. */
export async function compareSteps(data: Dataset, engines: [EngineName, EngineName], checkpoints: readonly number[]): Promise<StepAgreement> {
  const a = await trajectory(engines[0], data, checkpoints);
  const b = await trajectory(engines[1], data, checkpoints);
  return {
    engines,
    checkpoints: checkpoints.map((steps, c) => ({
      steps,
      maxLossDifference: Math.max(...a.losses.slice(0, steps).map((loss, i) => Math.abs(loss - b.losses[i]!))),
      maxRelativeParameterDifference: Math.max(...a.weights[c]!.map((w, p) => relativeDifference(w, b.weights[c]![p]!))),
    })),
  };
}
