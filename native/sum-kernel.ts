import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { floatResult, outputFloats, floatValues, requiredInput, sizeOf, stockCpuKernel, type KernelArgs } from './kernel-support';
import { binaryKinds, type NativeKernels } from './native-addon';

/**
 * A reduction over ascending, adjacent axes as one row-major walk (sumMiddleAxis), without the
 * transpose tfjs's cpu kernel makes first; `summands` gives the values to add up. Other axis
 * sets and non-float32 inputs keep the stock kernel.
 */
function adjacentAxesKernel(
  kernels: NativeKernels,
  kernelName: typeof tf.Sum | typeof tf.Mean,
  summands: (values: Float32Array, shape: number[], reduce: number) => Float32Array,
): tf.KernelConfig {
  const stock = stockCpuKernel(kernelName);
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const x = requiredInput(args, 'x');
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const values = floatValues(backend, x);
      if (values === null) return stock(args);
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const first = axes[0];
      if (first === undefined || axes.some((a, i) => a !== first + i)) return stock(args);
      const last = first + axes.length - 1;
      const outer = sizeOf(x.shape.slice(0, first));
      const reduce = sizeOf(x.shape.slice(first, last + 1));
      const inner = sizeOf(x.shape.slice(last + 1));
      const out = outputFloats(backend, outer * inner);
      kernels.sumMiddleAxis(summands(values, x.shape, reduce), outer, reduce, inner, out);
      const shape = keepDims ? x.shape.map((dim, d) => (d >= first && d <= last ? 1 : dim)) : x.shape.filter((_, d) => d < first || d > last);
      return floatResult(backend, shape, out);
    },
  };
}

/**
 * Sum of float32 tensors over ascending, adjacent axes (what bias gradients and losses use);
 * the stock kernel's summation order differs from a plain row-major walk.
 */
export function sumKernel(kernels: NativeKernels): tf.KernelConfig {
  return adjacentAxesKernel(kernels, tf.Sum, (values) => values);
}

/**
 * Mean over ascending, adjacent axes as tfjs's cpu kernel rounds it (every element divided by
 * the count in float32, then summed in float64 in order): batch norm's statistics reduce over
 * the rows, which the stock kernel does by transposing the whole matrix first (a fifth of a
 * batch-norm step in the profiles).
 */
export function meanKernel(kernels: NativeKernels): tf.KernelConfig {
  return adjacentAxesKernel(kernels, tf.Mean, (values, shape, reduce) => {
    const divided = new Float32Array(values.length);
    kernels.binary(binaryKinds.div, values, shape, Float32Array.of(reduce), [], divided, shape);
    return divided;
  });
}
