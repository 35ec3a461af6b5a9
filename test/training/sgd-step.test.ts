import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { disposeBatch, rangeIndices, uploadBatch } from '../../training/batching';
import { dropoutMask } from '../../training/dropout-mask';
import { buildMlp, mlpParamNames, type Mlp } from '../../training/mlp';
import { createRng } from '../../training/seeded-random';
import { sgdStep } from '../../training/sgd-step';
import { withTrainDefaults } from '../../training/train-config';

before(async () => {
  await selectBackend('wasm');
});

const rows = 8;
const hidden: [number, number] = [5, 4];
const config = (weightDecay: number) =>
  withTrainDefaults({ dropout1: 0.25, dropout2: 0.5, weightDecay, seed: 21, epochs: 1, hidden, lr: 0.3, initStd: 0.2 });

/** Synthetic rows to check update arithmetic only. */
function syntheticBatch() {
  const rng = createRng(99);
  const images = Float32Array.from({ length: rows * 784 }, () => rng.nextFloat());
  const labels = Uint8Array.from({ length: rows }, (_, i) => i % 10);
  return uploadBatch(images, labels, rangeIndices(rows), 0, rows);
}

/** Gradients of the training loss by plain tfjs autodiff (no custom ops), with the step's own dropout masks. */
function referenceGradients(weights: Float32Array[], batch: ReturnType<typeof syntheticBatch>, epoch: number, step: number): Float32Array[] {
  const c = config(0);
  const shapes = [[784, hidden[0]], [hidden[0]], [hidden[0], hidden[1]], [hidden[1]], [hidden[1], 10], [10]];
  const params = weights.map((data, i) => tf.tensor(data, shapes[i]));
  const mask1 = tf.tensor2d(dropoutMask(rows, hidden[0], c.dropout1, { seed: c.seed, epoch, batch: step, layer: 1 }), [rows, hidden[0]]);
  const mask2 = tf.tensor2d(dropoutMask(rows, hidden[1], c.dropout2, { seed: c.seed, epoch, batch: step, layer: 2 }), [rows, hidden[1]]);
  const grads = tf.grads((W1, b1, W2, b2, W3, b3) => {
    const h1 = tf.mul(tf.relu(tf.add(tf.matMul(batch.x, W1 as tf.Tensor2D), b1!)), mask1);
    const h2 = tf.mul(tf.relu(tf.add(tf.matMul(h1, W2 as tf.Tensor2D), b2!)), mask2);
    return tf.losses.softmaxCrossEntropy(batch.oneHot, tf.add(tf.matMul(h2, W3 as tf.Tensor2D), b3!));
  })(params);
  const result = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...params, mask1, mask2, ...grads]);
  return result;
}

/** Zero biases would hide a decayed bias (wd·0 = 0), so give them nonzero values first. */
function withNonzeroBiases(mlp: Mlp): Mlp {
  mlp.assignWeights(
    mlp.readWeights().map((w) => (w.name.startsWith('b') ? { ...w, data: w.data.map((_, i) => 0.1 * (i + 1)) } : w)),
  );
  return mlp;
}

test('sgdStep applies W − lr·(g + wd·W) to weights and b − lr·g to biases when weight decay is set', () => {
  const weightDecay = 0.1;
  const mlp = withNonzeroBiases(buildMlp(config(weightDecay)));
  const batch = syntheticBatch();
  try {
    const before = mlp.readWeights().map((w) => w.data);
    const grads = referenceGradients(before, batch, 3, 7);
    sgdStep(mlp, batch, { epoch: 3, batch: 7, lr: 0.3, weightDecay });
    const after = mlp.readWeights();
    mlpParamNames.forEach((name, p) => {
      const decay = name.startsWith('W') ? weightDecay : 0;
      after[p]!.data.forEach((value, i) => {
        const w = before[p]![i]!;
        const expected = w - 0.3 * (grads[p]![i]! + decay * w);
        assert.ok(Math.abs(value - expected) < 1e-6, `${name}[${i}]: ${value} vs ${expected}`);
      });
    });
    assert.ok(grads[1]!.some((g) => g !== 0), 'the check needs a nonzero bias gradient');
  } finally {
    disposeBatch(batch);
    mlp.dispose();
  }
});

test('weight decay shrinks weights by lr·wd·W and leaves biases bit-identical when the gradient is the same', () => {
  const plain = withNonzeroBiases(buildMlp(config(0)));
  const decayed = withNonzeroBiases(buildMlp(config(0.5)));
  const batch = syntheticBatch();
  try {
    const initial = plain.readWeights();
    const step = { epoch: 1, batch: 0, lr: 0.3 };
    sgdStep(plain, batch, { ...step, weightDecay: 0 });
    sgdStep(decayed, batch, { ...step, weightDecay: 0.5 });
    const [a, b] = [plain.readWeights(), decayed.readWeights()];
    mlpParamNames.forEach((name, p) => {
      if (name.startsWith('b')) {
        assert.deepEqual(b[p]!.data, a[p]!.data, `${name} must not be decayed`);
        return;
      }
      b[p]!.data.forEach((value, i) => {
        const shrink = a[p]!.data[i]! - value;
        const expected = 0.3 * 0.5 * initial[p]!.data[i]!;
        assert.ok(Math.abs(shrink - expected) < 1e-6, `${name}[${i}] shrank by ${shrink}, expected ${expected}`);
      });
    });
  } finally {
    disposeBatch(batch);
    plain.dispose();
    decayed.dispose();
  }
});

test('sgdStep returns the batch loss sum and correct count and frees its tensors', () => {
  const mlp = buildMlp(config(0.1));
  const batch = syntheticBatch();
  try {
    const before = tf.memory().numTensors;
    const result = sgdStep(mlp, batch, { epoch: 1, batch: 0, lr: 0.3, weightDecay: 0.1 });
    assert.equal(tf.memory().numTensors, before);
    assert.ok(Number.isInteger(result.correct) && result.correct >= 0 && result.correct <= rows);
    // Near-uniform logits at init: the mean loss is close to ln 10.
    assert.ok(Math.abs(result.lossSum / rows - Math.log(10)) < 0.5, `loss ${result.lossSum / rows}`);
  } finally {
    disposeBatch(batch);
    mlp.dispose();
  }
});
