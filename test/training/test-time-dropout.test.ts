import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { regularizerNames, type RegularizerName } from '../../domain/training-limits';
import { selectBackend } from '../../training/backends';
import { rangeIndices, uploadEvalSet } from '../../training/batching';
import { evalActivationNoise, evalDropconnectMask } from '../../training/eval-noise';
import { evaluateStochastic } from '../../training/evaluate';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { buildMlp } from '../../training/mlp';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults, type TrainConfigInput } from '../../training/train-config';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';
import {
  loadReferenceParams,
  randomPixelRows,
  randomReferenceParams,
  referenceForward,
  type Matrix,
  type ReferenceNoise,
} from './reference-mlp';

let data: Dataset;

before(async () => {
  await selectBackend('wasm');
  const full = loadDatasetCached(realDatasetDir());
  // The first 2,000 test images: every evaluation pass is a fifth as long, and 2,000 rows still
  // span an evaluation chunk boundary only when chunks are smaller, which the hand check covers.
  const testCount = 2000;
  data = { ...full, testImages: full.testImages.subarray(0, testCount * 784), testLabels: full.testLabels.subarray(0, testCount), testCount };
});

// A 4-3-3-10 network on 7 images whose pixels past the first four are zero, evaluated in chunks
// of 3 rows, so chunks start at rows 3 and 6: at odd offsets into a pass's stream of 3 units a row.
const inputs = 4;
const rows = 7;
const chunkRows = 3;
const [p1, p2] = [0.3, 0.6];
const seed = 13;
const epoch = 2;

const pixelRows: Matrix = randomPixelRows(rows, inputs);

const pixels = (() => {
  const values = new Float32Array(rows * 784);
  pixelRows.forEach((row, r) => values.set(row, r * 784));
  return values;
})();

/** Pass `pass`'s draws for all 7 images, taken directly from the evaluation stream. */
function evalDraws(regularizer: RegularizerName, pass: number): ReferenceNoise {
  const key = (layer: number) => ({ seed, epoch, pass, layer });
  if (regularizer === 'dropconnect') {
    return { regularizer, layer: [evalDropconnectMask(3, 3, p1, key(1)), evalDropconnectMask(3, 10, p2, key(2))] };
  }
  return { regularizer, layer: [evalActivationNoise(regularizer, p1, key(1), 0, rows * 3), evalActivationNoise(regularizer, p2, key(2), 0, rows * 3)] };
}

