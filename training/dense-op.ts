import * as tf from '@tensorflow/tfjs';
import { fusedKernelNames, type DenseActivation, type DenseAttrs, type DenseGradAttrs } from '../native/kernel-contract';
import { nativeBackendName } from '../native/native-backend';
import { reluDropout } from './fused-ops';

// On the wasm backend a matMul with transposeA/transposeB runs about 10x slower than an explicit
// tf.transpose followed by a plain matMul (measured: 39 ms vs 9 ms for 256x256 · (784x256)^T),
// and tfjs's built-in matMul gradient uses the flags. These ops give dense layers a backward
// pass built only from plain matMuls.

/** y = x·W + b; backward: dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ_rows dy. */
const denseWithInputGradient = tf.customGrad((...args) => {
  const [x, weights, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, weights]);
  return {
    value: tf.add(tf.matMul(x, weights), bias),
    gradFunc: (dy, saved) => {
      const [savedX, savedWeights] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(savedWeights)),
        tf.matMul(tf.transpose(savedX), dy as tf.Tensor2D),
        tf.sum(dy, 0),
      ];
    },
  };
});

/**
 * Fully connected layer `x·W + b` whose gradient avoids transposed-operand matMuls, except on
 * the native backend, where they cost nothing extra.
 *
 * @param inputGradient false when `x` is data (the first layer): x is then held outside the
 *   gradient's inputs, which skips computing dx, a matMul as large as the forward one.
 */
export function dense(x: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D, inputGradient: boolean): tf.Tensor2D {
  if (tf.getBackend() === nativeBackendName) {
    // OpenBLAS reads transposed operands in place, so tfjs's own matMul gradient (transpose
    // flags, and no dx for inputs that are data) is the fast one there: no transpose copies.
    return tf.add(tf.matMul(x, weights), bias);
  }
  if (inputGradient) {
    return denseWithInputGradient(x, weights, bias) as tf.Tensor2D;
  }
  const denseOnData = tf.customGrad((...args) => {
    const [w, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    // Saved (not just captured) so x outlives the forward pass's tidy, e.g. when it was reshaped there.
    save([x]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy, saved) => [tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D), tf.sum(dy, 0)],
    };
  });
  return denseOnData(weights, bias) as tf.Tensor2D;
}

/** How {@link denseLayer} ends and what it differentiates. */
export interface DenseLayerOptions {
  activation: DenseActivation;
  /** With ReLU, multiplies its output: a dropout mask or multiplicative noise of the output's shape; null for none. */
  mask: tf.Tensor2D | null;
  /** As for {@link dense}: false when x is data, so no gradient is computed for it. */
  inputGradient: boolean;
}

/**
 * A whole dense layer, `x·W + b`, then for ReLU `relu(·)` times the mask when there is one:
 * one tfjs kernel forward and one backward where the backend registers kernel-contract.ts's
 * `dense` (native), else {@link dense} followed by tf.relu or {@link reluDropout}. Both give
 * the same values and gradients.
 */
export function denseLayer(x: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D, options: DenseLayerOptions): tf.Tensor2D {
  const { activation, mask, inputGradient } = options;
  if (tf.getKernel(fusedKernelNames.dense, tf.getBackend()) === undefined) {
    const z = dense(x, weights, bias, inputGradient);
    if (activation === 'linear') return z;
    return mask === null ? tf.relu(z) : reluDropout(z, mask);
  }
  const attrs: DenseAttrs = { activation };
  const gradAttrs: DenseGradAttrs = { activation, inputGradient };
  // customGrad, not a registered gradient: tfjs asks a registered gradient for each input
  // separately, and the point is one kernel for all of them.
  const layer = tf.customGrad((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [w, b] = args.slice(-2) as [tf.Tensor2D, tf.Tensor1D];
    const inputs: tf.NamedTensorMap = mask === null ? { x, weights: w, bias: b } : { x, weights: w, bias: b, mask };
    const outputs = tf.engine().runKernel(fusedKernelNames.dense, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D | tf.Tensor2D[];
    const [y, z] = Array.isArray(outputs) ? outputs : [outputs];
    // Saved, not captured: the forward pass's tidy disposes what it does not return.
    save([x, w, ...(z === undefined ? [] : [z]), ...(mask === null ? [] : [mask])]);
    return {
      value: y!,
      gradFunc: (dy, saved) => {
        const [savedX, savedW, savedZ, savedMask] = saved as tf.Tensor2D[];
        const gradInputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, x: savedX!, weights: savedW! };
        if (savedZ !== undefined) gradInputs.z = savedZ;
        if (savedMask !== undefined) gradInputs.mask = savedMask;
        const [dW, dB, dx] = tf.engine().runKernel(fusedKernelNames.denseGrad, gradInputs, gradAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return inputGradient ? [dx!, dW!, dB!] : [dW!, dB!];
      },
    };
  });
  return (inputGradient ? layer(x, weights, bias) : layer(weights, bias)) as tf.Tensor2D;
}

/**
 * A dense layer in inference mode, where no gradient is taken: on the native backend one
 * _FusedMatMul (product, then bias and ReLU in place over it) instead of three full-size
 * tensors; elsewhere exactly {@link dense} followed by tf.relu. Both give the same values.
 */
export function inferenceDense(x: tf.Tensor2D, weights: tf.Tensor2D, bias: tf.Tensor1D, activation: 'relu' | 'linear'): tf.Tensor2D {
  if (tf.getBackend() === nativeBackendName) {
    return tf.fused.matMul({ a: x, b: weights, bias, activation }) as tf.Tensor2D;
  }
  const z = dense(x, weights, bias, false);
  return activation === 'relu' ? tf.relu(z) : z;
}
