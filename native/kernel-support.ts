import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { RecyclingCpuBackend } from './recycling-backend';

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
 * An output array for a native kernel, which writes every element: recycled memory on the
 * native backend (see recycling-backend.ts), a fresh array on any other.
 */
export function outputFloats(backend: MathBackendCPU, length: number): Float32Array {
  return backend instanceof RecyclingCpuBackend ? backend.takeFloats(length) : new Float32Array(length);
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
