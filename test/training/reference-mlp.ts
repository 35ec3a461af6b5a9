/**
 * An independent float64 reference of the MLP for hand-computation tests: plain loops over
 * number[][] (no tfjs), for a network whose images have only their first `inputs` pixels
 * non-zero, with the regularizer's masks or noise passed in explicitly.
 */
import type { RegularizerName } from '../../domain/training-limits';
import type { Mlp } from '../../training/mlp';
import { createRng } from '../../training/seeded-random';

export type Matrix = number[][];

export interface ReferenceParams {
  W1: Matrix;
  b1: number[];
  W2: Matrix;
  b2: number[];
  W3: Matrix;
  b3: number[];
  /** γ, β, running mean and variance of each hidden layer; absent without batch norm. */
  bn?: { gamma: [number[], number[]]; beta: [number[], number[]]; mean: [number[], number[]]; variance: [number[], number[]] };
}

/**
 * A training-mode draw per hidden layer, row-major: for dropout, gaussian and additive-gaussian
 * the [rows, width] values acting on the activations; for dropconnect the mask of the next
 * weight matrix. Absent in inference mode.
 */
export interface ReferenceNoise {
  regularizer: RegularizerName;
  layer: [Float32Array | null, Float32Array | null];
}

export const referenceEpsilon = 1e-5;

function affine(x: Matrix, w: Matrix, b: number[], mask: Float32Array | null): Matrix {
  return x.map((row) =>
    b.map((bias, j) => row.reduce((sum, v, i) => sum + v * w[i]![j]! * (mask === null ? 1 : mask[i * b.length + j]!), bias)),
  );
}

function normalize(z: Matrix, layer: 0 | 1, params: ReferenceParams, training: boolean): Matrix {
  const bn = params.bn;
  if (bn === undefined) return z;
  const width = z[0]!.length;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let j = 0; j < width; j++) {
    const column = z.map((row) => row[j]!);
    const m = training ? column.reduce((a, v) => a + v, 0) / column.length : bn.mean[layer][j]!;
    mean.push(m);
    variance.push(training ? column.reduce((a, v) => a + (v - m) ** 2, 0) / column.length : bn.variance[layer][j]!);
  }
  return z.map((row) => row.map((v, j) => (bn.gamma[layer][j]! * (v - mean[j]!)) / Math.sqrt(variance[j]! + referenceEpsilon) + bn.beta[layer][j]!));
}

function activate(z: Matrix, draw: Float32Array | null, regularizer: RegularizerName): Matrix {
  return z.map((row, r) =>
    row.map((v, j) => {
      const relu = Math.max(0, v);
      if (draw === null || regularizer === 'dropconnect') return relu;
      const value = draw[r * row.length + j]!;
      return regularizer === 'additive-gaussian' ? relu + value : relu * value;
    }),
  );
}

/**
 * Logits and both hidden layers for rows `x` of `inputs` pixels each. Batch norm uses the
 * batch's statistics when `batchStatistics` (by default: whenever there is noise, as in
 * training) and the running ones otherwise, as a test-time stochastic pass does.
 */
export function referenceForward(
  params: ReferenceParams,
  x: Matrix,
  noise: ReferenceNoise | null,
  batchStatistics: boolean = noise !== null,
): { logits: Matrix; hidden1: Matrix; hidden2: Matrix } {
  const training = batchStatistics;
  const weightMask = (k: 0 | 1): Float32Array | null => (noise?.regularizer === 'dropconnect' ? noise.layer[k] : null);
  const hidden1 = activate(normalize(affine(x, params.W1, params.b1, null), 0, params, training), noise?.layer[0] ?? null, noise?.regularizer ?? 'dropout');
  const hidden2 = activate(normalize(affine(hidden1, params.W2, params.b2, weightMask(0)), 1, params, training), noise?.layer[1] ?? null, noise?.regularizer ?? 'dropout');
  return { logits: affine(hidden2, params.W3, params.b3, weightMask(1)), hidden1, hidden2 };
}

/** The trainable parameters of the reference by the model's names, each as the rows holding its entries. */
function trainableRows(params: ReferenceParams): Array<[string, number[][]]> {
  const entries: Array<[string, number[][]]> = [
    ['W1', params.W1],
    ['b1', [params.b1]],
    ['W2', params.W2],
    ['b2', [params.b2]],
    ['W3', params.W3],
    ['b3', [params.b3]],
  ];
  const bn = params.bn;
  if (bn !== undefined) entries.push(['gamma1', [bn.gamma[0]]], ['beta1', [bn.beta[0]]], ['gamma2', [bn.gamma[1]]], ['beta2', [bn.beta[1]]]);
  return entries;
}

