import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels } from '../../native/native-addon';
import { selectBackend } from '../../training/backends';
import { rangeIndices, uploadEvalSet, type EvalSet } from '../../training/batching';
import { decodeWeights, type WeightArray } from '../../training/checkpoint-codec';
import { activationVariances, evaluateSplit, evaluateSplitByOps, evaluateSplitWithProbe, type SplitScore } from '../../training/evaluate';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { imagePixels } from '../../training/idx-format';
import { buildMlp, type Mlp } from '../../training/mlp';
import { train } from '../../training/train';
import { withTrainDefaults, type TrainConfigInput } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import { nativeSkipReason } from './kernel-comparison';

const skip = nativeSkipReason();
let data: Dataset;
let trained: WeightArray[];

// The d2l configuration on a 12,000-image subset.
const config = (extra: Partial<TrainConfigInput> = {}) =>
  withTrainDefaults({ dropout1: 0.2, dropout2: 0.5, weightDecay: 0, seed: 5, epochs: 2, trainSubset: 12000, ...extra });

before(async () => {
  if (skip !== false) return;
  await selectBackend('native');
  data = loadDatasetCached(realDatasetDir());
  // Weights after two epochs: logits spread out as in a real run, not the near-uniform ones of initialization.
  let weights: Uint8Array | null = null;
  await train(config(), data, { onEpoch: (_m, checkpoint) => void (weights = checkpoint.weights) });
  trained = decodeWeights(weights!);
});

interface Scored {
  test: SplitScore;
  train: SplitScore;
  variances: [number, number];
  /** Test rows whose two largest logits differ by less than 1e-4 of the larger magnitude, by the generic path. */
  nearTies: number;
}

/** The real test set in chunks of `chunkRows` (a partial last chunk when it does not divide 10,000). */
function testSet(chunkRows: number): EvalSet {
  return uploadEvalSet(data.testImages, data.testLabels, rangeIndices(data.testCount), chunkRows);
}

/** The first 12,000 training images in chunks of 5,000, the size train() uses. */
function trainSet(): EvalSet {
  return uploadEvalSet(data.trainImages, data.trainLabels, rangeIndices(12000), 5000);
}

function withModel<T>(weights: WeightArray[], extra: Partial<TrainConfigInput>, use: (mlp: Mlp) => T): T {
  const mlp = buildMlp(config(extra));
  try {
    mlp.assignWeights(weights);
    return use(mlp);
  } finally {
    mlp.dispose();
  }
}

function withSet<T>(set: EvalSet, use: (set: EvalSet) => T): T {
  try {
    return use(set);
  } finally {
    set.dispose();
  }
}

function nearTieCount(mlp: Mlp, set: EvalSet): number {
  let ties = 0;
  for (const chunk of set.chunks) {
    const top = tf.tidy(() => tf.topk(mlp.forward(chunk.x, { training: false }), 2).values);
    const values = top.dataSync();
    top.dispose();
    for (let r = 0; r < chunk.rows; r++) {
      const [first, second] = [values[2 * r]!, values[2 * r + 1]!];
      if (first - second < 1e-4 * Math.max(Math.abs(first), 1)) ties++;
    }
  }
  return ties;
}

/** Scores the trained weights with `evaluate` on the active backend. */
function score(evaluate: (mlp: Mlp, set: EvalSet) => SplitScore): Scored {
  return withModel(trained, {}, (mlp) => {
    const probe = tf.tensor2d(data.testImages.subarray(0, 1000 * imagePixels), [1000, imagePixels]);
    try {
      return {
        test: withSet(testSet(5000), (set) => evaluate(mlp, set)),
        train: withSet(trainSet(), (set) => evaluate(mlp, set)),
        variances: activationVariances(mlp, probe),
        nearTies: withSet(testSet(5000), (set) => nearTieCount(mlp, set)),
      };
    } finally {
      probe.dispose();
    }
  });
}

function assertRelativelyClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.abs(expected), `${what}: ${actual} vs ${expected}, beyond ${tolerance} relative`);
}

test('the native evaluation gives exactly the loss and accuracy of the op-by-op path on trained weights and real data', { skip }, () => {
  withModel(trained, {}, (mlp) => {
    for (const chunkRows of [5000, 3000]) {
      withSet(testSet(chunkRows), (set) => assert.deepEqual(evaluateSplit(mlp, set), evaluateSplitByOps(mlp, set)));
    }
    withSet(trainSet(), (set) => assert.deepEqual(evaluateSplit(mlp, set), evaluateSplitByOps(mlp, set)));
  });
});

/** The activation variances of the first 1,000 test images by their own forward pass, as train() took them before the probe joined the test set's pass. */
function probeVariances(mlp: Mlp): [number, number] {
  const probe = tf.tensor2d(data.testImages.subarray(0, 1000 * imagePixels), [1000, imagePixels]);
  try {
    return activationVariances(mlp, probe);
  } finally {
    probe.dispose();
  }
}