const argmax = (row: readonly number[]): number => row.indexOf(Math.max(...row));
const softmax = (row: readonly number[]): number[] => {
  const top = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
};
const agreement = (a: readonly number[], b: readonly number[]): number => a.filter((v, i) => v === b[i]).length / a.length;

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-5 * (1 + Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const batchNorm of [false, true]) {
  for (const regularizer of regularizerNames) {
    const label = `${regularizer}${batchNorm ? ' with batch norm' : ''}`;

    test(`stochastic evaluation of ${label} scores passes whose noise is the evaluation stream's, by a float64 hand computation`, () => {
      const mlp = buildMlp(withTrainDefaults({ dropout1: p1, dropout2: p2, weightDecay: 0, seed, epochs: 3, hidden: [3, 3], regularizer, batchNorm }));
      const params = randomReferenceParams(inputs, batchNorm, 2);
      loadReferenceParams(mlp, params);
      const weightsBefore = mlp.readWeights();
      const tensorsBefore = tf.memory().numTensors;
      // Batch norm keeps its running statistics in a stochastic pass: batchStatistics false.
      const passLogits = [0, 1, 2].map((pass) => referenceForward(params, pixelRows, evalDraws(regularizer, pass), false).logits);
      const inference = referenceForward(params, pixelRows, null).logits.map(argmax);
      const onePass = passLogits[0]!.map(argmax);
      const mean = pixelRows.map((_, r) => {
        const probabilities = passLogits.map((logits) => softmax(logits[r]!));
        return argmax(probabilities[0]!.map((_p, c) => probabilities.reduce((sum, pr) => sum + pr[c]!, 0) / probabilities.length));
      });
      // The noise is really on: the pass changes the logits of the noise-free network.
      assert.notDeepEqual(passLogits[0], referenceForward(params, pixelRows, null).logits);

      const x = tf.tensor2d(pixels, [rows, 784]);
      try {
        // The forward pass itself, on all rows and on the chunk starting at row 3.
        const whole = mlp.forward(x, { training: false, evalPass: { epoch, pass: 0, firstRow: 0 } });
        assertClose(whole.dataSync(), passLogits[0]!.flat(), 'pass 0 logits');
        const chunkX = tf.slice(x, [3, 0], [3, 784]);
        const chunk = mlp.forward(chunkX, { training: false, evalPass: { epoch, pass: 0, firstRow: 3 } });
        assertClose(chunk.dataSync(), passLogits[0]!.slice(3, 6).flat(), 'pass 0 logits of rows 3..5');
        tf.dispose([whole, chunkX, chunk]);
      } finally {
        x.dispose();
      }

      const score = (labels: readonly number[], passes: number) => {
        const set = uploadEvalSet(pixels, Uint8Array.from(labels), rangeIndices(rows), chunkRows);
        try {
          return evaluateStochastic(mlp, set, epoch, passes);
        } finally {
          set.dispose();
        }
      };
      // Labelled with the hand computation's own predictions, every image is right; labelled
      // with another prediction, exactly the images where the two agree are.
      assert.equal(score(onePass, 1).onePassAcc, 1);
      assert.equal(score(inference, 1).onePassAcc, agreement(onePass, inference));
      assert.equal(score(mean, 3).meanAcc, 1);
      assert.equal(score(onePass, 3).meanAcc, agreement(mean, onePass));
      // The single pass is pass 0 of the average, whatever the number of passes.
      assert.equal(score(onePass, 3).onePassAcc, 1);
      assert.equal(score(inference, 3).meanAcc, agreement(mean, inference));

      assert.deepEqual(mlp.readWeights(), weightsBefore, 'evaluation changes no parameter or running statistic');
      assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaked');
      mlp.dispose();
    });
  }
}

test('the mean of 3 passes differs from a single pass on some images of the hand-checked dropout network', () => {
  // Guards the hand check above against a network too small for averaging to change anything.
  const params = randomReferenceParams(inputs, false, 2);
  const passLogits = [0, 1, 2].map((pass) => referenceForward(params, pixelRows, evalDraws('dropout', pass), false).logits);
  const onePass = passLogits[0]!.map(argmax);
  const mean = pixelRows.map((_, r) => {
    const probabilities = passLogits.map((logits) => softmax(logits[r]!));
    return argmax(probabilities[0]!.map((_p, c) => probabilities.reduce((sum, pr) => sum + pr[c]!, 0)));
  });
  assert.ok(agreement(onePass, mean) < 1, `one pass ${onePass.join()} vs mean ${mean.join()}`);
});

// 300 images in batches of 64, as in variant-training.test.ts; 2,000 test images.
const base = { dropout1: 0.2, dropout2: 0.5, weightDecay: 1e-3, seed: 7, trainSubset: 300, batchSize: 64 } as const;

function withoutTiming(metrics: EpochMetrics[]): Array<Partial<EpochMetrics>> {
  return metrics.map(({ seconds: _s, evalSeconds: _e, samplesPerSec: _r, evalDropoutSeconds: _d, ...rest }) => rest);
}

function trainingOnly(metrics: EpochMetrics[]): Array<Partial<EpochMetrics>> {
  return withoutTiming(metrics).map(({ testAccDropout: _d, testAccMcDropout: _m, ...rest }) => rest);
}

