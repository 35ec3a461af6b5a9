/**
 * Why a training step's products run slower inside the step than bench/step-breakdown.ts times
 * them alone: the step's first product, x·W1 (256x784 by 784x256), through the addon, timed
 * when repeated on the same operands, when the calling thread has just rewritten both operands
 * (the other core then reads lines this core wrote, as after the gather and the SGD update),
 * and when it has just streamed 32 MB through the caches (the operands must come from memory).
 * Only the product is timed, median of 5 rounds of 300. docs/performance.md quotes runs.
 *
 *   node --import tsx bench/cache-sensitivity.ts
 */
import { loadNativeKernels } from '../native/native-addon';
import { describeActiveEngine, selectBackend } from '../training/backends';
import { median } from './engine-report';
import { patternedFloats } from './patterned-floats';

await selectBackend('native');
const load = loadNativeKernels();
if (!load.ok) throw new Error(load.reason);
const kernels = load.kernels;

const [rows, inputs, units] = [256, 784, 256];
const x = patternedFloats(rows * inputs);
const w = patternedFloats(inputs * units);
const out = new Float32Array(rows * units);
const xCopy = x.slice();
const wCopy = w.slice();
const stream = new Float32Array(8 * 1024 * 1024);
let fill = 0;

/** Median milliseconds of the product over 5 rounds of `calls`, with `before` run (untimed) ahead of each call. */
function productMs(before: () => void, calls = 300): number {
  const rounds = Array.from({ length: 5 }, () => {
    let total = 0;
    for (let i = 0; i < calls; i++) {
      before();
      const start = performance.now();
      kernels.batchMatMul(x, w, out, 1, 1, rows, units, inputs, false, false);
      total += performance.now() - start;
    }
    return total / calls;
  });
  return median(rounds);
}

console.log(`engine: ${describeActiveEngine()}`);
for (const [label, before] of [
  ['repeated on the same operands', () => {}],
  ['after this thread rewrote x and W1', () => (x.set(xCopy), w.set(wCopy))],
  ['after this thread streamed 32 MB', () => stream.fill(fill++)],
] as const) {
  console.log(`${productMs(before).toFixed(3).padStart(7)} ms  x·W1 ${label}`);
}
