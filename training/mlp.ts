import * as tf from '@tensorflow/tfjs';
import type { WeightArray } from './checkpoint-codec';
import { dense, inferenceDense } from './dense-op';
import { dropoutMask, fillDropoutMask, type MaskFill } from './dropout-mask';
import { reluDropout } from './fused-ops';
import { imagePixels, classCount } from './idx-format';
import { createRng, deriveSeed, randomStreams } from './seeded-random';
import { validateTrainConfig, type TrainConfig } from './train-config';
import { CheckpointError } from './training-errors';

/** Parameter names in the order they are created, stored and updated. */
export const mlpParamNames = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;
export type MlpParamName = (typeof mlpParamNames)[number];

/** Weight matrices get weight decay; biases do not. */
export const weightParamNames: readonly MlpParamName[] = ['W1', 'W2', 'W3'];

export interface MlpParams {
  W1: tf.Variable<tf.Rank.R2>;
  b1: tf.Variable<tf.Rank.R1>;
  W2: tf.Variable<tf.Rank.R2>;
  b2: tf.Variable<tf.Rank.R1>;
  W3: tf.Variable<tf.Rank.R2>;
  b3: tf.Variable<tf.Rank.R1>;
}

/**
 * Inference applies no dropout. Training applies inverted dropout with masks drawn from the
 * stream of (seed, epoch, batch, layer); `batch` is the 0-based minibatch index in the epoch.
 */
export type ForwardMode = { training: false } | { training: true; epoch: number; batch: number };

export interface MlpOutputs {
  logits: tf.Tensor2D;
  /** Post-ReLU activations of hidden layer 1, after dropout when training. */
  hidden1: tf.Tensor2D;
  /** Post-ReLU activations of hidden layer 2, after dropout when training. */
  hidden2: tf.Tensor2D;
}

/** The d2l dropout MLP: Flatten → Dense+ReLU → Dropout → Dense+ReLU → Dropout → Dense. */
export interface Mlp {
  readonly config: Required<TrainConfig>;
  readonly params: MlpParams;
  /** The six variables in {@link mlpParamNames} order. */
  readonly variables: tf.Variable[];
  /** Logits for images of shape [n, 784] or [n, 28, 28]. */
  forward(images: tf.Tensor, mode: ForwardMode): tf.Tensor2D;
  /** Logits plus both hidden layers' activations (for activation variance). */
  forwardWithActivations(images: tf.Tensor, mode: ForwardMode): MlpOutputs;
  /** Copies the current parameter values out of the backend. */
  readWeights(): WeightArray[];
  /** Overwrites every parameter; @throws CheckpointError when a name is missing or a shape differs. */
  assignWeights(weights: readonly WeightArray[]): void;
  dispose(): void;
}

function parameterShapes(config: Required<TrainConfig>): Record<MlpParamName, number[]> {
  const [h1, h2] = config.hidden;
  return { W1: [imagePixels, h1], b1: [h1], W2: [h1, h2], b2: [h2], W3: [h2, classCount], b3: [classCount] };
}

function createParams(config: Required<TrainConfig>): MlpParams {
  const shapes = parameterShapes(config);
  // One stream for all weights, drawn in a fixed order, so init depends on the seed alone.
  const rng = createRng(deriveSeed(config.seed, randomStreams.init));
  const initial = (name: MlpParamName): tf.Variable => {
    const shape = shapes[name];
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.startsWith('W')) {
      for (let i = 0; i < values.length; i++) {
        values[i] = rng.nextNormal() * config.initStd;
      }
    }
    return tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
  };
  return {
    W1: initial('W1') as tf.Variable<tf.Rank.R2>,
    b1: initial('b1') as tf.Variable<tf.Rank.R1>,
    W2: initial('W2') as tf.Variable<tf.Rank.R2>,
    b2: initial('b2') as tf.Variable<tf.Rank.R1>,
    W3: initial('W3') as tf.Variable<tf.Rank.R2>,
    b3: initial('b3') as tf.Variable<tf.Rank.R1>,
  };
}

