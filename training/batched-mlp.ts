/**
 * K runs of the d2l dropout MLP stacked into one model: every parameter gains a leading run
 * axis (W1 [K, 784, h1], b1 [K, 1, h1], …), a minibatch [B, 784] shared by the runs goes
 * through batched matrix products, and each run keeps its own dropout rates, weight decay and
 * learning rate. Runs are independent: run k's loss depends only on run k's slice, so the
 * gradient of the summed per-run mean losses is, slice by slice, each run's own gradient.
 * Plain tfjs ops throughout, so it runs on every engine.
 */
import * as tf from '@tensorflow/tfjs';
import type { DeviceBatch, EvalSet } from './batching';
import type { WeightArray } from './checkpoint-codec';
import { maskDraws, maskRates, stackedMasks, disposeMaskRates, type MaskRates } from './batched-masks';
import { populationVariance } from './evaluate';
import { imagePixels, classCount } from './idx-format';
import { mlpParamNames, weightParamNames, type MlpParamName } from './mlp';
import { createRng, deriveSeed, randomStreams } from './seeded-random';
import type { SplitScore } from './evaluate';

/** What varies from run to run of a stack. */
export interface StackedRunSettings {
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  lr: number;
}

/** What the runs of a stack share: the seed (so init, order and mask draws) and the architecture. */
export interface StackShape {
  seed: number;
  hidden: readonly [number, number];
  initStd: number;
}

/** Per run, the training-mode loss summed over the batch's rows and its correct predictions. */
export interface StackedStepResult {
  lossSums: number[];
  correct: number[];
}

export interface StackedMlp {
  readonly runs: number;
  /** One SGD step of every run on the same minibatch, with each run's own masks, rates, decay and lr. */
  step(batch: DeviceBatch, epoch: number, batchIndex: number): StackedStepResult;
  /** Each run's inference-mode loss and accuracy on `set`. */
  evaluate(set: EvalSet): SplitScore[];
  /** Each run's population variances of both hidden layers' inference-mode activations on `probe`. */
  activationVariances(probe: tf.Tensor2D): Array<[number, number]>;
  /** Each run's parameters, named and shaped as a single run's (training/mlp.ts), so checkpoints are interchangeable. */
  readRunWeights(): WeightArray[][];
  /** Overwrites run k's parameters with a single run's weights (a checkpoint). */
  assignRunWeights(run: number, weights: readonly WeightArray[]): void;
  /** Keeps only the listed runs (in that order): runs that finished, diverged or were cancelled leave the stack. */
  keepRuns(indices: readonly number[]): void;
  dispose(): void;
}

type Stacked = Record<MlpParamName, tf.Variable>;

/** Rows × units of one evaluation slice: bounds the activations an evaluation holds at once (256 MiB of float32). */
const evalSliceElements = 64 * 1024 * 1024;

function singleShapes(shape: StackShape): Record<MlpParamName, number[]> {
  const [h1, h2] = shape.hidden;
  return { W1: [imagePixels, h1], b1: [h1], W2: [h1, h2], b2: [h2], W3: [h2, classCount], b3: [classCount] };
}

/** Biases are stored as [K, 1, units] so they broadcast over a minibatch's rows. */
function stackedShape(name: MlpParamName, single: number[], runs: number): number[] {
  return name.startsWith('b') ? [runs, 1, ...single] : [runs, ...single];
}

/**
 * The initial parameters of a single run (training/mlp.ts's createParams draws them from the
 * (seed, init) stream in the same order), which every run of the stack starts from.
 */
function initialValues(shape: StackShape): Record<MlpParamName, Float32Array> {
  const shapes = singleShapes(shape);
  const rng = createRng(deriveSeed(shape.seed, randomStreams.init));
  const out = {} as Record<MlpParamName, Float32Array>;
  for (const name of mlpParamNames) {
    const values = new Float32Array(shapes[name].reduce((a, b) => a * b, 1));
    if (name.startsWith('W')) for (let i = 0; i < values.length; i++) values[i] = rng.nextNormal() * shape.initStd;
    out[name] = values;
  }
  return out;
}

interface RunConstants {
  rates1: MaskRates;
  rates2: MaskRates;
  lr: tf.Tensor3D;
  weightDecay: tf.Tensor3D;
  dispose(): void;
}

