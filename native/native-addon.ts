import { createRequire } from 'node:module';
import { applyBlasCore, readCpuFlags, type BlasCoreChoice } from './blas-core';

/**
 * The compiled addon, built in place by `npm install` (infra/setup/build-native.sh) rather than
 * as a dependency package: npm builds dependencies before the project's own scripts run, so a
 * dependency could never build against the OpenBLAS that the install step provides.
 */
export const nativeAddonPath = './build/Release/regsweep_native.node';

/** How a person builds the addon, named in every message about it. */
export const nativeBuildHint = "'npm run build:native' (needs libopenblas-dev, gcc, make and python3)";

/**
 * The compiled kernels (src/*.c). Arrays are Float32Arrays read and written in place,
 * respecting their byteOffset; shapes are row-major. Each function checks that the arrays
 * hold exactly what the shapes need and throws a RangeError naming the mismatch otherwise,
 * so a bad call never reads or writes out of bounds.
 */
export interface NativeKernels {
  /**
   * out[i] = op(a[i % batchA]) · op(b[i % batchB]) for each of out's batch·m·n matrices, by
   * OpenBLAS sgemm; op(a) is [m, k] (stored [k, m] when transposeA), op(b) is [k, n].
   */
  batchMatMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** Fixes the OpenBLAS thread count for every later product. */
  setThreads(threads: number): void;
  /** The OpenBLAS thread count in force. */
  threads(): number;
  /** OpenBLAS's build configuration and the CPU kernel set it chose. */
  blasInfo(): { config: string; core: string };
  /**
   * out = a ∘ b with numpy broadcasting; kind 0 add, 1 subtract, 2 multiply, 3 divide.
   * Bit-identical to tfjs's cpu kernels. `out` may be `a` when a already has the output's shape.
   */
  binary(kind: BinaryKind, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array, outShape: number[]): void;
  /** out = max(0, x) with Math.max's NaN and −0 handling; out may be x. */
  relu(x: Float32Array, out: Float32Array): void;
  /** out = 1 where x > 0, NaN where x is NaN, alpha elsewhere. */
  step(x: Float32Array, out: Float32Array, alpha: number): void;
  /** x viewed as [outer, reduce, inner]: out[o, i] = Σ_r x[o, r, i], accumulated in float64 in order of r. */
  sumMiddleAxis(x: Float32Array, outer: number, reduce: number, inner: number, out: Float32Array): void;
  /** Fills out with the inverted-dropout mask of mulberry32 stream `seed`, as training/dropout-mask.ts draws it. */
  dropoutMask(seed: number, p: number, out: Float32Array): void;
  /** out = max(0, x) · mask, bit-identical to tf.mul(tf.relu(x), mask). */
  reluDropout(x: Float32Array, mask: Float32Array, out: Float32Array): void;
  /** out = (dy · mask) · step(x): reluDropout's gradient with respect to x, bit-identical to tfjs's chain. */
  reluDropoutGrad(dy: Float32Array, x: Float32Array, mask: Float32Array, out: Float32Array): void;
  /**
   * Row-wise softmax of logits [rows, classes] into probs; returns the summed cross-entropy
   * against the labels (float64) and the number of rows whose first maximal logit is the label.
   * @throws RangeError for a label outside [0, classes).
   */
  softmaxCrossEntropy(logits: Float32Array, labels: Int32Array, rows: number, classes: number, probs: Float32Array): [lossSum: number, hits: number];
  /** out = (probs − onehot(labels)) · scale. */
  softmaxCrossEntropyGrad(probs: Float32Array, labels: Int32Array, rows: number, classes: number, out: Float32Array, scale: number): void;
  /** out = w − lr·(grad + weightDecay·w), bit-identical to the same tfjs ops in float32. */
  sgdUpdate(w: Float32Array, grad: Float32Array, lr: number, weightDecay: number, out: Float32Array): void;
  /**
   * Row i of out (rowLength floats) = row indices[i] of x: GatherV2 on axis 0.
   * @throws RangeError with tfjs's message for an index outside x's rows.
   */
  gatherRows(x: Float32Array, rowLength: number, indices: Int32Array, out: Float32Array): void;
  /**
   * The MLP's inference-mode score of `rows` images x [rows, inputs]: relu(x·w1 + b1),
   * relu(·w2 + b2), ·w3 + b3, then the summed cross-entropy against the labels (float64) and the
   * number of rows whose first maximal logit is the label. Rounds exactly as the BatchMatMul,
   * Add, Relu and softmaxCrossEntropy kernels applied one after the other. kept1 and kept2
   * receive both hidden layers' activations of the first keptRows rows (keptRows × hidden1 and
   * keptRows × hidden2 values; empty for none).
   * @throws RangeError for sizes that disagree, a label outside [0, classes) or kept rows that differ or exceed `rows`.
   */
  inferenceScore(
    x: Float32Array,
    labels: Int32Array,
    rows: number,
    w1: Float32Array,
    b1: Float32Array,
    w2: Float32Array,
    b2: Float32Array,
    w3: Float32Array,
    b3: Float32Array,
    hidden1: number,
    hidden2: number,
    classes: number,
    kept1: Float32Array,
    kept2: Float32Array,
  ): [lossSum: number, hits: number];
  /**
   * One dense layer's forward pass: x [rows, inputs] · w [inputs, units] + bias into y, or with
   * `relu` that sum into z and max(0, z) · mask (max(0, z) when mask is null) into y. Rounds
   * exactly as BatchMatMul, Add and RegsweepReluDropout (or Relu) one after the other.
   */
  denseForward(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array,
    mask: Float32Array | null,
    y: Float32Array,
    z: Float32Array | null,
    rows: number,
    inputs: number,
    units: number,
    relu: boolean,
  ): void;
  /**
   * denseForward's gradients from dy: dw = xᵀ·dz, db = Σ_rows dz (float64) and, when dx is not
   * null, dx = dz·wᵀ, with dz = (dy · mask) · step(z) for `relu` and dy otherwise. Rounds
   * exactly as tfjs's gradient kernels for the same chain.
   */
  denseBackward(
    dy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    z: Float32Array | null,
    mask: Float32Array | null,
    dw: Float32Array,
    db: Float32Array,
    dx: Float32Array | null,
    rows: number,
    inputs: number,
    units: number,
    relu: boolean,
  ): void;
}