/** How {@link buildMlp} may be adjusted. */
export interface MlpOptions {
  /**
   * Draws the dropout masks. Every {@link MaskFill} gives the same values, so this changes speed
   * only: train() passes the active engine's (training/backends.ts's activeMaskFill).
   * @default fillDropoutMask
   */
  maskFill?: MaskFill;
}

/** A hidden layer's output from its pre-activation z: ReLU, then inverted dropout when training. */
function hiddenActivation(z: tf.Tensor2D, p: number, layer: number, seed: number, mode: ForwardMode, maskFill: MaskFill): tf.Tensor2D {
  if (!mode.training || p === 0) {
    return tf.relu(z);
  }
  const [rows, cols] = z.shape;
  const mask = dropoutMask(rows, cols, p, { seed, epoch: mode.epoch, batch: mode.batch, layer }, maskFill);
  return reluDropout(z, tf.tensor2d(mask, [rows, cols]));
}

/**
 * Builds the MLP for a config (validated first) with weights drawn from N(0, initStd²) on the
 * (seed, init) stream and zero biases. The caller owns the variables: call dispose().
 *
 * @throws TrainConfigError for an invalid config.
 */
export function buildMlp(config: TrainConfig, options: MlpOptions = {}): Mlp {
  const valid = validateTrainConfig(config);
  const maskFill = options.maskFill ?? fillDropoutMask;
  const params = createParams(valid);
  const variables = mlpParamNames.map((name) => params[name] as tf.Variable);
  const shapes = parameterShapes(valid);

  const forwardWithActivations = (images: tf.Tensor, mode: ForwardMode): MlpOutputs =>
    tf.tidy(() => {
      const x = images.rank === 2 ? (images as tf.Tensor2D) : tf.reshape(images, [-1, imagePixels]);
      if (!mode.training) {
        const hidden1 = inferenceDense(x as tf.Tensor2D, params.W1, params.b1, 'relu');
        const hidden2 = inferenceDense(hidden1, params.W2, params.b2, 'relu');
        return { logits: inferenceDense(hidden2, params.W3, params.b3, 'linear'), hidden1, hidden2 };
      }
      const hidden1 = hiddenActivation(dense(x as tf.Tensor2D, params.W1, params.b1, false), valid.dropout1, 1, valid.seed, mode, maskFill);
      const hidden2 = hiddenActivation(dense(hidden1, params.W2, params.b2, true), valid.dropout2, 2, valid.seed, mode, maskFill);
      const logits = dense(hidden2, params.W3, params.b3, true);
      return { logits, hidden1, hidden2 };
    });

  return {
    config: valid,
    params,
    variables,
    forwardWithActivations,
    forward(images, mode) {
      const outputs = forwardWithActivations(images, mode);
      outputs.hidden1.dispose();
      outputs.hidden2.dispose();
      return outputs.logits;
    },
    readWeights() {
      return mlpParamNames.map((name) => ({
        name,
        shape: [...params[name].shape],
        // A copy: some backends hand out their live buffer.
        data: new Float32Array(params[name].dataSync()),
      }));
    },
    assignWeights(weights) {
      const byName = new Map(weights.map((w) => [w.name, w]));
      for (const name of mlpParamNames) {
        const w = byName.get(name);
        const shape = shapes[name];
        if (w === undefined) {
          throw new CheckpointError(`checkpoint lacks ${name}; expected tensors ${mlpParamNames.join(', ')}`);
        }
        if (w.shape.length !== shape.length || w.shape.some((dim, i) => dim !== shape[i])) {
          throw new CheckpointError(
            `checkpoint tensor ${name} has shape [${w.shape.join(', ')}], the model needs [${shape.join(', ')}] ` +
              `(hidden ${valid.hidden.join('x')})`,
          );
        }
      }
      for (const name of mlpParamNames) {
        tf.tidy(() => (params[name] as tf.Variable).assign(tf.tensor(byName.get(name)!.data, shapes[name])));
      }
    },
    dispose() {
      variables.forEach((v) => v.dispose());
    },
  };
}
