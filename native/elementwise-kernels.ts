import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { floatResult, outputFloats, floatValues, requiredInput, sizeOf, stockCpuKernel, type KernelArgs } from './kernel-support';
import { binaryKinds, type BinaryKind, type NativeKernels } from './native-addon';

// tfjs's cpu kernels index every element through generic broadcasting helpers (about 0.4 ms
// for a 256x256 Add, 1.2 ms for Mul); with native GEMM these became the largest cost of a step.

function binaryKernel(kernels: NativeKernels, kernelName: string, kind: BinaryKind): tf.KernelConfig {
  const stock = stockCpuKernel(kernelName);
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const a = requiredInput(args, 'a');
      const b = requiredInput(args, 'b');
      const aValues = floatValues(backend, a);
      const bValues = floatValues(backend, b);
      if (aValues === null || bValues === null) return stock(args);
      let shape: number[];
      try {
        shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      } catch {
        // The stock kernel throws tfjs's own message for incompatible shapes.
        return stock(args);
      }
      const values = outputFloats(backend, sizeOf(shape));
      kernels.binary(kind, aValues, a.shape, bValues, b.shape, values, shape);
      return floatResult(backend, shape, values);
    },
  };
}

/** Add, Sub, Mul and RealDiv on float32 tensors of any broadcastable shapes. */
export function binaryKernels(kernels: NativeKernels): tf.KernelConfig[] {
  return [
    binaryKernel(kernels, tf.Add, binaryKinds.add),
    binaryKernel(kernels, tf.Sub, binaryKinds.sub),
    binaryKernel(kernels, tf.Multiply, binaryKinds.mul),
    binaryKernel(kernels, tf.RealDiv, binaryKinds.div),
  ];
}

/** Relu, and Step (which ReLU's gradient uses), on float32 tensors. */
export function activationKernels(kernels: NativeKernels): tf.KernelConfig[] {
  const stockRelu = stockCpuKernel(tf.Relu);
  const stockStep = stockCpuKernel(tf.Step);
  return [
    {
      kernelName: tf.Relu,
      backendName: 'native',
      kernelFunc: (args: KernelArgs) => {
        const backend = args.backend as MathBackendCPU;
        const x = requiredInput(args, 'x');
        const values = floatValues(backend, x);
        if (values === null) return stockRelu(args);
        const out = outputFloats(backend, values.length);
        kernels.relu(values, out);
        return floatResult(backend, x.shape, out);
      },
    },
    {
      kernelName: tf.Step,
      backendName: 'native',
      kernelFunc: (args: KernelArgs) => {
        const backend = args.backend as MathBackendCPU;
        const x = requiredInput(args, 'x');
        const { alpha } = args.attrs as unknown as tf.StepAttrs;
        const values = floatValues(backend, x);
        if (values === null) return stockStep(args);
        const out = outputFloats(backend, values.length);
        kernels.step(values, out, alpha);
        return floatResult(backend, x.shape, out);
      },
    },
  ];
}
