import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../training/backends';
import { createRng } from '../../training/seeded-random';
import { loadNativeKernels } from '../../native/native-addon';

/**
 * Native tests run, and fail, when the addon is missing: `npm install` builds it wherever the
 * machine can have it, so a missing addon is a broken install. A machine that truly cannot
 * build it may set REGSWEEP_TESTS_WITHOUT_NATIVE=1 to skip them; CI never does.
 * @returns the skip reason under that opt-out, else false.
 */
export function nativeSkipReason(): string | false {
  const load = loadNativeKernels();
  if (load.ok || process.env.REGSWEEP_TESTS_WITHOUT_NATIVE !== '1') return false;
  return `REGSWEEP_TESTS_WITHOUT_NATIVE=1 and ${load.reason}`;
}

/** Seeded values uniform in [-1, 1), with a few exact zeros so ReLU and Step see their edge. */
export function seededValues(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, (_, i) => (i % 17 === 5 ? 0 : rng.nextFloat() * 2 - 1));
}

export interface OperandSpec {
  values: Float32Array | Int32Array;
  shape: number[];
}

/**
 * Runs `op` on fresh tensors of `inputs` on the stock `cpu` backend and on `native`, and
 * returns both results' values and shapes; leaves `native` active.
 */
export async function onBothBackends(
  inputs: readonly OperandSpec[],
  op: (...tensors: tf.Tensor[]) => tf.Tensor,
): Promise<{ stock: tf.TypedArray; native: tf.TypedArray; stockShape: number[]; nativeShape: number[] }> {
  const run = async (backend: 'cpu' | 'native') => {
    await selectBackend(backend);
    return tf.tidy(() => {
      const result = op(...inputs.map((input) => tf.tensor(input.values, input.shape)));
      return { values: result.dataSync(), shape: result.shape };
    });
  };
  const stock = await run('cpu');
  const native = await run('native');
  return { stock: stock.values, native: native.values, stockShape: stock.shape, nativeShape: native.shape };
}

/** The first index where two arrays differ in bits (NaN equals NaN), or -1. */
export function firstBitDifference(a: tf.TypedArray, b: tf.TypedArray): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}
