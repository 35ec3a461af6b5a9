import * as tf from '@tensorflow/tfjs';
import { classCount, imagePixels } from './idx-format';

/** One minibatch or evaluation chunk on the backend. */
export interface DeviceBatch {
  rows: number;
  /** [rows, 784] pixels in [0, 1]. */
  x: tf.Tensor2D;
  /** [rows, 10] one-hot float labels, for the loss. */
  oneHot: tf.Tensor2D;
  /** [rows] int32 labels, for accuracy. */
  labels: tf.Tensor1D;
}

/** A split uploaded once and reused by every epoch's evaluation. */
export interface EvalSet {
  count: number;
  chunks: DeviceBatch[];
  dispose(): void;
}

/**
 * Gathers `order[start..end)` (rows of `images`/`labels`) into a backend batch. Rows are
 * copied in JS and uploaded: on wasm this is several times faster than tf.gather, and far
 * faster than slicing a large resident tensor.
 */
export function uploadBatch(
  images: Float32Array,
  labels: Uint8Array,
  order: Int32Array,
  start: number,
  end: number,
): DeviceBatch {
  const rows = end - start;
  const pixels = new Float32Array(rows * imagePixels);
  const oneHot = new Float32Array(rows * classCount);
  const labelValues = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const index = order[start + r]!;
    pixels.set(images.subarray(index * imagePixels, (index + 1) * imagePixels), r * imagePixels);
    const label = labels[index]!;
    labelValues[r] = label;
    oneHot[r * classCount + label] = 1;
  }
  return {
    rows,
    x: tf.tensor2d(pixels, [rows, imagePixels]),
    oneHot: tf.tensor2d(oneHot, [rows, classCount]),
    labels: tf.tensor1d(labelValues, 'int32'),
  };
}

export function disposeBatch(batch: DeviceBatch): void {
  tf.dispose([batch.x, batch.oneHot, batch.labels]);
}

/** Uploads the rows listed in `order` as chunks of at most `chunkRows` rows. */
export function uploadEvalSet(images: Float32Array, labels: Uint8Array, order: Int32Array, chunkRows: number): EvalSet {
  const chunks: DeviceBatch[] = [];
  for (let start = 0; start < order.length; start += chunkRows) {
    chunks.push(uploadBatch(images, labels, order, start, Math.min(order.length, start + chunkRows)));
  }
  return {
    count: order.length,
    chunks,
    dispose: () => chunks.forEach(disposeBatch),
  };
}

/** 0, 1, …, count-1. */
export function rangeIndices(count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i);
}
