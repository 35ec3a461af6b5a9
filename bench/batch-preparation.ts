import * as tf from '@tensorflow/tfjs';
import { disposeBatch, uploadBatch } from '../training/batching';
import type { Dataset } from '../training/fashion-mnist';
import { classCount, imagePixels } from '../training/idx-format';
import { createRng } from '../training/seeded-random';

/** Seconds to prepare one epoch of shuffled batches, two ways, on the active backend. */
export interface BatchPreparation {
  backend: string;
  batches: number;
  /** Rows copied in JavaScript and uploaded per batch (what train() does). */
  perBatchUploadSeconds: number;
  /** The whole split uploaded once, then tf.gather and tf.oneHot per batch. */
  residentGatherSeconds: number;
}

/**
 * Times the two ways to feed minibatches: per-batch upload of the shuffled rows versus
 * keeping the data resident as tensors and gathering each batch. Seconds are scaled to a
 * 60,000-image epoch when fewer batches are timed.
 */
export function compareBatchPreparation(data: Dataset, batches: number, batchSize = 256): BatchPreparation {
  const order = createRng(99).shuffleInPlace(Int32Array.from({ length: data.trainCount }, (_, i) => i));
  const scale = Math.ceil(data.trainCount / batchSize) / batches;

  let start = performance.now();
  for (let b = 0; b < batches; b++) {
    const batch = uploadBatch(data.trainImages, data.trainLabels, order, b * batchSize, (b + 1) * batchSize);
    batch.x.dataSync();
    disposeBatch(batch);
  }
  const perBatchUploadSeconds = ((performance.now() - start) / 1000) * scale;

  const images = tf.tensor2d(data.trainImages, [data.trainCount, imagePixels]);
  const labels = tf.tensor1d(Int32Array.from(data.trainLabels), 'int32');
  try {
    start = performance.now();
    for (let b = 0; b < batches; b++) {
      tf.tidy(() => {
        const rows = tf.tensor1d(order.subarray(b * batchSize, (b + 1) * batchSize), 'int32');
        tf.gather(images, rows).dataSync();
        tf.oneHot(tf.gather(labels, rows), classCount).dataSync();
      });
    }
  } finally {
    tf.dispose([images, labels]);
  }
  const residentGatherSeconds = ((performance.now() - start) / 1000) * scale;
  return { backend: tf.getBackend(), batches, perBatchUploadSeconds, residentGatherSeconds };
}