/**
 * ∂loss/∂p for every trainable entry p by central differences in float64 (step 1e-6: the
 * truncation error, O(h²), and the rounding error, O(1e-16/h), both stay below 1e-9),
 * flattened row-major per parameter name.
 */
export function finiteDifferenceGradients(params: ReferenceParams, loss: () => number): Map<string, number[]> {
  const h = 1e-6;
  const gradients = new Map<string, number[]>();
  for (const [name, rows] of trainableRows(params)) {
    gradients.set(
      name,
      rows.flatMap((row) =>
        row.map((held, i) => {
          row[i] = held + h;
          const up = loss();
          row[i] = held - h;
          const down = loss();
          row[i] = held;
          return (up - down) / (2 * h);
        }),
      ),
    );
  }
  return gradients;
}

/**
 * Seeded parameters for the tiny reference network (inputs → 3 → 3 → 10): weights with spread
 * `weightStd`, small biases, and, with batch norm, γ near 1, β and running means near 0 and
 * running variances in [0.5, 1.5).
 */
export function randomReferenceParams(inputs: number, batchNorm: boolean, weightStd: number): ReferenceParams {
  const rng = createRng(21);
  const matrix = (r: number, c: number, std: number): Matrix => Array.from({ length: r }, () => Array.from({ length: c }, () => std * rng.nextNormal()));
  const vector = (length: number, offset: number, std: number): number[] => Array.from({ length }, () => offset + std * rng.nextNormal());
  const params: ReferenceParams = {
    W1: matrix(inputs, 3, weightStd),
    b1: vector(3, 0, 0.1),
    W2: matrix(3, 3, weightStd),
    b2: vector(3, 0, 0.1),
    W3: matrix(3, 10, weightStd),
    b3: vector(10, 0, 0.1),
  };
  if (batchNorm) {
    params.bn = {
      gamma: [vector(3, 1, 0.2), vector(3, 1, 0.2)],
      beta: [vector(3, 0, 0.1), vector(3, 0, 0.1)],
      mean: [vector(3, 0, 0.2), vector(3, 0, 0.2)],
      // Drawn through vector() so the stream advances as it always has, then replaced.
      variance: [vector(3, 0, 0).map(() => 0.5 + rng.nextFloat()), vector(3, 0, 0).map(() => 0.5 + rng.nextFloat())],
    };
  }
  return params;
}

/** Loads reference parameters into a 784-3-3-10 model: the first `inputs` rows of W1, zeros below. */
export function loadReferenceParams(mlp: Mlp, params: ReferenceParams): void {
  const flat = (m: Matrix): Float32Array => Float32Array.from(m.flat());
  const W1 = new Float32Array(784 * 3);
  W1.set(flat(params.W1));
  const weights = [
    { name: 'W1', shape: [784, 3], data: W1 },
    { name: 'b1', shape: [3], data: Float32Array.from(params.b1) },
    { name: 'W2', shape: [3, 3], data: flat(params.W2) },
    { name: 'b2', shape: [3], data: Float32Array.from(params.b2) },
    { name: 'W3', shape: [3, 10], data: flat(params.W3) },
    { name: 'b3', shape: [10], data: Float32Array.from(params.b3) },
  ];
  const bn = params.bn;
  if (bn !== undefined) {
    for (const k of [0, 1] as const) {
      weights.push(
        { name: `gamma${k + 1}`, shape: [3], data: Float32Array.from(bn.gamma[k]) },
        { name: `beta${k + 1}`, shape: [3], data: Float32Array.from(bn.beta[k]) },
        { name: `runningMean${k + 1}`, shape: [3], data: Float32Array.from(bn.mean[k]) },
        { name: `runningVar${k + 1}`, shape: [3], data: Float32Array.from(bn.variance[k]) },
      );
    }
  }
  mlp.assignWeights(weights);
}

/** `rows` seeded images of `inputs` pixels in [0, 1). */
export function randomPixelRows(rows: number, inputs: number): Matrix {
  const rng = createRng(5);
  return Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rng.nextFloat()));
}
