import * as tf from '@tensorflow/tfjs';
import type { DeviceBatch } from './batching';
import { sgdUpdate, softmaxCrossEntropyWithHits } from './fused-ops';
import { weightParamNames, type Mlp } from './mlp';

/** What one step needs beyond the batch; `batch` is the 0-based index that keys dropout masks. */
export interface StepSettings {
  epoch: number;
  batch: number;
  lr: number;
  weightDecay: number;
}

/** Training-mode loss summed over the batch's rows and the number of correct predictions. */
export interface StepResult {
  lossSum: number;
  correct: number;
}

/**
 * One minibatch SGD step on the mean softmax cross-entropy:
 * W ← W − lr·(∂L/∂W + weightDecay·W) for weight matrices and b ← b − lr·∂L/∂b for biases.
 * Weight decay skips biases (as in d2l): shrinking a bias does not limit the function's
 * complexity, it only shifts activations.
 */
export function sgdStep(mlp: Mlp, batch: DeviceBatch, step: StepSettings): StepResult {
  const decayed = new Set<string>(weightParamNames.map((name) => mlp.params[name].name));
  const summary = tf.tidy(() => {
    let hits: tf.Tensor | undefined;
    const { value: loss, grads } = tf.variableGrads(() => {
      const logits = mlp.forward(batch.x, { training: true, epoch: step.epoch, batch: step.batch });
      const score = softmaxCrossEntropyWithHits(logits, batch.labels, batch.oneHot, 'mean');
      // Kept out of variableGrads' internal tidy so accuracy comes from this same forward pass.
      hits = tf.keep(score.hits);
      return score.loss;
    }, mlp.variables);
    for (const variable of mlp.variables) {
      const decay = decayed.has(variable.name) ? step.weightDecay : 0;
      variable.assign(sgdUpdate(variable, grads[variable.name]!, step.lr, decay));
    }
    const result = tf.stack([tf.mul(loss, batch.rows), hits!]);
    hits!.dispose();
    return result;
  });
  const [lossSum, correct] = summary.dataSync();
  summary.dispose();
  return { lossSum: lossSum!, correct: correct! };
}
