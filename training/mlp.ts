import * as tf from '@tensorflow/tfjs';
import type { RegularizerName } from '../domain/training-limits';
import { batchNormInference, batchNormTrain, createBatchNormLayer, type BatchNormLayer } from './batch-norm';
import type { WeightArray } from './checkpoint-codec';
import { denseLayer, inferenceDense } from './dense-op';
import { dropoutMask, fillDropoutMask, type MaskFill } from './dropout-mask';
import { evalActivationNoise, evalDropconnectMask } from './eval-noise';
import { reluDropout } from './fused-ops';
import { imagePixels, classCount } from './idx-format';
import { additiveGaussianNoise, dropconnectMask, gaussianNoise } from './regularizer-noise';
import { createRng, deriveSeed, randomStreams } from './seeded-random';
import { validateTrainConfig, type TrainConfig } from './train-config';
import { CheckpointError } from './training-errors';

/** Parameter names in the order they are created, stored and updated. */
export const mlpParamNames = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;
export type MlpParamName = (typeof mlpParamNames)[number];

/** Weight matrices get weight decay; biases (and batch norm's γ and β) do not. */
export const weightParamNames: readonly MlpParamName[] = ['W1', 'W2', 'W3'];

/**
 * With batch norm, the stored tensors after the six parameters, in this order: γ and β are
 * trained, the running statistics are state that inference and an exact resume need.
 */
export const batchNormStateNames = ['gamma1', 'beta1', 'gamma2', 'beta2', 'runningMean1', 'runningVar1', 'runningMean2', 'runningVar2'] as const;

export interface MlpParams {
  W1: tf.Variable<tf.Rank.R2>;
  b1: tf.Variable<tf.Rank.R1>;
  W2: tf.Variable<tf.Rank.R2>;
  b2: tf.Variable<tf.Rank.R1>;
  W3: tf.Variable<tf.Rank.R2>;
  b3: tf.Variable<tf.Rank.R1>;
}

/**
 * Inference applies no dropout or noise (and batch norm uses its running statistics).
 * Training applies the config's regularizer with masks or noise drawn from the stream of
 * (seed, epoch, batch, layer), and batch norm normalizes with the batch's statistics and
 * updates the running ones; `batch` is the 0-based minibatch index in the epoch.
 * Inference with `evalPass` is a test-time stochastic pass: the regularizer acts as in
 * training, with noise from the evaluation stream of training/eval-noise.ts, while batch norm
 * still uses its running statistics and changes nothing.
 */
export type ForwardMode = { training: false; evalPass?: EvalPass } | { training: true; epoch: number; batch: number };

/** Which test-time stochastic pass, and which rows of the test set the images are. */
export interface EvalPass {
  /** The epoch being evaluated (1-based). */
  epoch: number;
  /** 0-based pass index. */
  pass: number;
  /** Index in the test set of the first image passed: the row where its noise starts in the pass's stream. */
  firstRow: number;
}

export interface MlpOutputs {
  logits: tf.Tensor2D;
  /** Post-ReLU activations of hidden layer 1, after dropout or noise when training (DropConnect leaves them as they are). */
  hidden1: tf.Tensor2D;
  /** Same for hidden layer 2. */
  hidden2: tf.Tensor2D;
}

/**
 * The d2l dropout MLP: Flatten → Dense+ReLU → Dropout → Dense+ReLU → Dropout → Dense, with
 * the config's regularizer in place of dropout and optional batch norm before each ReLU.
 */
