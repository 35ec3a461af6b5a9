import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../training/backends';
import type { Dataset } from '../training/fashion-mnist';
import { classCount, imagePixels } from '../training/idx-format';

/** One epoch of the baseline and its evaluation. */
export interface BaselineRun {
  /** The stock tfjs backend it ran on. */
  backend: string;
  trainImages: number;
  /** model.fit over trainImages, one epoch, batch 256. */
  seconds: number;
  /** model.evaluate on the training images and the test set, plus a forward pass on the 1,000-image probe. */
  evalSeconds: number;
  evalImages: number;
  testAcc: number;
}

const probeRows = 1000;

/**
 * The plain TensorFlow.js baseline: the d2l dropout MLP written the way the tfjs-layers
 * documentation writes models (tf.sequential, dense and dropout layers, SGD with lr 0.5,
 * model.fit with batch 256), on tfjs's stock wasm backend, the faster of the two stock CPU
 * backends. None of regsweep's engine code (custom gradients, native kernels) is involved.
 */
export async function runBaselineFit(data: Dataset, trainImages: number, seed: number): Promise<BaselineRun> {
  const backend = await selectBackend('wasm');
  const kernelInitializer = (offset: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seed * 10 + offset });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [imagePixels], units: 256, activation: 'relu', kernelInitializer: kernelInitializer(1) }),
      tf.layers.dropout({ rate: 0.2, seed }),
      tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: kernelInitializer(2) }),
      tf.layers.dropout({ rate: 0.5, seed: seed + 1 }),
      tf.layers.dense({ units: classCount, kernelInitializer: kernelInitializer(3) }),
    ],
  });
  model.compile({
    optimizer: tf.train.sgd(0.5),
    loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
    metrics: ['accuracy'],
  });
  const split = (images: Float32Array, labels: Uint8Array, count: number) => ({
    x: tf.tensor2d(images.subarray(0, count * imagePixels), [count, imagePixels]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(labels.subarray(0, count)), 'int32'), classCount)),
  });
  const trainSet = split(data.trainImages, data.trainLabels, trainImages);
  const testSet = split(data.testImages, data.testLabels, data.testCount);
  try {
    const start = performance.now();
    await model.fit(trainSet.x, trainSet.y, { batchSize: 256, epochs: 1, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - start) / 1000;

    const evalStart = performance.now();
    const scores = [trainSet, testSet].map((set) => model.evaluate(set.x, set.y, { batchSize: 5000 }) as tf.Scalar[]);
    const testAcc = scores[1]![1]!.dataSync()[0]!;
    const probe = tf.tidy(() => model.predict(testSet.x.slice([0, 0], [probeRows, imagePixels])) as tf.Tensor);
    probe.dataSync();
    const evalSeconds = (performance.now() - evalStart) / 1000;
    tf.dispose([...scores.flat(), probe]);
    return { backend, trainImages, seconds, evalSeconds, evalImages: trainImages + data.testCount + probeRows, testAcc };
  } finally {
    tf.dispose([trainSet.x, trainSet.y, testSet.x, testSet.y]);
    model.dispose();
  }
}
