import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { floatResult, floatValues, outputFloats, requiredInput, sizeOf, stockCpuKernel, type KernelArgs } from './kernel-support';
import type { NativeKernels } from './native-addon';

/**
 * GatherV2 of float32 rows (axis 0, no batch dims) as one memcpy per row: how a minibatch is
 * drawn from the resident training set. tfjs's cpu kernel copies element by element through
 * generic index arithmetic, which made gathering cost more than the training step. Other
 * axes, dtypes and batch dims go to the stock kernel.
 */
export function gatherKernel(kernels: NativeKernels): tf.KernelConfig {
  const stock = stockCpuKernel(tf.GatherV2);
  return {
    kernelName: tf.GatherV2,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const x = requiredInput(args, 'x');
      const indices = requiredInput(args, 'indices');
      const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
      const xValues = floatValues(backend, x);
      const indexValues = backend.data.get(indices.dataId).values;
      if (xValues === null || x.shape.length === 0 || (batchDims ?? 0) !== 0 || !(indexValues instanceof Int32Array)) return stock(args);
      if (tf.util.parseAxisParam(axis, x.shape)[0] !== 0) return stock(args);
      const rowLength = sizeOf(x.shape.slice(1));
      if (rowLength === 0) return stock(args);
      const out = outputFloats(backend, indexValues.length * rowLength);
      kernels.gatherRows(xValues, rowLength, indexValues, out);
      return floatResult(backend, [...indices.shape, ...x.shape.slice(1)], out);
    },
  };
}
