import { disposeBatch, rangeIndices, uploadBatch } from '../training/batching';
import { selectBackend, type EngineName } from '../training/backends';
import type { Dataset } from '../training/fashion-mnist';
import { buildMlp, mlpParamNames } from '../training/mlp';
import { createRng, deriveSeed, randomStreams } from '../training/seeded-random';
import { sgdStep } from '../training/sgd-step';
import { withTrainDefaults } from '../training/train-config';

/**
 * How closely two engines follow the same training trajectory: the same init, batches and
 * dropout masks, stepped on each. Differences come only from float rounding inside the
 * kernels; over epochs SGD amplifies them into the run-to-run spread a seed change gives.
 */
export interface StepAgreement {
  engines: [EngineName, EngineName];
  steps: number;
  /** Largest |loss difference| over the steps (mean batch loss). */
  maxLossDifference: number;
  /** ‖W_a − W_b‖ / ‖W_b‖ per parameter after the last step. */
  relativeParameterDifference: Record<string, number>;
}

async function trajectory(engine: EngineName, data: Dataset, steps: number) {
  await selectBackend(engine);
  const config = withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 1, epochs: 1 });
  const order = createRng(deriveSeed(config.seed, randomStreams.shuffle, 1)).shuffleInPlace(rangeIndices(data.trainCount));
  const mlp = buildMlp(config);
  try {
    const losses: number[] = [];
    for (let b = 0; b < steps; b++) {
      const batch = uploadBatch(data.trainImages, data.trainLabels, order, b * config.batchSize, (b + 1) * config.batchSize);
      try {
        losses.push(sgdStep(mlp, batch, { epoch: 1, batch: b, lr: config.lr, weightDecay: 0 }).lossSum / batch.rows);
      } finally {
        disposeBatch(batch);
      }
    }
    return { losses, weights: mlp.readWeights() };
  } finally {
    mlp.dispose();
  }
}

export async function compareSteps(data: Dataset, engines: [EngineName, EngineName], steps: number): Promise<StepAgreement> {
  const [a, b] = [await trajectory(engines[0], data, steps), await trajectory(engines[1], data, steps)];
  const relativeParameterDifference: Record<string, number> = {};
  mlpParamNames.forEach((name, p) => {
    const [x, y] = [a.weights[p]!.data, b.weights[p]!.data];
    let difference = 0;
    let norm = 0;
    for (let i = 0; i < y.length; i++) {
      difference += (x[i]! - y[i]!) ** 2;
      norm += y[i]! ** 2;
    }
    relativeParameterDifference[name] = Math.sqrt(difference / norm);
  });
  return {
    engines,
    steps,
    maxLossDifference: Math.max(...a.losses.map((loss, i) => Math.abs(loss - b.losses[i]!))),
    relativeParameterDifference,
  };
}