export interface Mlp {
  readonly config: Required<TrainConfig>;
  readonly params: MlpParams;
  /** Each hidden layer's batch norm, or null without batch norm. */
  readonly batchNorm: readonly [BatchNormLayer, BatchNormLayer] | null;
  /** The trainable variables: the six of {@link mlpParamNames}, then γ1, β1, γ2, β2 with batch norm. */
  readonly variables: tf.Variable[];
  /** Logits for images of shape [n, 784] or [n, 28, 28]. */
  forward(images: tf.Tensor, mode: ForwardMode): tf.Tensor2D;
  /** Logits plus both hidden layers' activations (for activation variance). */
  forwardWithActivations(images: tf.Tensor, mode: ForwardMode): MlpOutputs;
  /** Copies the current parameter values (and batch norm's state, in {@link batchNormStateNames} order) out of the backend. */
  readWeights(): WeightArray[];
  /**
   * Overwrites every parameter and batch norm state.
   * @throws CheckpointError when a name is missing or unknown to this model, or a shape differs.
   */
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

/** How one hidden layer is regularized in a training-mode forward pass. */
interface LayerNoise {
  regularizer: RegularizerName;
  /** The layer's rate: dropout1 or dropout2. */
  p: number;
  layer: number;
  seed: number;
  maskFill: MaskFill;
}

/**
 * The activation-level noise of a hidden layer of `rows` × `cols` in this mode, or null when
 * the layer is left as it is (inference, a rate of 0, or DropConnect, which acts on weights).
 */
function activationNoise(noise: LayerNoise, mode: ForwardMode, rows: number, cols: number): Float32Array | null {
  if (noise.p === 0 || noise.regularizer === 'dropconnect') return null;
  if (!mode.training) {
    if (mode.evalPass === undefined) return null;
    const { epoch, pass, firstRow } = mode.evalPass;
    const key = { seed: noise.seed, epoch, pass, layer: noise.layer };
    return evalActivationNoise(noise.regularizer, noise.p, key, firstRow * cols, rows * cols, noise.maskFill);
  }
  const key = { seed: noise.seed, epoch: mode.epoch, batch: mode.batch, layer: noise.layer };
  switch (noise.regularizer) {
    case 'dropout':
      return dropoutMask(rows, cols, noise.p, key, noise.maskFill);
    case 'gaussian':
      return gaussianNoise(rows, cols, noise.p, key);
    case 'additive-gaussian':
      return additiveGaussianNoise(rows, cols, noise.p, key);
  }
}

/**
 * A hidden layer's output from its (normalized) pre-activation z: ReLU, then in training (or
 * a stochastic evaluation pass) the activation-level regularizer.
 */
function hiddenActivation(z: tf.Tensor2D, noise: LayerNoise, mode: ForwardMode): tf.Tensor2D {
  const [rows, cols] = z.shape;
  const values = activationNoise(noise, mode, rows, cols);
  if (values === null) return tf.relu(z);
  const drawn = tf.tensor2d(values, [rows, cols]);
  // relu(z)·m for any m of z's shape, so Gaussian noise takes the mask's place in the fused kernel.
  return noise.regularizer === 'additive-gaussian' ? tf.add(tf.relu(z), drawn) : reluDropout(z, drawn);
}

/**
 * The weight matrix reading hidden layer `noise.layer`: under DropConnect in training, one
 * mask for the whole minibatch, so the gradient reaching W is the masked one (in a stochastic
 * evaluation pass, one mask for the whole pass); else W itself.
 */
function readingWeights(weights: tf.Variable<tf.Rank.R2>, noise: LayerNoise, mode: ForwardMode): tf.Tensor2D {
  if (noise.p === 0 || noise.regularizer !== 'dropconnect') return weights;
  const [rows, cols] = weights.shape;
  if (!mode.training) {
    if (mode.evalPass === undefined) return weights;
    const key = { seed: noise.seed, epoch: mode.evalPass.epoch, pass: mode.evalPass.pass, layer: noise.layer };
    return tf.mul(weights, tf.tensor2d(evalDropconnectMask(rows, cols, noise.p, key, noise.maskFill), [rows, cols]));
  }
  const key = { seed: noise.seed, epoch: mode.epoch, batch: mode.batch, layer: noise.layer };
  return tf.mul(weights, tf.tensor2d(dropconnectMask(rows, cols, noise.p, key, noise.maskFill), [rows, cols]));
}

/** Name, variable and shape of every tensor a checkpoint holds for a model. */
interface StoredTensor {
  name: string;
  variable: tf.Variable;
  shape: number[];
}

function storedTensors(params: MlpParams, shapes: Record<MlpParamName, number[]>, batchNorm: Mlp['batchNorm']): StoredTensor[] {
  const stored: StoredTensor[] = mlpParamNames.map((name) => ({ name, variable: params[name] as tf.Variable, shape: shapes[name] }));
  if (batchNorm !== null) {
    const [bn1, bn2] = batchNorm;
    const byName: Record<(typeof batchNormStateNames)[number], tf.Variable<tf.Rank.R1>> = {
      gamma1: bn1.gamma,
      beta1: bn1.beta,
      gamma2: bn2.gamma,
      beta2: bn2.beta,
      runningMean1: bn1.runningMean,
      runningVar1: bn1.runningVar,
      runningMean2: bn2.runningMean,
      runningVar2: bn2.runningVar,
    };
    for (const name of batchNormStateNames) stored.push({ name, variable: byName[name], shape: [...byName[name].shape] });
  }
  return stored;
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
  const batchNorm: Mlp['batchNorm'] = valid.batchNorm ? [createBatchNormLayer(valid.hidden[0]), createBatchNormLayer(valid.hidden[1])] : null;
  const variables = mlpParamNames.map((name) => params[name] as tf.Variable);
  if (batchNorm !== null) variables.push(...batchNorm.flatMap((bn) => [bn.gamma, bn.beta]));
  const shapes = parameterShapes(valid);
  const stored = storedTensors(params, shapes, batchNorm);
  const noise1: LayerNoise = { regularizer: valid.regularizer, p: valid.dropout1, layer: 1, seed: valid.seed, maskFill };
  const noise2: LayerNoise = { ...noise1, p: valid.dropout2, layer: 2 };

  /** Batch norm between a hidden dense layer and its ReLU, when the config asks for it. */
  const normalize = (z: tf.Tensor2D, layer: 0 | 1, mode: ForwardMode): tf.Tensor2D => {
    if (batchNorm === null) return z;
    return mode.training ? batchNormTrain(z, batchNorm[layer]) : batchNormInference(z, batchNorm[layer]);
  };

  /**
   * A hidden layer in training or a stochastic pass. Without batch norm the product, bias, ReLU
   * and a multiplicative mask are one denseLayer (one kernel each way on native); batch norm
   * sits between the product and the ReLU, and additive noise after the ReLU.
   */
  const hiddenLayer = (x: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D, layer: 0 | 1, noise: LayerNoise, mode: ForwardMode): tf.Tensor2D => {
    const inputGradient = layer === 1;
    if (batchNorm !== null) {
      return hiddenActivation(normalize(denseLayer(x, weights, bias, { activation: 'linear', mask: null, inputGradient }), layer, mode), noise, mode);
    }
    const [rows, cols] = [x.shape[0], weights.shape[1]];
    const values = activationNoise(noise, mode, rows, cols);
    const drawn = values === null ? null : tf.tensor2d(values, [rows, cols]);
    if (drawn !== null && noise.regularizer === 'additive-gaussian') {
      return tf.add(denseLayer(x, weights, bias, { activation: 'relu', mask: null, inputGradient }), drawn);
    }
    return denseLayer(x, weights, bias, { activation: 'relu', mask: drawn, inputGradient });
  };

  const forwardWithActivations = (images: tf.Tensor, mode: ForwardMode): MlpOutputs =>
    tf.tidy(() => {
      const x = images.rank === 2 ? (images as tf.Tensor2D) : tf.reshape(images, [-1, imagePixels]);
      const plainInference = !mode.training && mode.evalPass === undefined;
      if (plainInference && batchNorm === null) {
        const hidden1 = inferenceDense(x as tf.Tensor2D, params.W1, params.b1, 'relu');
        const hidden2 = inferenceDense(hidden1, params.W2, params.b2, 'relu');
        return { logits: inferenceDense(hidden2, params.W3, params.b3, 'linear'), hidden1, hidden2 };
      }
      if (plainInference) {
        const hidden1 = tf.relu(normalize(inferenceDense(x as tf.Tensor2D, params.W1, params.b1, 'linear'), 0, mode));
        const hidden2 = tf.relu(normalize(inferenceDense(hidden1, params.W2, params.b2, 'linear'), 1, mode));
        return { logits: inferenceDense(hidden2, params.W3, params.b3, 'linear'), hidden1, hidden2 };
      }
      // Training, or a stochastic evaluation pass: the regularizer acts, and normalize picks
      // batch norm's batch or running statistics by mode.training.
      const hidden1 = hiddenLayer(x as tf.Tensor2D, params.W1, params.b1, 0, noise1, mode);
      const hidden2 = hiddenLayer(hidden1, readingWeights(params.W2, noise1, mode), params.b2, 1, noise2, mode);
      const logits = denseLayer(hidden2, readingWeights(params.W3, noise2, mode), params.b3, { activation: 'linear', mask: null, inputGradient: true });
      return { logits, hidden1, hidden2 };
    });

  return {
    config: valid,
    params,
    batchNorm,
    variables,
    forwardWithActivations,
    forward(images, mode) {
      const outputs = forwardWithActivations(images, mode);
      outputs.hidden1.dispose();
      outputs.hidden2.dispose();
      return outputs.logits;
    },
    readWeights() {
      return stored.map(({ name, variable }) => ({
        name,
        shape: [...variable.shape],
        // A copy: some backends hand out their live buffer.
        data: new Float32Array(variable.dataSync()),
      }));
    },
    assignWeights(weights) {
      const byName = new Map(weights.map((w) => [w.name, w]));
      const expected = stored.map(({ name }) => name);
      for (const { name, shape } of stored) {
        const w = byName.get(name);
        if (w === undefined) {
          throw new CheckpointError(`checkpoint lacks ${name}; expected tensors ${expected.join(', ')}`);
        }
        if (w.shape.length !== shape.length || w.shape.some((dim, i) => dim !== shape[i])) {
          throw new CheckpointError(
            `checkpoint tensor ${name} has shape [${w.shape.join(', ')}], the model needs [${shape.join(', ')}] ` +
              `(hidden ${valid.hidden.join('x')})`,
          );
        }
      }
      // A checkpoint of a batch-norm model would otherwise load into a model without it and
      // silently drop the normalization its weights were trained with.
      const unknown = weights.find((w) => !expected.includes(w.name));
      if (unknown !== undefined) {
        throw new CheckpointError(
          `checkpoint holds ${unknown.name}, which this model (batchNorm ${valid.batchNorm}) lacks; expected tensors ${expected.join(', ')}`,
        );
      }
      for (const { name, variable, shape } of stored) {
        tf.tidy(() => variable.assign(tf.tensor(byName.get(name)!.data, shape)));
      }
    },
    dispose() {
      stored.forEach(({ variable }) => variable.dispose());
    },
  };
}
