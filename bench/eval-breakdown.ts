/**
 * Where a native epoch's evaluation time goes: the whole evaluation as train() runs it (also
 * right after an epoch's worth of training steps, as in train()), then
 * per evaluated set the one-kernel path (evaluateSplit), the op-by-op path, and its parts (the
 * three products alone, bias and ReLU, the loss/argmax kernel), timed separately on the same
 * weights (median of several repetitions; the two paths alternately). docs/performance.md records a run.
 *
 *   node --import tsx bench/eval-breakdown.ts [--repeats 9]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../config';
import { loadNativeKernels } from '../native/native-addon';
import { selectBackend } from '../training/backends';
import { createBatchSource, disposeBatch, rangeIndices, uploadEvalSet, type EvalSet } from '../training/batching';
import { activationVariances, evaluateSplit, evaluateSplitByOps, evaluateSplitWithProbe } from '../training/evaluate';
import { loadDatasetCached, locateDataset } from '../training/fashion-mnist';
import { softmaxCrossEntropyWithHits } from '../training/fused-ops';
import { imagePixels } from '../training/idx-format';
import { buildMlp } from '../training/mlp';
import { createRng, deriveSeed, randomStreams } from '../training/seeded-random';
import { sgdStep } from '../training/sgd-step';
import { withTrainDefaults } from '../training/train-config';
import { d2lRunDefaults } from '../domain/training-limits';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '9' } } });
const repeats = Number(values.repeats);

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function secondsOf(work: () => void): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}

function medianSeconds(work: () => void): number {
  return median(Array.from({ length: repeats }, () => secondsOf(work)));
}

/** Medians of two pieces of work run alternately, so a burst of other load hits both alike. */
function pairedMedianSeconds(first: () => void, second: () => void): [number, number] {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < repeats; i++) {
    times[0].push(secondsOf(first));
    times[1].push(secondsOf(second));
  }
  return [median(times[0]), median(times[1])];
}

await selectBackend('native');
const load = loadNativeKernels();
if (!load.ok) throw new Error(load.reason);
const kernels = load.kernels;
const data = loadDatasetCached(locateDataset({ dataDir: loadConfig().dataDir }));
const mlp = buildMlp(withTrainDefaults({ ...d2lRunDefaults, seed: 1 }));
const trainEval = uploadEvalSet(data.trainImages, data.trainLabels, rangeIndices(data.trainCount), 5000);
const testEval = uploadEvalSet(data.testImages, data.testLabels, rangeIndices(data.testCount), 5000);
const probe = tf.tensor2d(data.testImages.subarray(0, 1000 * imagePixels), [1000, imagePixels]);

const rows: Array<[string, number]> = [];
// As train() runs it: the probe (the first 1,000 test images) comes from the test set's pass.
const wholeEvaluation = (byOps: boolean) => () => {
  (byOps ? evaluateSplitByOps : evaluateSplit)(mlp, trainEval);
  evaluateSplitWithProbe(mlp, testEval, 1000, byOps);
};
const [whole, wholeByOps] = pairedMedianSeconds(wholeEvaluation(false), wholeEvaluation(true));
rows.push(['whole evaluation (train + test with the probe), as train() runs it', whole]);
rows.push(['whole evaluation, op by op (evaluateSplitByOps, the probe by a pass of its own)', wholeByOps]);

// In train() an evaluation follows an epoch of steps, whose garbage V8 collects on the same
// cores: the evaluation right after 235 steps, then the one after it, alternately.
const source = createBatchSource(data.trainImages, data.trainLabels);
const trainingSteps = (epoch: number) => () => {
  const order = createRng(deriveSeed(1, randomStreams.shuffle, epoch)).shuffleInPlace(rangeIndices(data.trainCount));
  for (let b = 0; b < 235; b++) {
    const batch = source.batch(order, b * 256, Math.min(data.trainCount, (b + 1) * 256));
    sgdStep(mlp, batch, { epoch, batch: b, lr: 0.5, weightDecay: 0 });
    disposeBatch(batch);
  }
};
const [afterSteps, afterEvaluation] = [[], []] as [number[], number[]];
for (let i = 0; i < repeats; i++) {
  trainingSteps(i + 1)();
  afterSteps.push(secondsOf(wholeEvaluation(false)));
  afterEvaluation.push(secondsOf(wholeEvaluation(false)));
}
source.dispose();
rows.push(['whole evaluation right after 235 training steps', median(afterSteps)]);
rows.push(['whole evaluation right after that one', median(afterEvaluation)]);

