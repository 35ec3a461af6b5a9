/**
 * Where a native training step's time goes: whole steps as train() runs them (sgdStep on
 * gathered minibatches of the real training set), then the step's eight matrix products alone
 * with the same shapes and transpose flags, through the addon with no tfjs in between, and the
 * tfjs kernels a step dispatches. Median over the repetitions. docs/performance.md records a run.
 *
 *   node --import tsx bench/step-breakdown.ts [--steps 235] [--repeats 5]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../config';
import { d2lRunDefaults } from '../domain/training-limits';
import { loadNativeKernels } from '../native/native-addon';
import { activeMaskFill, describeActiveEngine, selectBackend } from '../training/backends';
import { createBatchSource, disposeBatch, rangeIndices } from '../training/batching';
import { loadDatasetCached, locateDataset } from '../training/fashion-mnist';
import { buildMlp } from '../training/mlp';
import { sgdStep } from '../training/sgd-step';
import { withTrainDefaults } from '../training/train-config';
import { patternedFloats } from './patterned-floats';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '235' }, repeats: { type: 'string', default: '5' } } });
const steps = Number(values.steps);
const repeats = Number(values.repeats);

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

await selectBackend('native');
const load = loadNativeKernels();
if (!load.ok) throw new Error(load.reason);
const kernels = load.kernels;
const data = loadDatasetCached(locateDataset({ dataDir: loadConfig().dataDir }));
const config = withTrainDefaults({ ...d2lRunDefaults, seed: 1 });
const mlp = buildMlp(config, { maskFill: activeMaskFill() });
const source = createBatchSource(data.trainImages, data.trainLabels);
const order = rangeIndices(data.trainCount);
const batchSize = config.batchSize;

/** Seconds of `steps` full-size steps, batch preparation included, as trainEpoch runs them. */
function stepsSeconds(epoch: number): number {
  const start = performance.now();
  for (let b = 0; b < steps; b++) {
    const first = (b * batchSize) % (data.trainCount - batchSize);
    const batch = source.batch(order, first, first + batchSize);
    sgdStep(mlp, batch, { epoch, batch: b, lr: config.lr, weightDecay: config.weightDecay });
    disposeBatch(batch);
  }
  return (performance.now() - start) / 1000;
}

// One untimed pass: V8 compiles tfjs's paths on the first steps.
stepsSeconds(0);
const stepTimes = Array.from({ length: repeats }, (_, i) => stepsSeconds(i + 1) / steps);

const [inputs, h1, h2, classes] = [784, 256, 256, 10];
const m = batchSize;
/** The step's products as tfjs's matMul gradient issues them: [label, m, n, k, transposeA, transposeB]. */
const products: Array<[string, number, number, number, boolean, boolean]> = [
  ['x·W1 (forward)', m, h1, inputs, false, false],
  ['h1·W2 (forward)', m, h2, h1, false, false],
  ['h2·W3 (forward)', m, classes, h2, false, false],
  ['dW3 = h2ᵀ·dz3', h2, classes, m, true, false],
  ['dh2 = dz3·W3ᵀ', m, h2, classes, false, true],
  ['dW2 = h1ᵀ·dz2', h1, h2, m, true, false],
  ['dh1 = dz2·W2ᵀ', m, h1, h2, false, true],
  ['dW1 = xᵀ·dz1', inputs, h1, m, true, false],
];
const productTimes = products.map(([label, rows, cols, depth, transposeA, transposeB]) => {
  const a = patternedFloats(rows * depth);
  const b = patternedFloats(depth * cols);
  const out = new Float32Array(rows * cols);
  const reps = 200;
  const times = Array.from({ length: repeats }, () => {
    const start = performance.now();
    for (let i = 0; i < reps; i++) kernels.batchMatMul(a, b, out, 1, 1, rows, cols, depth, transposeA, transposeB);
    return (performance.now() - start) / 1000 / reps;
  });
  const seconds = median(times);
  return { label, seconds, gflops: (2 * rows * cols * depth) / seconds / 1e9 };
});

const profile = await tf.profile(() => {
  const batch = source.batch(order, 0, batchSize);
  sgdStep(mlp, batch, { epoch: 99, batch: 0, lr: config.lr, weightDecay: config.weightDecay });
  disposeBatch(batch);
});

const productSum = productTimes.reduce((sum, p) => sum + p.seconds, 0);
const step = median(stepTimes);
console.log(`engine: ${describeActiveEngine()}`);
console.log(`${(step * 1000).toFixed(3).padStart(8)} ms  whole step (median of ${repeats} x ${steps} steps), ${(step * 235).toFixed(3)} s per 235-step epoch`);
for (const p of productTimes) console.log(`${(p.seconds * 1000).toFixed(3).padStart(8)} ms  ${p.label} alone (${p.gflops.toFixed(0)} GFLOPS)`);
console.log(`${(productSum * 1000).toFixed(3).padStart(8)} ms  the eight products, summed (${((productSum / step) * 100).toFixed(0)}% of the step)`);
console.log(
  `${((step - productSum) * 1000).toFixed(3).padStart(8)} ms  everything else: ${profile.kernels.length} tfjs kernels (${[...new Set(profile.kernels.map((k) => k.name))].join(', ')}), masks, gather, bookkeeping`,
);
source.dispose();
mlp.dispose();
