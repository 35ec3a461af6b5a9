import * as tf from '@tensorflow/tfjs';
import { disposeBatch, residentBatchSource, uploadBatchSource, type BatchSource } from '../training/batching';
import type { Dataset } from '../training/fashion-mnist';
import { createRng } from '../training/seeded-random';

/** Seconds to prepare one epoch of shuffled batches, two ways, on the active backend. */
export interface BatchPreparation {
  backend: string;
  batches: number;
  /** Rows copied in JavaScript and uploaded per batch (train() on wasm and GPU backends). */
  perBatchUploadSeconds: number;
  /** The whole split held as tensors, each batch gathered with tf.gather (train() on native). */
  residentGatherSeconds: number;
}

function timeSource(source: BatchSource, order: Int32Array, batches: number, batchSize: number): number {
  const start = performance.now();
  try {
    for (let b = 0; b < batches; b++) {
      // Every backend measured here computes synchronously, so the batch is ready when returned.
      // (Reading it out would also keep the native backend from recycling its memory.)
      disposeBatch(source.batch(order, b * batchSize, (b + 1) * batchSize));
    }
  } finally {
    source.dispose();
  }
  return (performance.now() - start) / 1000;
}

/**
 * Times the two batch sources of training/batching.ts on the same shuffled order. Seconds
 * are scaled to a 60,000-image epoch when fewer batches are timed.
 */
export function compareBatchPreparation(data: Dataset, batches: number, batchSize = 256): BatchPreparation {
  const order = createRng(99).shuffleInPlace(Int32Array.from({ length: data.trainCount }, (_, i) => i));
  const scale = Math.ceil(data.trainCount / batchSize) / batches;
  const upload = timeSource(uploadBatchSource(data.trainImages, data.trainLabels), order, batches, batchSize);
  const resident = timeSource(residentBatchSource(data.trainImages, data.trainLabels), order, batches, batchSize);
  return { backend: tf.getBackend(), batches, perBatchUploadSeconds: upload * scale, residentGatherSeconds: resident * scale };
}