const { W1, b1, W2, b2, W3, b3 } = mlp.params;
const values32 = (t: tf.Tensor) => t.dataSync() as Float32Array;
const [w1, w2, w3] = [values32(W1), values32(W2), values32(W3)];
for (const [name, set] of [
  ['train (60,000)', trainEval],
  ['test (10,000)', testEval],
] as Array<[string, EvalSet]>) {
  const [fused, byOps] = pairedMedianSeconds(
    () => evaluateSplit(mlp, set),
    () => evaluateSplitByOps(mlp, set),
  );
  rows.push([`${name}: evaluateSplit (one native kernel per chunk)`, fused]);
  rows.push([`${name}: evaluateSplitByOps (one tfjs kernel per step)`, byOps]);
  rows.push([
    `${name}: three tf.fused.matMul layers (dispatch included)`,
    medianSeconds(() => {
      for (const chunk of set.chunks) {
        tf.tidy(() => {
          const h1 = tf.fused.matMul({ a: chunk.x, b: W1, bias: b1, activation: 'relu' });
          const h2 = tf.fused.matMul({ a: h1, b: W2, bias: b2, activation: 'relu' });
          tf.fused.matMul({ a: h2, b: W3, bias: b3 }).dataSync();
        });
      }
    }),
  ]);
  const chunkRows = set.chunks[0]!.rows;
  const h1 = new Float32Array(chunkRows * 256);
  const h2 = new Float32Array(chunkRows * 256);
  const logits = new Float32Array(chunkRows * 10);
  const xs = set.chunks.map((chunk) => values32(chunk.x));
  const gemm = (a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number) =>
    kernels.batchMatMul(a, b, out, 1, 1, m, n, k, false, false);
  rows.push([
    `${name}: sgemm x·W1 alone`,
    medianSeconds(() => xs.forEach((x, i) => gemm(x, w1, h1.subarray(0, set.chunks[i]!.rows * 256), set.chunks[i]!.rows, 256, 784))),
  ]);
  rows.push([
    `${name}: sgemm h1·W2 alone`,
    medianSeconds(() => set.chunks.forEach((c) => gemm(h1.subarray(0, c.rows * 256), w2, h2.subarray(0, c.rows * 256), c.rows, 256, 256))),
  ]);
  rows.push([
    `${name}: sgemm h2·W3 alone`,
    medianSeconds(() => set.chunks.forEach((c) => gemm(h2.subarray(0, c.rows * 256), w3, logits.subarray(0, c.rows * 10), c.rows, 10, 256))),
  ]);
  rows.push([
    `${name}: bias+ReLU passes (addon binary + relu)`,
    medianSeconds(() =>
      set.chunks.forEach((c) => {
        const part = h1.subarray(0, c.rows * 256);
        kernels.binary(0, part, [c.rows, 256], values32(b1), [256], part, [c.rows, 256]);
        kernels.relu(part, part);
      }),
    ),
  ]);
  rows.push([
    `${name}: softmax cross-entropy + hits kernel (tfjs op, logits given)`,
    medianSeconds(() => {
      for (const chunk of set.chunks) {
        tf.tidy(() => {
          const z = tf.tensor2d(logits.subarray(0, chunk.rows * 10), [chunk.rows, 10]);
          const { loss, hits } = softmaxCrossEntropyWithHits(z, chunk.labels, chunk.oneHot, 'sum');
          tf.stack([loss, hits]).dataSync();
        });
      }
    }),
  ]);
}
rows.push(['probe (1,000): activationVariances by a pass of its own', medianSeconds(() => activationVariances(mlp, probe))]);
rows.push(['test (10,000) with the probe from its pass: evaluateSplitWithProbe', medianSeconds(() => evaluateSplitWithProbe(mlp, testEval, 1000))]);
for (const [label, seconds] of rows) console.log(`${seconds.toFixed(4).padStart(8)} s  ${label}`);
tf.dispose(probe);
trainEval.dispose();
testEval.dispose();
mlp.dispose();