test("the test set's pass gives the probe's activation variances, within float32 rounding of a separate pass over the probe", { skip }, () => {
  withModel(trained, {}, (mlp) => {
    const variances = probeVariances(mlp);
    withSet(testSet(5000), (set) => {
      // Op by op, the probe's rows take the same products as a pass of their own: the same bits.
      assert.deepEqual(evaluateSplitWithProbe(mlp, set, 1000, true), { ...evaluateSplitByOps(mlp, set), activationVariances: variances });
      // In one kernel they are rows of the chunk's row blocks, which some OpenBLAS kernel sets
      // (Haswell) round differently from the probe's own blocks in the last bits: the loss and
      // accuracy are evaluateSplit's exactly, the variances the separate pass's within rounding.
      const fused = evaluateSplitWithProbe(mlp, set, 1000);
      assert.deepEqual({ loss: fused.loss, acc: fused.acc }, evaluateSplit(mlp, set));
      fused.activationVariances.forEach((variance, i) => assertRelativelyClose(variance, variances[i]!, 1e-6, `hidden ${i + 1} activation variance`));
    });
    // A chunk shorter than the probe cannot hold it: a clear error, not a partial probe.
    withSet(testSet(500), (set) => assert.throws(() => evaluateSplitWithProbe(mlp, set, 1000), /the probe's 1000 rows must lie in the first evaluation chunk, which has 500/));
  });
  withModel(buildMlp(config({ batchNorm: true })).readWeights(), { batchNorm: true }, (mlp) =>
    withSet(testSet(5000), (set) =>
      assert.deepEqual(evaluateSplitWithProbe(mlp, set, 1000), { ...evaluateSplitByOps(mlp, set), activationVariances: probeVariances(mlp) }),
    ),
  );
});

test('the native evaluation agrees with the wasm engine within rounding on the same weights', { skip }, async () => {
  const native = score(evaluateSplit);
  try {
    await selectBackend('wasm');
    const wasm = score(evaluateSplit);
    for (const split of ['test', 'train'] as const) {
      assertRelativelyClose(native[split].loss, wasm[split].loss, 1e-5, `${split} loss`);
    }
    // Argmax can flip only where two logits are within the engines' rounding of each other.
    assert.ok(
      Math.abs(native.test.acc - wasm.test.acc) * data.testCount <= wasm.nearTies,
      `test accuracy ${native.test.acc} vs ${wasm.test.acc} with ${wasm.nearTies} near ties`,
    );
    assert.ok(wasm.nearTies < 20, `${wasm.nearTies} near ties in 10,000 rows`);
    native.variances.forEach((variance, i) => assertRelativelyClose(variance, wasm.variances[i]!, 1e-5, `hidden ${i + 1} activation variance`));
  } finally {
    await selectBackend('native');
  }
});

test('the native evaluation is deterministic and leaves no tensors behind', { skip }, () => {
  withModel(trained, {}, (mlp) =>
    withSet(testSet(5000), (set) => {
      const before = tf.memory().numTensors;
      const first = evaluateSplit(mlp, set);
      assert.equal(tf.memory().numTensors, before);
      assert.deepEqual(evaluateSplit(mlp, set), first);
      assert.ok(first.acc > 0.5 && first.loss < 1.5, `trained weights score ${JSON.stringify(first)}`);
      const probed = evaluateSplitWithProbe(mlp, set, 1000);
      assert.equal(tf.memory().numTensors, before);
      assert.deepEqual(evaluateSplitWithProbe(mlp, set, 1000), probed);
    }),
  );
});

test('a batch-norm model evaluates on native through its running statistics, as the op-by-op path does', { skip }, () => {
  withModel(buildMlp(config({ batchNorm: true })).readWeights(), { batchNorm: true }, (mlp) =>
    withSet(testSet(5000), (set) => assert.deepEqual(evaluateSplit(mlp, set), evaluateSplitByOps(mlp, set))),
  );
});

test('the addon inference score throws a RangeError naming the sizes when a weight or the kept rows do not fit', { skip }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  const floats = (n: number) => new Float32Array(n);
  assert.throws(
    () =>
      load.kernels.inferenceScore(
        floats(2 * 4),
        Int32Array.of(0, 1),
        2,
        floats(4 * 3),
        floats(3),
        floats(3 * 3 + 1),
        floats(3),
        floats(3 * 2),
        floats(2),
        3,
        3,
        2,
        floats(0),
        floats(0),
      ),
    { name: 'RangeError', message: /w2 and b2 hold 10 and 3 values; a layer of 3 inputs and 3 units needs 9 and 3/ },
  );
  assert.throws(
    () =>
      load.kernels.inferenceScore(floats(2 * 4), Int32Array.of(0, 2), 2, floats(4 * 3), floats(3), floats(3 * 3), floats(3), floats(3 * 2), floats(2), 3, 3, 2, floats(0), floats(0)),
    { name: 'RangeError', message: /labels\[1\] is 2; labels must be in \[0, 2\)/ },
  );
  assert.throws(
    () =>
      load.kernels.inferenceScore(floats(2 * 4), Int32Array.of(0, 1), 2, floats(4 * 3), floats(3), floats(3 * 3), floats(3), floats(3 * 2), floats(2), 3, 3, 2, floats(3), floats(6)),
    { name: 'RangeError', message: /kept1 holds 3 values and kept2 6; they must hold the same number of rows/ },
  );
});
