import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { floatResult, outputFloats, floatValues, requiredInput, sizeOf, stockCpuKernel, type KernelArgs } from './kernel-support';
import { binaryKinds, type NativeKernels } from './native-addon';

interface MatMulOperands {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * Runs a (batched) matMul through OpenBLAS, or returns null for what the native path leaves
 * to tfjs: non-float32 operands, rank < 2, mismatched inner sizes (tfjs then throws its own
 * message) and batch shapes that do not broadcast by tfjs's modulo rule.
 */
function nativeMatMul(kernels: NativeKernels, backend: MathBackendCPU, operands: MatMulOperands): { shape: number[]; values: Float32Array } | null {
  const { a, b, transposeA, transposeB } = operands;
  const aValues = floatValues(backend, a);
  const bValues = floatValues(backend, b);
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (aValues === null || bValues === null || aRank < 2 || bRank < 2) return null;
  const [aRows, aCols] = [a.shape[aRank - 2]!, a.shape[aRank - 1]!];
  const [bRows, bCols] = [b.shape[bRank - 2]!, b.shape[bRank - 1]!];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [kB, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== kB) return null;
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const batch = sizeOf(outer);
  if (batch !== Math.max(batchA, batchB)) return null;
  const values = outputFloats(backend, batch * m * n);
  kernels.batchMatMul(aValues, bValues, values, batchA, batchB, m, n, k, transposeA, transposeB);
  return { shape: [...outer, m, n], values };
}

/** BatchMatMul by OpenBLAS sgemm; transposed operands are read in place, never copied. */
export function batchMatMulKernel(kernels: NativeKernels): tf.KernelConfig {
  const stock = stockCpuKernel(tf.BatchMatMul);
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const a = requiredInput(args, 'a');
      const b = requiredInput(args, 'b');
      const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
      const product = nativeMatMul(kernels, backend, { a, b, transposeA, transposeB });
      return product === null ? stock(args) : floatResult(backend, product.shape, product.values);
    },
  };
}

/**
 * _FusedMatMul (matMul, then bias, then activation) with sgemm and in-place bias and ReLU
 * passes over the product. Activations other than linear and relu, PReLU weights and biases
 * that would grow the output go to the stock kernel.
 */
export function fusedMatMulKernel(kernels: NativeKernels): tf.KernelConfig {
  const stock = stockCpuKernel(tf._FusedMatMul);
  return {
    kernelName: tf._FusedMatMul,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const a = requiredInput(args, 'a');
      const b = requiredInput(args, 'b');
      const bias = args.inputs.bias;
      const { transposeA, transposeB, activation } = args.attrs as unknown as tf._FusedMatMulAttrs;
      if (activation !== undefined && activation !== 'linear' && activation !== 'relu') return stock(args);
      const biasValues = bias === undefined ? null : floatValues(backend, bias);
      if (bias !== undefined && biasValues === null) return stock(args);
      const product = nativeMatMul(kernels, backend, { a, b, transposeA, transposeB });
      if (product === null) return stock(args);
      if (bias !== undefined && biasValues !== null) {
        let withBias: number[];
        try {
          withBias = tf.broadcast_util.assertAndGetBroadcastShape(product.shape, bias.shape);
        } catch {
          return stock(args);
        }
        if (withBias.length !== product.shape.length || withBias.some((dim, i) => dim !== product.shape[i])) return stock(args);
        kernels.binary(binaryKinds.add, product.values, product.shape, biasValues, bias.shape, product.values, product.shape);
      }
      if (activation === 'relu') kernels.relu(product.values, product.values);
      return floatResult(backend, product.shape, product.values);
    },
  };
}