/** Operation codes of {@link NativeKernels.binary}. */
export const binaryKinds = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type BinaryKind = (typeof binaryKinds)[keyof typeof binaryKinds];

const functionNames: ReadonlyArray<keyof NativeKernels> = [
  'batchMatMul',
  'setThreads',
  'threads',
  'blasInfo',
  'binary',
  'relu',
  'step',
  'sumMiddleAxis',
  'dropoutMask',
  'reluDropout',
  'reluDropoutGrad',
  'softmaxCrossEntropy',
  'softmaxCrossEntropyGrad',
  'sgdUpdate',
  'gatherRows',
  'inferenceScore',
  'denseForward',
  'denseBackward',
];

/** The addon, or why it could not be used. */
export type NativeKernelsLoad = { ok: true; kernels: NativeKernels; blasCore: BlasCoreChoice } | { ok: false; reason: string };

let loaded: NativeKernelsLoad | undefined;

/**
 * Loads the compiled addon once per process. Never throws: a missing package (its optional
 * build failed or was skipped), a missing binary or a stale build give `ok: false` and a
 * one-line reason saying how to build it.
 */
export function loadNativeKernels(): NativeKernelsLoad {
  if (loaded !== undefined) return loaded;
  try {
    // Before the require: libopenblas picks its kernels in its load-time constructor.
    const blasCore = applyBlasCore(process.env, readCpuFlags());
    const kernels = createRequire(import.meta.url)(nativeAddonPath) as Partial<NativeKernels>;
    // A build from older sources lacks newer functions; using it would fail mid-training.
    const missing = functionNames.filter((name) => typeof kernels[name] !== 'function');
    if (missing.length > 0) throw new Error(`its build lacks ${missing.join(', ')}`);
    loaded = { ok: true, kernels: kernels as NativeKernels, blasCore };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    loaded = {
      ok: false,
      reason: `the native addon is not available (${(message ?? '').replace(/^Cannot find module '[^']*'.*/, 'not built')}); build it with ${nativeBuildHint}`,
    };
  }
  return loaded;
}
