import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { fusedKernelNames, type DenseAttrs, type DenseGradAttrs } from './kernel-contract';
import { floatResult, floatValues, outputFloats, requiredInput, type KernelArgs } from './kernel-support';
import type { NativeKernels } from './native-addon';

// The dense layer of kernel-contract.ts in one addon call each way: a training step then runs
// 3 kernels per layer instead of 8 to 10 (matMul, bias add, activation and mask, their
// gradients, the bias gradient's sum and reshapes), and each pass over a layer's activations
// happens while they are still in cache.

function floats(backend: MathBackendCPU, tensor: tf.TensorInfo | undefined, kernelName: string, name: string): Float32Array | null {
  if (tensor === undefined) return null;
  const values = floatValues(backend, tensor);
  if (values === null) throw new Error(`${kernelName}: ${name} must be a float32 tensor, got ${tensor.dtype}`);
  return values;
}

function required(backend: MathBackendCPU, args: KernelArgs, kernelName: string, name: string): Float32Array {
  return floats(backend, requiredInput(args, name), kernelName, name)!;
}

/** rows, inputs and units of a layer, checked against every input present. */
function layerShape(args: KernelArgs, kernelName: string, activation: DenseAttrs['activation']) {
  const x = requiredInput(args, 'x');
  const weights = requiredInput(args, 'weights');
  if (x.shape.length !== 2 || weights.shape.length !== 2 || x.shape[1] !== weights.shape[0]) {
    throw new Error(`${kernelName}: x must be [rows, in] and weights [in, out], got [${x.shape.join(', ')}] and [${weights.shape.join(', ')}]`);
  }
  const [rows, inputs] = x.shape as [number, number];
  const units = weights.shape[1]!;
  for (const name of ['dy', 'z', 'mask']) {
    const tensor = args.inputs[name];
    if (tensor !== undefined && !tf.util.arraysEqual(tensor.shape, [rows, units])) {
      throw new Error(`${kernelName}: ${name} must be [${rows}, ${units}], got [${tensor.shape.join(', ')}]`);
    }
  }
  if (args.inputs.mask !== undefined && activation !== 'relu') throw new Error(`${kernelName}: a mask needs activation relu, got ${activation}`);
  return { rows, inputs, units };
}

function denseKernel(kernels: NativeKernels): tf.KernelConfig {
  const name = fusedKernelNames.dense;
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const { activation } = args.attrs as unknown as DenseAttrs;
      const { rows, inputs, units } = layerShape(args, name, activation);
      const relu = activation === 'relu';
      const y = outputFloats(backend, rows * units);
      const z = relu ? outputFloats(backend, rows * units) : null;
      kernels.denseForward(
        required(backend, args, name, 'x'),
        required(backend, args, name, 'weights'),
        required(backend, args, name, 'bias'),
        floats(backend, args.inputs.mask, name, 'mask'),
        y,
        z,
        rows,
        inputs,
        units,
        relu,
      );
      const outputs = [floatResult(backend, [rows, units], y)];
      if (z !== null) outputs.push(floatResult(backend, [rows, units], z));
      return outputs;
    },
  };
}

function denseGradKernel(kernels: NativeKernels): tf.KernelConfig {
  const name = fusedKernelNames.denseGrad;
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const { activation, inputGradient } = args.attrs as unknown as DenseGradAttrs;
      const { rows, inputs, units } = layerShape(args, name, activation);
      const dWeights = outputFloats(backend, inputs * units);
      const dBias = outputFloats(backend, units);
      const dx = inputGradient ? outputFloats(backend, rows * inputs) : null;
      kernels.denseBackward(
        required(backend, args, name, 'dy'),
        required(backend, args, name, 'x'),
        required(backend, args, name, 'weights'),
        floats(backend, args.inputs.z, name, 'z'),
        floats(backend, args.inputs.mask, name, 'mask'),
        dWeights,
        dBias,
        dx,
        rows,
        inputs,
        units,
        activation === 'relu',
      );
      const outputs = [floatResult(backend, [inputs, units], dWeights), floatResult(backend, [units], dBias)];
      if (dx !== null) outputs.push(floatResult(backend, [rows, inputs], dx));
      return outputs;
    },
  };
}

/** The native implementations of kernel-contract.ts's dense layer and its gradient. */
export function denseKernels(kernels: NativeKernels): tf.KernelConfig[] {
  return [denseKernel(kernels), denseGradKernel(kernels)];
}
