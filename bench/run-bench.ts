/**
 * Training-throughput benchmark of regsweep's engines: seconds per epoch and per evaluation,
 * samples/s and GEMM GFLOPS for the native and wasm engines and a plain tfjs baseline, the
 * accuracy both engines reach on the same seeds, the quickstart sweep's runs per hour with 1
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
import { summarizeAccuracy } from './accuracy-summary';
import { runBaselineFit } from './baseline-fit';
import { compareBatchPreparation } from './batch-preparation';
import type { BenchResults } from './bench-results';
import { baselineReport, engineReport, withSpeedups } from './engine-report';
import { runEngine, type EngineRuns } from './engine-runs';
import { epochSharingFor } from './epoch-sharing';
import { gemmFlopsPerImage } from './gemm-flops';
import { cpuPressure, loadAverage, machineInfo } from './machine-info';
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
const evalImages = trainImages + data.testCount + 1000;

const engineRuns: EngineRuns[] = [];
for (const engine of ['native', 'wasm'] as const) {
  progress(`training on ${engine}: ${plan.seeds.length} seed(s) x ${plan.epochs} epoch(s) of ${trainImages} images`);
  engineRuns.push(await runEngine(engine, data, { seeds: plan.seeds, epochs: plan.epochs, trainSubset: plan.trainSubset }));
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