async function trainCollecting(input: TrainConfigInput, resumeFrom: Checkpoint | null = null) {
  const checkpoints: Checkpoint[] = [];
  const metrics = await train(withTrainDefaults(input), data, { onEpoch: (_m, checkpoint) => void checkpoints.push(checkpoint) }, resumeFrom);
  return { metrics, checkpoints };
}

test('train records no test-time dropout fields and exactly the unset metrics when evalDropoutSamples is 0', async () => {
  const unset = await trainCollecting({ ...base, epochs: 2 });
  const zero = await trainCollecting({ ...base, epochs: 2, evalDropoutSamples: 0 });
  for (const m of [...unset.metrics, ...zero.metrics]) {
    assert.ok(!('testAccDropout' in m) && !('testAccMcDropout' in m) && !('evalDropoutSeconds' in m), `epoch ${m.epoch} has no test-time dropout fields`);
  }
  assert.deepEqual(withoutTiming(zero.metrics), withoutTiming(unset.metrics));
  assert.deepEqual(zero.checkpoints, unset.checkpoints);
});

test('train gives bit-identical training metrics and checkpoints when evalDropoutSamples is 5 instead of 0', async () => {
  const off = await trainCollecting({ ...base, epochs: 2 });
  const on = await trainCollecting({ ...base, epochs: 2, evalDropoutSamples: 5 });
  assert.deepEqual(trainingOnly(on.metrics), withoutTiming(off.metrics));
  assert.deepEqual(on.checkpoints, off.checkpoints);
  for (const m of on.metrics) {
    assert.ok(m.evalDropoutSeconds! > 0, `epoch ${m.epoch} times its stochastic passes`);
    for (const acc of [m.testAccDropout!, m.testAccMcDropout!]) {
      assert.ok(acc >= 0 && acc <= 1, `epoch ${m.epoch}: ${acc}`);
      // A count of test images, like testAcc.
      assert.ok(Math.abs(acc * data.testCount - Math.round(acc * data.testCount)) < 1e-9, `epoch ${m.epoch}: ${acc}`);
    }
  }
});

for (const variant of [{ regularizer: 'dropout', batchNorm: false }, { regularizer: 'dropconnect', batchNorm: true }] as const) {
  test(`train with evalDropoutSamples 3 is deterministic and resumes exactly with ${variant.regularizer}${variant.batchNorm ? ' and batch norm' : ''}`, async () => {
    const config = { ...base, ...variant, evalDropoutSamples: 3 };
    const uninterrupted = await trainCollecting({ ...config, epochs: 3 });
    const again = await trainCollecting({ ...config, epochs: 3 });
    assert.deepEqual(withoutTiming(again.metrics), withoutTiming(uninterrupted.metrics));
    assert.ok(uninterrupted.metrics.every((m) => m.testAccDropout !== undefined && m.testAccMcDropout !== undefined));
    // Each epoch draws its own passes: the one-pass accuracy is not the inference one throughout.
    assert.ok(uninterrupted.metrics.some((m) => m.testAccDropout !== m.testAcc));

    const first = await trainCollecting({ ...config, epochs: 1 });
    const resumed = await trainCollecting({ ...config, epochs: 3 }, first.checkpoints[0]!);
    assert.deepEqual(withoutTiming(resumed.metrics), withoutTiming(uninterrupted.metrics.slice(1)));
    assert.deepEqual(resumed.checkpoints, uninterrupted.checkpoints.slice(1));
  });
}

test('train with evalDropoutSamples leaks no tensors across epochs and frees everything when it returns', async () => {
  const baseline = tf.memory().numTensors;
  const perEpoch: number[] = [];
  await train(withTrainDefaults({ ...base, epochs: 3, evalDropoutSamples: 2 }), data, { onEpoch: () => void perEpoch.push(tf.memory().numTensors) });
  assert.equal(new Set(perEpoch).size, 1, `tensors at each epoch's end: ${perEpoch.join(', ')}`);
  assert.equal(tf.memory().numTensors, baseline);
});
