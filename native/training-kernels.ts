import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { fusedKernelNames, type SgdUpdateAttrs, type SoftmaxCrossEntropyAttrs } from './kernel-contract';
import { floatResult, floatValues, outputFloats, requiredInput, sizeOf, type KernelArgs } from './kernel-support';
import type { NativeKernels } from './native-addon';

// The fused kernels of kernel-contract.ts. Unlike the replaced stock kernels these have no
// stock fallback, so they check their inputs and name what is wrong.

function floats(backend: MathBackendCPU, tensor: tf.TensorInfo, kernelName: string, name: string): Float32Array {
  const values = floatValues(backend, tensor);
  if (values === null) throw new Error(`${kernelName}: ${name} must be a float32 tensor, got ${tensor.dtype}`);
  return values;
}

function ints(backend: MathBackendCPU, tensor: tf.TensorInfo, kernelName: string, name: string): Int32Array {
  const values = backend.data.get(tensor.dataId).values;
  if (tensor.dtype !== 'int32' || !(values instanceof Int32Array)) {
    throw new Error(`${kernelName}: ${name} must be an int32 tensor, got ${tensor.dtype}`);
  }
  return values;
}

function classification(backend: MathBackendCPU, args: KernelArgs, kernelName: string, scoresName: string) {
  const scores = requiredInput(args, scoresName);
  const labels = requiredInput(args, 'labels');
  if (scores.shape.length !== 2 || labels.shape.length !== 1 || labels.shape[0] !== scores.shape[0]) {
    throw new Error(
      `${kernelName}: ${scoresName} must be [rows, classes] and labels [rows], got [${scores.shape.join(', ')}] and [${labels.shape.join(', ')}]`,
    );
  }
  const [rows, classes] = scores.shape as [number, number];
  return { scores, rows, classes, scoreValues: floats(backend, scores, kernelName, scoresName), labelValues: ints(backend, labels, kernelName, 'labels') };
}

/**
 * A kernel over same-shaped float32 inputs with one output of that shape, which `compute`
 * fills from the inputs' values (in `inputNames` order) and the kernel's attributes.
 */
function sameShapeKernel(
  kernelName: string,
  inputNames: readonly string[],
  compute: (inputs: Float32Array[], out: Float32Array, attrs: tf.NamedAttrMap) => void,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const inputs = inputNames.map((name) => requiredInput(args, name));
      const shape = inputs[0]!.shape;
      inputs.forEach((input, i) => {
        if (!tf.util.arraysEqual(input.shape, shape)) {
          throw new Error(`${kernelName}: ${inputNames[i]} has shape [${input.shape.join(', ')}], ${inputNames[0]} has [${shape.join(', ')}]; they must match`);
        }
      });
      const out = outputFloats(backend, sizeOf(shape));
      compute(
        inputs.map((input, i) => floats(backend, input, kernelName, inputNames[i]!)),
        out,
        args.attrs ?? {},
      );
      return floatResult(backend, [...shape], out);
    },
  };
}

function softmaxCrossEntropyKernel(kernels: NativeKernels): tf.KernelConfig {
  const name = fusedKernelNames.softmaxCrossEntropy;
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const { reduction } = args.attrs as unknown as SoftmaxCrossEntropyAttrs;
      const { rows, classes, scoreValues, labelValues } = classification(backend, args, name, 'logits');
      const probs = outputFloats(backend, rows * classes);
      const [lossSum, hits] = kernels.softmaxCrossEntropy(scoreValues, labelValues, rows, classes, probs);
      // tfjs's mean of an empty batch is NaN too.
      const loss = reduction === 'sum' ? lossSum : lossSum / rows;
      return [floatResult(backend, [], Float32Array.of(loss)), floatResult(backend, [], Float32Array.of(hits)), floatResult(backend, [rows, classes], probs)];
    },
  };
}

function softmaxCrossEntropyGradKernel(kernels: NativeKernels): tf.KernelConfig {
  const name = fusedKernelNames.softmaxCrossEntropyGrad;
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const { reduction } = args.attrs as unknown as SoftmaxCrossEntropyAttrs;
      const { rows, classes, scoreValues, labelValues } = classification(backend, args, name, 'probs');
      const dy = floats(backend, requiredInput(args, 'dy'), name, 'dy');
      if (dy.length !== 1) throw new Error(`${name}: dy must be a scalar, got ${dy.length} values`);
      const out = outputFloats(backend, rows * classes);
      kernels.softmaxCrossEntropyGrad(scoreValues, labelValues, rows, classes, out, reduction === 'sum' ? dy[0]! : dy[0]! / rows);
      return floatResult(backend, [rows, classes], out);
    },
  };
}

/** The native implementations of the fused kernels of kernel-contract.ts. */
export function trainingKernels(kernels: NativeKernels): tf.KernelConfig[] {
  return [
    sameShapeKernel(fusedKernelNames.reluDropout, ['x', 'mask'], ([x, mask], out) => kernels.reluDropout(x!, mask!, out)),
    sameShapeKernel(fusedKernelNames.reluDropoutGrad, ['dy', 'x', 'mask'], ([dy, x, mask], out) => kernels.reluDropoutGrad(dy!, x!, mask!, out)),
    softmaxCrossEntropyKernel(kernels),
    softmaxCrossEntropyGradKernel(kernels),
    sameShapeKernel(fusedKernelNames.sgdUpdate, ['w', 'grad'], ([w, grad], out, attrs) => {
      const { lr, weightDecay } = attrs as unknown as SgdUpdateAttrs;
      kernels.sgdUpdate(w!, grad!, lr, weightDecay, out);
    }),
  ];
}

/**
 * Gradients of the differentiable fused kernels, in terms of the gradient kernels above (the
 * only backend that runs the forward kernels also has these). Registered once per process:
 * tfjs keys gradients by kernel name alone.
 */
export const trainingGradients: tf.GradConfig[] = [
  {
    kernelName: fusedKernelNames.reluDropout,
    inputsToSave: ['x', 'mask'],
    gradFunc: (dy, saved) => {
      const [x, mask] = saved as [tf.Tensor, tf.Tensor];
      return {
        x: () => tf.engine().runKernel(fusedKernelNames.reluDropoutGrad, { dy: dy as tf.Tensor, x, mask }) as tf.Tensor,
        mask: () => tf.mul(dy as tf.Tensor, tf.relu(x)),
      };
    },
  },
  {
    kernelName: fusedKernelNames.softmaxCrossEntropy,
    inputsToSave: ['labels'],
    outputsToSave: [false, false, true],
    gradFunc: (dys, saved, attrs) => {
      const [labels, probs] = saved as [tf.Tensor, tf.Tensor];
      // Only the loss (output 0) is differentiable; the hit count and the probabilities are reported values.
      const dy = (dys as tf.Tensor[])[0]!;
      return {
        logits: () => tf.engine().runKernel(fusedKernelNames.softmaxCrossEntropyGrad, { probs, labels, dy }, attrs as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  },
];
