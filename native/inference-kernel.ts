import type * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { fusedKernelNames, type InferenceScoreAttrs } from './kernel-contract';
import { floatResult, floatValues, requiredInput, type KernelArgs } from './kernel-support';
import type { NativeKernels } from './native-addon';

const layerNames = [
  ['W1', 'b1'],
  ['W2', 'b2'],
  ['W3', 'b3'],
] as const;

/**
 * The inference score of kernel-contract.ts: inputs x [rows, inputs], labels [rows] (int32) and
 * the three layers' weights W [in, out] and biases b [out]; outputs the chunk's summed
 * cross-entropy and hit count as float32 scalars, as the softmaxCrossEntropy kernel returns them,
 * then, with the attribute `keptRows` > 0, the hidden activations of the first keptRows rows.
 */
export function inferenceScoreKernel(kernels: NativeKernels): tf.KernelConfig {
  const name = fusedKernelNames.inferenceScore;
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args: KernelArgs) => {
      const backend = args.backend as MathBackendCPU;
      const floats = (input: string): Float32Array => {
        const values = floatValues(backend, requiredInput(args, input));
        if (values === null) throw new Error(`${name}: ${input} must be a float32 tensor, got ${requiredInput(args, input).dtype}`);
        return values;
      };
      const x = requiredInput(args, 'x');
      const labels = requiredInput(args, 'labels');
      const labelValues = backend.data.get(labels.dataId).values;
      if (labels.dtype !== 'int32' || !(labelValues instanceof Int32Array)) throw new Error(`${name}: labels must be an int32 tensor, got ${labels.dtype}`);
      const widths = layerNames.map(([w]) => requiredInput(args, w).shape);
      if (x.shape.length !== 2 || widths.some((shape) => shape.length !== 2)) {
        throw new Error(`${name}: x and the weights must be matrices, got [${x.shape.join(', ')}] and ${widths.map((s) => `[${s.join(', ')}]`).join(', ')}`);
      }
      const [w1, b1, w2, b2, w3, b3] = layerNames.flatMap(([w, b]) => [floats(w), floats(b)]);
      const [hidden1, hidden2, classes] = widths.map((shape) => shape[1]!) as [number, number, number];
      const keptRows = (args.attrs as unknown as Partial<InferenceScoreAttrs> | undefined)?.keptRows ?? 0;
      const kept1 = new Float32Array(keptRows * hidden1);
      const kept2 = new Float32Array(keptRows * hidden2);
      const [lossSum, hits] = kernels.inferenceScore(floats('x'), labelValues, x.shape[0]!, w1!, b1!, w2!, b2!, w3!, b3!, hidden1, hidden2, classes, kept1, kept2);
      const scores = [floatResult(backend, [], Float32Array.of(lossSum)), floatResult(backend, [], Float32Array.of(hits))];
      return keptRows === 0 ? scores : [...scores, floatResult(backend, [keptRows, hidden1], kept1), floatResult(backend, [keptRows, hidden2], kept2)];
    },
  };
}
