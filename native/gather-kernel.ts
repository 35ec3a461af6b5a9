import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { floatResult, outputFloats, requiredInput, sizeOf, stockCpuKernel, type KernelArgs } from './kernel-support';
import type { NativeKernels } from './native-addon';

/** The same memory viewed as float32, for byte copies only: the values are never read as floats. */
function asFloatBits(values: Int32Array): Float32Array {
  return new Float32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * GatherV2 of float32 or int32 rows (axis 0, no batch dims) as one memcpy per row: how a minibatch is
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
      const xValues = backend.data.get(x.dataId).values;
      const indexValues = backend.data.get(indices.dataId).values;
      const rowLength = sizeOf(x.shape.slice(1));
      const supported =
        (xValues instanceof Float32Array || xValues instanceof Int32Array) &&
        (x.dtype === 'float32' || x.dtype === 'int32') &&
        x.shape.length > 0 &&
        rowLength > 0 &&
        (batchDims ?? 0) === 0 &&
        indexValues instanceof Int32Array &&
        tf.util.parseAxisParam(axis, x.shape)[0] === 0;
      if (!supported) return stock(args);
      const outShape = [...indices.shape, ...x.shape.slice(1)];
      if (xValues instanceof Float32Array) {
        const out = outputFloats(backend, indexValues.length * rowLength);
        kernels.gatherRows(xValues, rowLength, indexValues, out);
        return floatResult(backend, outShape, out);
      }
      // Rows are copied as bytes, so int32 rows (labels) pass through the float32 interface unchanged.
      const out = new Int32Array(indexValues.length * rowLength);
      kernels.gatherRows(asFloatBits(xValues), rowLength, indexValues, asFloatBits(out));
      return backend.makeTensorInfo(outShape, 'int32', out);
    },
  };
}
