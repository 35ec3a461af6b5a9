import * as tf from '@tensorflow/tfjs';
import { denseKernels } from './dense-kernels';
import { activationKernels, binaryKernels } from './elementwise-kernels';
import { gatherKernel } from './gather-kernel';
import { inferenceScoreKernel } from './inference-kernel';
import { batchMatMulKernel, fusedMatMulKernel } from './matmul-kernels';
import type { NativeKernels } from './native-addon';
import { RecyclingCpuBackend } from './recycling-backend';
import { meanKernel, sumKernel } from './sum-kernel';
import { trainingGradients, trainingKernels } from './training-kernels';

/** The name the native engine registers under in tfjs; the stock `cpu` backend stays as it was. */
export const nativeBackendName = 'native';

/** The kernels the addon replaces; every other kernel is tfjs's cpu kernel, shared as is. */
export function nativeKernelConfigs(kernels: NativeKernels): tf.KernelConfig[] {
  return [batchMatMulKernel(kernels), fusedMatMulKernel(kernels), ...binaryKernels(kernels), ...activationKernels(kernels), sumKernel(kernels), meanKernel(kernels), gatherKernel(kernels)];
}

/**
 * Registers the `native` backend once per process: tfjs's cpu backend class (same tensor
 * storage, same JavaScript kernels) with the addon's kernels in place of its matMul,
 * elementwise and sum kernels, plus the fused training and inference kernels of
 * kernel-contract.ts. Registering again is a no-op.
 */
export function registerNativeBackend(kernels: NativeKernels): void {
  if (tf.findBackendFactory(nativeBackendName) !== null) return;
  const replaced = nativeKernelConfigs(kernels);
  const names = new Set(replaced.map((config) => config.kernelName));
  for (const config of [...replaced, ...trainingKernels(kernels), ...denseKernels(kernels), inferenceScoreKernel(kernels)]) tf.registerKernel(config);
  for (const config of trainingGradients) tf.registerGradient(config);
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!names.has(config.kernelName)) tf.registerKernel({ ...config, backendName: nativeBackendName });
  }
  // Priority 0: tfjs never picks it on its own; selectBackend activates it by name.
  tf.registerBackend(nativeBackendName, () => new RecyclingCpuBackend(), 0);
}
