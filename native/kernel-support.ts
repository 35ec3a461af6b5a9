import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** The arguments tfjs passes to every kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A kernel's required input `name`. @throws Error when tfjs passed none (a bug in the caller). */
export function requiredInput(args: KernelArgs, name: string): tf.TensorInfo {
  const tensor = args.inputs[name];
  if (tensor === undefined) throw new Error(`kernel input ${name} is missing`);
  return tensor;
}

/**
 * The float32 values behind a tensor, or null when the tensor is of another dtype (int32,
 * bool, complex, string): native kernels handle float32 only and leave the rest to the stock
 * cpu kernel.
 */
export function floatValues(backend: MathBackendCPU, tensor: tf.TensorInfo): Float32Array | null {
  if (tensor.dtype !== 'float32') return null;
  const values = backend.data.get(tensor.dataId).values;
  return values instanceof Float32Array ? values : null;
}

/**
 * An output array for a native kernel, which writes every element: large ones skip the zero
 * fill `new Float32Array` does (a step allocates about 10 MB of outputs; zeroing them cost
 * about a millisecond per step). Small ones come from the JS heap, where zeroing is free.
 */
export function uninitializedFloats(length: number): Float32Array {
  if (length < 1024) return new Float32Array(length);
  return new Float32Array(Buffer.allocUnsafeSlow(length * Float32Array.BYTES_PER_ELEMENT).buffer, 0, length);
}

/** Registers a float32 result with the backend; the backend keeps the array without copying. */
export function floatResult(backend: MathBackendCPU, shape: number[], values: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/**
 * tfjs's own cpu kernel for `kernelName`: the reference the native kernels are tested against
 * and the path for inputs they do not handle.
 */
export function stockCpuKernel(kernelName: string): tf.KernelFunc {
  const config = tf.getKernel(kernelName, 'cpu');
  if (config === undefined) {
    throw new Error(`@tensorflow/tfjs ${tf.version.tfjs} registered no cpu kernel ${kernelName}; the native backend needs it`);
  }
  return config.kernelFunc;
}

/** The number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}
