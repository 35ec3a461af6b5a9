/**
 * Training-throughput benchmark of regsweep's engines: seconds per epoch and per evaluation,
 * samples/s and GEMM GFLOPS for the native and wasm engines and a plain tfjs baseline, native
 * with each OpenBLAS kernel set in play, on the regularizer variants and as two processes
 * sharing the machine, PyTorch on the same model and minibatches where it is installed, the
 * accuracy both engines reach on the same seeds, the floor this CPU's FMA peak sets, the quickstart sweep's runs per hour with 1
 * and 2 training workers, and the epochs saved by sharing runs across the epochs axis.
 * Writes bench/results.json (or --out) and prints a summary; docs/performance.md explains it.
 *
 *   npm run bench                 # full: whole epochs, 3 seeds x 3 epochs, real sweeps (about 7 minutes)
 *   npm run bench -- --quick      # under a minute: 3,000-image subsets, one seed, no sweep
 *   npm run bench -- --skip-sweep # full engine numbers without Postgres and Temporal
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { blasThreadsPerWorker } from '../infra/local/training-threads';
import { parseSpecJson } from '../domain/spec-validation';
import { loadDatasetCached, locateDataset } from '../training/fashion-mnist';
import { selectBackend } from '../training/backends';
import { chooseBlasCore, readCpuFlags } from '../native/blas-core';
import { summarizeAccuracy } from './accuracy-summary';
import { measureArithmeticFloor } from './arithmetic-floor';
import { runBaselineFit } from './baseline-fit';
import { compareBatchPreparation } from './batch-preparation';
import type { BenchResults } from './bench-results';
import { baselineReport, engineReport, withSpeedups } from './engine-report';
import { runEngine, runEngineInChild, type EngineRuns } from './engine-runs';
import { epochSharingFor } from './epoch-sharing';
import { gemmFlopsPerImage } from './gemm-flops';
import { cpuPressure, loadAverage, machineInfo } from './machine-info';
import { nativeSetting, pytorchReport, sharedMachine, type NativeSetting, type PytorchReport } from './native-report';
import { runPytorchComparison } from './pytorch-comparison';
import { measureSweepThroughput } from './sweep-throughput';
import { renderResults } from './results-table';
import { compareSteps } from './step-agreement';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'skip-sweep': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
  },
});
const quick = values.quick === true;
const plan = quick
  ? { seeds: [1], epochs: 2, trainSubset: 3000, baselineImages: 3000, prepBatches: 20, agreementSteps: [5, 10] }
  : { seeds: [1, 2, 3], epochs: 3, trainSubset: null, baselineImages: 60000, prepBatches: 40, agreementSteps: [10, 50, 100] };
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

const startLoad = loadAverage();
const startPressure = cpuPressure();
const machine = machineInfo();
const config = loadConfig();
const data = loadDatasetCached(locateDataset({ dataDir: config.dataDir }));
const trainImages = plan.trainSubset ?? data.trainCount;
// The probe's activations come from the test set's pass: no images of its own.
const evalImages = trainImages + data.testCount;

const workload = { seeds: plan.seeds, epochs: plan.epochs, trainSubset: plan.trainSubset };
// OpenBLAS fixes its kernel set when a process loads it, so native runs in child processes: the
// headline with the kernel set regsweep picks for this CPU, and, where the environment pins
// another with OPENBLAS_CORETYPE, that one too.
const ownChoice = chooseBlasCore(readCpuFlags(), undefined);
const ownCore = ownChoice.coreType;
const envCore = 'core' in machine.openblas ? machine.openblas.core : null;
const ownCoreEnv: Record<string, string | undefined> = ownCore === null ? {} : { OPENBLAS_CORETYPE: ownCore };
progress(`training on native (${ownCore ?? 'OpenBLAS-detected'} kernels): ${plan.seeds.length} seed(s) x ${plan.epochs} epoch(s) of ${trainImages} images`);
const native = await runEngineInChild('native', workload, ownCoreEnv);
const nativeKernelSets = [nativeSetting(`regsweep's kernel set for this CPU, ${ownCore ?? "OpenBLAS's own detection"} (${ownChoice.reason})`, native, trainImages, evalImages)];
// Right after native, so both see the machine in the same state.
let pytorch: PytorchReport = { skipped: quick ? 'quick mode (PyTorch trains on all 60,000 images only)' : 'the native engine is unavailable' };
if (!quick && native.backend !== null) {
  // The initial weights are built here with tfjs; selectBackend quiets the cpu backend's banner.
  await selectBackend('cpu');
  progress(`PyTorch: ${plan.seeds.length} seed(s) x ${plan.epochs} epoch(s), OpenBLAS on ${native.threads} thread(s), the same weights and minibatches`);
  pytorch = pytorchReport(
    runPytorchComparison(data, { seeds: plan.seeds, epochs: plan.epochs, threads: native.threads }, ownCore === null ? {} : { OPENBLAS_CORETYPE: ownCore }),
    nativeKernelSets[0]!,
  );
}
let arithmeticFloor: BenchResults['arithmeticFloor'] = { skipped: 'the native engine is unavailable' };
if (native.backend !== null) {
  progress(`arithmetic floor: float32 FMA peak on ${native.threads} thread(s) (bench/cpu-peak.c)`);
  arithmeticFloor = measureArithmeticFloor(native.threads, { ...process.env, ...ownCoreEnv });
}
if (native.backend !== null && ownCore !== null && envCore !== null && envCore !== ownCore) {
  progress(`training on native with the environment's kernel set (${envCore})`);
  const pinned = await runEngineInChild('native', workload, {});
  nativeKernelSets.push(nativeSetting(`OPENBLAS_CORETYPE=${envCore} from the environment`, pinned, trainImages, evalImages));
}
progress(`training on wasm: ${plan.seeds.length} seed(s) x ${plan.epochs} epoch(s) of ${trainImages} images`);
const engineRuns: EngineRuns[] = [native, await runEngine('wasm', data, workload)];

const variantWorkload = { seeds: [plan.seeds[0]!], epochs: plan.epochs, trainSubset: plan.trainSubset };
const nativeVariants: NativeSetting[] = [];
const sharedProcesses: NativeSetting[] = [];
if (native.backend !== null) {
  for (const variant of [{ regularizer: 'dropconnect' }, { regularizer: 'gaussian' }, { batchNorm: true }] as const) {
    const label = 'batchNorm' in variant ? 'batch norm' : `regularizer ${variant.regularizer}`;
    progress(`training a ${label} variant on native: 1 seed x ${plan.epochs} epoch(s)`);
    nativeVariants.push(nativeSetting(label, await runEngineInChild('native', { ...variantWorkload, variant }, ownCoreEnv), trainImages, evalImages));
  }
  const cores = os.availableParallelism();
  const threadsEach = String(blasThreadsPerWorker(2, cores));
  progress(`two native training processes at once, OPENBLAS_NUM_THREADS=${threadsEach} each`);
  const pair = await Promise.all(
    [plan.seeds[0]!, plan.seeds[0]! + 1].map((seed) =>
      runEngineInChild('native', { ...variantWorkload, seeds: [seed] }, { ...ownCoreEnv, OPENBLAS_NUM_THREADS: threadsEach }),
    ),
  );
  pair.forEach((runs, i) => sharedProcesses.push(nativeSetting(`process ${i + 1} of 2`, runs, trainImages, evalImages)));
}

progress(`plain tfjs baseline: model.fit, one epoch of ${plan.baselineImages} images on the stock wasm backend`);
const baseline = baselineReport(
  await runBaselineFit(data, plan.baselineImages, plan.seeds[0]!),
  'tfjs-layers model.fit of the same MLP on the stock wasm backend (no regsweep engine code)',
);
const descriptions: Record<string, string> = {
  native: 'regsweep train() on tfjs cpu backend + OpenBLAS/native kernels',
  wasm: 'regsweep train() on the stock tfjs wasm backend (explicit-transpose gradients)',
};
const engines = withSpeedups([...engineRuns.map((runs) => engineReport(runs, descriptions[runs.engine]!, trainImages, evalImages)), baseline], baseline);

const stepAgreement =
  engineRuns[0]!.backend === null ? { skipped: 'the native engine is unavailable' } : await compareSteps(data, ['native', 'wasm'], plan.agreementSteps);

progress('batch preparation: per-batch upload versus resident tensors');
await selectBackend(engineRuns[0]!.backend === null ? 'cpu' : 'native');
const batchPreparation = compareBatchPreparation(data, plan.prepBatches);

// Small runs on a 6,000-image subset: many runs per minute, so the numbers show orchestration
// and worker layout as much as training.
const specFile = path.join('bench', 'throughput-sweep.json');
const spec = parseSpecJson(readFileSync(specFile, 'utf8'));
let sweep: BenchResults['sweep'] = { skipped: quick ? 'quick mode' : '--skip-sweep' };
if (!quick && values['skip-sweep'] !== true) {
  const cores = os.availableParallelism();
  progress(`sweep ${specFile} with 1 and 2 training workers, and with 1 on wasm (real Temporal dev server and Postgres)`);
  try {
    const measurements = await measureSweepThroughput(spec, [
      { trainWorkers: 1, env: {} },
      // What `regsweep quickstart --train-workers 2` and `regsweep dev` give each worker, then every core each, for comparison.
      { trainWorkers: 2, env: { OPENBLAS_NUM_THREADS: String(blasThreadsPerWorker(2, cores)) } },
      { trainWorkers: 2, env: { OPENBLAS_NUM_THREADS: String(cores) } },
      { trainWorkers: 1, env: { REGSWEEP_BACKEND: 'wasm' } },
    ]);
    sweep = { spec: specFile, measurements };
  } catch (error) {
    sweep = { skipped: `the sweep could not run: ${(error as Error).message.split('\n')[0]}` };
  }
}

const flops = gemmFlopsPerImage([256, 256]);
const results: BenchResults = {
  version: 1,
  mode: quick ? 'quick' : 'full',
  at: new Date().toISOString(),
  machine,
  loadAverage: { start: startLoad, end: loadAverage() },
  cpuPressure: { start: startPressure, end: cpuPressure() },
  workload: {
    seeds: plan.seeds,
    epochs: plan.epochs,
    trainImages,
    batchSize: 256,
    baselineTrainImages: plan.baselineImages,
    gemmFlopPerTrainImage: flops.train,
    gemmFlopPerEvalImage: flops.forward,
  },
  engines,
  nativeKernelSets,
  nativeVariants,
  sharedMachine: sharedMachine(sharedProcesses),
  pytorch,
  arithmeticFloor,
  accuracy: summarizeAccuracy(engineRuns, trainImages),
  stepAgreement,
  batchPreparation,
  sweep,
  epochSharing: epochSharingFor(spec, [5, 10, 20]),
};
mkdirSync(path.dirname(values.out!), { recursive: true });
writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
console.log(renderResults(results));
progress(`wrote ${values.out}`);
