import type * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Outputs below this many floats come from the JS heap, where allocation and zeroing are cheap. */
const smallestPooled = 1024;
/** At most this many free arrays of one length, and this many bytes in all, wait for reuse. */
const maxFreePerLength = 16;
const maxFreeBytes = 256 * 1024 * 1024;

type DataId = object;

/**
 * tfjs's cpu backend with the native kernels' large outputs recycled. A training step allocates
 * about 10 MB of outputs and frees them by the end of the step; fresh memory each step costs
 * garbage collections and, worse, cache misses, since the arrays last freed are the ones still
 * in the CPU's caches. Disposed outputs of the same length are handed out again, newest first.
 *
 * An array is recycled only while nothing outside the backend can see it. It is given up for
 * good (left to the garbage collector) when its values are read out (dataSync, data, arraySync:
 * the cpu backend hands out its live array) or when a second tensor is registered over the
 * same memory (a kernel returning a view, as a contiguous slice does).
 */
export class RecyclingCpuBackend extends MathBackendCPU {
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Memory this pool allocated and may take back. */
  private readonly owned = new WeakSet<ArrayBufferLike>();
  /** Owned memory that currently backs a tensor. */
  private readonly registered = new WeakSet<ArrayBufferLike>();

  /** An output array of `length` floats with arbitrary contents: the kernel writes every element. */
  takeFloats(length: number): Float32Array {
    if (length < smallestPooled) return new Float32Array(length);
    const reused = this.free.get(length)?.pop();
    if (reused !== undefined) {
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    // allocUnsafeSlow: its own ArrayBuffer, without the zero fill `new Float32Array` does.
    const memory = Buffer.allocUnsafeSlow(length * Float32Array.BYTES_PER_ELEMENT).buffer;
    this.owned.add(memory);
    return new Float32Array(memory, 0, length);
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): DataId {
    this.noteRegistration(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.noteRegistration(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    if (this.data.has(dataId)) this.giveUp(this.data.get(dataId)!.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const entry = this.data.has(dataId) ? this.data.get(dataId) : undefined;
    const released = super.disposeData(dataId, force);
    if (entry !== undefined && !this.data.has(dataId)) this.recycle(entry.values);
    return released;
  }

  override dispose(): void {
    this.free.clear();
    this.freeBytes = 0;
    super.dispose();
  }

  /** Bytes waiting in the free lists (for tests and diagnostics). */
  pooledBytes(): number {
    return this.freeBytes;
  }

  private noteRegistration(values: tf.backend_util.BackendValues | undefined): void {
    if (!ArrayBuffer.isView(values) || !this.owned.has(values.buffer)) return;
    if (this.registered.has(values.buffer)) {
      this.owned.delete(values.buffer);
    } else {
      this.registered.add(values.buffer);
    }
  }

  private giveUp(values: tf.backend_util.BackendValues | undefined): void {
    if (ArrayBuffer.isView(values)) this.owned.delete(values.buffer);
  }

  private recycle(values: tf.backend_util.BackendValues | undefined): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values.buffer)) return;
    this.registered.delete(values.buffer);
    const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
    const list = this.free.get(values.length) ?? [];
    if (!whole || list.length >= maxFreePerLength || this.freeBytes + values.byteLength > maxFreeBytes) {
      this.owned.delete(values.buffer);
      return;
    }
    list.push(values);
    this.free.set(values.length, list);
    this.freeBytes += values.byteLength;
  }
}
