import * as tf from '@tensorflow/tfjs';
import { nativeBackendName } from '../native/native-backend';
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

/** Where an epoch's minibatches come from. */
export interface BatchSource {
  /** How batches are made: `upload` (rows copied per batch) or `resident` (gathered from tensors holding the split). */
  readonly kind: 'upload' | 'resident';
  /** The rows `order[start..end)` as a batch; the caller disposes it with {@link disposeBatch}. */
  batch(order: Int32Array, start: number, end: number): DeviceBatch;
  dispose(): void;
}

/**
 * Batches by per-batch upload: on wasm (and GPU backends) tensors live in the backend's own
 * memory, so a resident copy of the split would cost its full size again.
 */
export function uploadBatchSource(images: Float32Array, labels: Uint8Array): BatchSource {
  return { kind: 'upload', batch: (order, start, end) => uploadBatch(images, labels, order, start, end), dispose: () => {} };
}

/**
 * Batches gathered from tensors over the whole split. On the native backend a tensor made from
 * a Float32Array uses that array itself, so the 188 MB of training images are not copied, and
 * its GatherV2 copies each row with one memcpy into memory the backend recycles (0.07 s per
 * epoch against 0.13 s for uploads in the batch preparation of `npm run bench`).
 */
export function residentBatchSource(images: Float32Array, labels: Uint8Array): BatchSource {
  const count = labels.length;
  const oneHotValues = new Float32Array(count * classCount);
  labels.forEach((label, row) => (oneHotValues[row * classCount + label] = 1));
  const all = {
    x: tf.tensor2d(images, [count, imagePixels]),
    oneHot: tf.tensor2d(oneHotValues, [count, classCount]),
    labels: tf.tensor1d(Int32Array.from(labels), 'int32'),
  };
  return {
    kind: 'resident',
    batch(order, start, end) {
      return tf.tidy(() => {
        const rows = tf.tensor1d(order.subarray(start, end), 'int32');
        return { rows: end - start, x: tf.gather(all.x, rows), oneHot: tf.gather(all.oneHot, rows), labels: tf.gather(all.labels, rows) };
      });
    },
    dispose: () => tf.dispose([all.x, all.oneHot, all.labels]),
  };
}

/** The faster source for the active backend: resident on `native`, upload elsewhere. */
export function createBatchSource(images: Float32Array, labels: Uint8Array): BatchSource {
  return tf.getBackend() === nativeBackendName ? residentBatchSource(images, labels) : uploadBatchSource(images, labels);
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