function runConstants(settings: readonly StackedRunSettings[]): RunConstants {
  const k = settings.length;
  const rates1 = maskRates(settings.map((s) => s.dropout1));
  const rates2 = maskRates(settings.map((s) => s.dropout2));
  const lr = tf.tensor3d(
    settings.map((s) => s.lr),
    [k, 1, 1],
  );
  const weightDecay = tf.tensor3d(
    settings.map((s) => s.weightDecay),
    [k, 1, 1],
  );
  return {
    rates1,
    rates2,
    lr,
    weightDecay,
    dispose: () => {
      disposeMaskRates(rates1);
      disposeMaskRates(rates2);
      tf.dispose([lr, weightDecay]);
    },
  };
}

/**
 * Builds a stack of `settings.length` runs, each starting from the single run's initial
 * weights for `shape.seed`. The caller owns it: call dispose().
 */
export function buildStackedMlp(shape: StackShape, settings: readonly StackedRunSettings[]): StackedMlp {
  let current = [...settings];
  let runs = current.length;
  const shapes = singleShapes(shape);
  const initial = initialValues(shape);
  const params = {} as Stacked;
  for (const name of mlpParamNames) {
    params[name] = tf.tidy(() => {
      const one = tf.tensor(initial[name], stackedShape(name, shapes[name], 1));
      return tf.variable(tf.tile(one, [runs, ...one.shape.slice(1).map(() => 1)]), true);
    });
  }
  let constants = runConstants(current);
  // Dropout is off in a layer when every run's rate there is 0: no draws, no mask ops.
  const anyDropout = (layer: 1 | 2): boolean => current.some((s) => (layer === 1 ? s.dropout1 : s.dropout2) > 0);

  /** Inference-mode logits and hidden activations of runs [first, first + count) on x. */
  const inference = (x: tf.Tensor2D, first: number, count: number): { logits: tf.Tensor3D; hidden1: tf.Tensor3D; hidden2: tf.Tensor3D } => {
    const slice = (v: tf.Variable): tf.Tensor => (first === 0 && count === runs ? v : tf.slice(v, first, count));
    const hidden1 = tf.relu(tf.add(tf.matMul(x, slice(params.W1) as tf.Tensor3D), slice(params.b1))) as tf.Tensor3D;
    const hidden2 = tf.relu(tf.add(tf.matMul(hidden1, slice(params.W2) as tf.Tensor3D), slice(params.b2))) as tf.Tensor3D;
    const logits = tf.add(tf.matMul(hidden2, slice(params.W3) as tf.Tensor3D), slice(params.b3)) as tf.Tensor3D;
    return { logits, hidden1, hidden2 };
  };

  /** How many runs one evaluation slice of `rows` rows holds. */
  const runsPerSlice = (rows: number): number => Math.max(1, Math.floor(evalSliceElements / (rows * Math.max(...shape.hidden))));

  return {
    get runs() {
      return runs;
    },
    step(batch, epoch, batchIndex) {
      const rows = batch.rows;
      const [h1, h2] = shape.hidden;
      const summary = tf.tidy(() => {
        const masks: [tf.Tensor3D | null, tf.Tensor3D | null] = [
          anyDropout(1) ? stackedMasks(maskDraws({ seed: shape.seed, epoch, batch: batchIndex, layer: 1 }, rows * h1), rows, h1, constants.rates1) : null,
          anyDropout(2) ? stackedMasks(maskDraws({ seed: shape.seed, epoch, batch: batchIndex, layer: 2 }, rows * h2), rows, h2, constants.rates2) : null,
        ];
        let hits: tf.Tensor | undefined;
        let perRun: tf.Tensor | undefined;
        const variables = mlpParamNames.map((name) => params[name]);
        const { grads } = tf.variableGrads(() => {
          const z1 = tf.add(tf.matMul(batch.x, params.W1 as tf.Tensor3D), params.b1);
          const [mask1, mask2] = masks;
          const a1 = mask1 === null ? tf.relu(z1) : tf.mul(tf.relu(z1), mask1);
          const z2 = tf.add(tf.matMul(a1 as tf.Tensor3D, params.W2 as tf.Tensor3D), params.b2);
          const a2 = mask2 === null ? tf.relu(z2) : tf.mul(tf.relu(z2), mask2);
          const logits = tf.add(tf.matMul(a2 as tf.Tensor3D, params.W3 as tf.Tensor3D), params.b3);
          const oneHot = tf.broadcastTo(batch.oneHot, [runs, rows, classCount]);
          // Per run, the mean over the batch's rows, as a single run's loss (the same tfjs loss, unreduced).
          const rowLosses = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.NONE);
          const runLoss = tf.div(tf.sum(rowLosses, 1), rows);
          perRun = tf.keep(runLoss);
          hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 2), batch.labels), 'float32'), 1));
          return tf.sum(runLoss) as tf.Scalar;
        }, variables);
        for (const name of mlpParamNames) {
          const w = params[name];
          const g = grads[w.name]!;
          // Weight decay skips biases, as in a single run: w − lr·(g + wd·w) for weights, b − lr·g for biases.
          const direction = weightParamNames.includes(name) ? tf.add(g, tf.mul(w, constants.weightDecay)) : g;
          w.assign(tf.sub(w, tf.mul(direction, constants.lr)));
        }
        const result = tf.stack([tf.mul(perRun!, rows), hits!]);
        tf.dispose([perRun!, hits!]);
        return result;
      });
      const values = summary.dataSync();
      summary.dispose();
      return { lossSums: Array.from(values.subarray(0, runs)), correct: Array.from(values.subarray(runs, 2 * runs)) };
    },
    evaluate(set) {
      const lossSums = new Array<number>(runs).fill(0);
      const hits = new Array<number>(runs).fill(0);
      for (const chunk of set.chunks) {
        const per = runsPerSlice(chunk.rows);
        for (let first = 0; first < runs; first += per) {
          const count = Math.min(per, runs - first);
          const sums = tf.tidy(() => {
            const { logits } = inference(chunk.x, first, count);
            const oneHot = tf.broadcastTo(chunk.oneHot, [count, chunk.rows, classCount]);
            const loss = tf.sum(tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.NONE), 1);
            const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 2), chunk.labels), 'float32'), 1);
            return tf.stack([loss, correct]);
          });
          const values = sums.dataSync();
          sums.dispose();
          for (let k = 0; k < count; k++) {
            lossSums[first + k]! += values[k]!;
            hits[first + k]! += values[count + k]!;
          }
        }
      }
      return lossSums.map((loss, k) => ({ loss: loss / set.count, acc: hits[k]! / set.count }));
    },
    activationVariances(probe) {
      const out: Array<[number, number]> = [];
      const per = runsPerSlice(probe.shape[0]);
      for (let first = 0; first < runs; first += per) {
        const count = Math.min(per, runs - first);
        const { logits, hidden1, hidden2 } = tf.tidy(() => inference(probe, first, count));
        try {
          const [a, b] = [hidden1.dataSync(), hidden2.dataSync()];
          const [n1, n2] = [a.length / count, b.length / count];
          for (let k = 0; k < count; k++) {
            out.push([populationVariance(a.subarray(k * n1, (k + 1) * n1)), populationVariance(b.subarray(k * n2, (k + 1) * n2))]);
          }
        } finally {
          tf.dispose([logits, hidden1, hidden2]);
        }
      }
      return out;
    },
    readRunWeights() {
      const perRun: WeightArray[][] = Array.from({ length: runs }, () => []);
      for (const name of mlpParamNames) {
        const all = params[name].dataSync();
        const size = all.length / runs;
        for (let k = 0; k < runs; k++) {
          // A copy: some backends hand out their live buffer.
          perRun[k]!.push({ name, shape: [...shapes[name]], data: new Float32Array(all.subarray(k * size, (k + 1) * size)) });
        }
      }
      return perRun;
    },
    assignRunWeights(run, weights) {
      for (const name of mlpParamNames) {
        const w = weights.find((x) => x.name === name)!;
        tf.tidy(() => {
          const v = params[name];
          const one = tf.tensor(w.data, stackedShape(name, shapes[name], 1));
          const parts = [run > 0 ? tf.slice(v, 0, run) : null, one, run < runs - 1 ? tf.slice(v, run + 1, runs - run - 1) : null];
          v.assign(
            tf.concat(
              parts.filter((p): p is tf.Tensor => p !== null),
              0,
            ),
          );
        });
      }
    },
    keepRuns(indices) {
      if (indices.length === runs && indices.every((k, i) => k === i)) return;
      for (const name of mlpParamNames) {
        const old = params[name];
        params[name] = tf.tidy(() => tf.variable(tf.gather(old, tf.tensor1d(indices as number[], 'int32')), true));
        old.dispose();
      }
      current = indices.map((k) => current[k]!);
      runs = current.length;
      constants.dispose();
      constants = runConstants(current);
    },
    dispose() {
      for (const name of mlpParamNames) params[name].dispose();
      constants.dispose();
    },
  };
}
