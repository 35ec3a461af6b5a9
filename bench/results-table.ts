import Table from 'cli-table3';
import type { BenchResults } from './bench-results';
import { describeTorchBlas } from './pytorch-comparison';

const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined ? '—' : value.toFixed(digits));

/** The human-readable summary `npm run bench` prints; bench/results.json holds everything. */
export function renderResults(results: BenchResults): string {
  const engines = new Table({
    head: ['engine', 'backend', 's/epoch', 'eval s/epoch', 'samples/s', 'train GFLOPS', 'eval GFLOPS', 'speed-up', 'eval speed-up'],
    style: { head: [], border: [] },
  });
  for (const e of results.engines) {
    engines.push([
      e.name,
      e.backend ?? `unavailable`,
      fixed(e.secondsPerEpoch, 2),
      fixed(e.evalSecondsPerEpoch, 2),
      fixed(e.samplesPerSec, 0),
      fixed(e.trainGflops, 1),
      fixed(e.evalGflops, 1),
      e.speedupOverBaseline === null ? '—' : `${e.speedupOverBaseline.toFixed(1)}x`,
      e.evalSpeedupOverBaseline === null ? '—' : `${e.evalSpeedupOverBaseline.toFixed(1)}x`,
    ]);
  }
  const lines = [
    `${results.machine.cpu}, ${results.machine.cores} cores; load average ${results.loadAverage.start.join(' ')} at start, ${results.loadAverage.end.join(' ')} at end` +
      (results.cpuPressure.start === null ? '' : `; CPU pressure ${results.cpuPressure.start.avg10}% at start, ${results.cpuPressure.end?.avg10}% at end`),
    'unavailable' in results.machine.openblas
      ? `OpenBLAS: ${results.machine.openblas.unavailable}`
      : `OpenBLAS ${results.machine.openblas.core} kernels (${results.machine.openblas.coreChoice}), ${results.machine.openblas.threads} thread(s) per product at most`,
    `${results.mode} mode: per-epoch numbers scaled to 60,000 training and 70,000 evaluated images`,
    engines.toString(),
  ];
  const seconds = (train: number | null, evaluation: number | null) => `${fixed(train, 2)} s/epoch, evaluation ${fixed(evaluation, 3)} s`;
  for (const k of results.nativeKernelSets) {
    lines.push(`native with ${k.setting}: ${seconds(k.secondsPerEpoch, k.evalSecondsPerEpoch)} [${k.engine}]`);
  }
  for (const v of results.nativeVariants) lines.push(`native, ${v.setting}: ${seconds(v.secondsPerEpoch, v.evalSecondsPerEpoch)} [${v.engine}]`);
  const shared = results.sharedMachine;
  if (shared.processes.length > 0) {
    lines.push(
      `${shared.processes.length} native processes at once [${shared.processes[0]!.engine}]: ` +
        shared.processes.map((p) => fixed(p.secondsPerEpoch, 2)).join(' and ') +
        ` s/epoch; ${fixed(shared.imagesPerSecond, 0)} training images/s together`,
    );
  }
  const torch = results.pytorch;
  if ('skipped' in torch) {
    lines.push(`PyTorch: not measured (${torch.skipped})`);
  } else {
    const native = results.nativeKernelSets[0];
    lines.push(
      `PyTorch ${torch.torch}, ${torch.threads} intra-op thread(s), BLAS ${describeTorchBlas(torch.blas)}: ${seconds(torch.secondsPerEpoch, torch.evalSecondsPerEpoch)}; ` +
        `PyTorch / native = ${fixed(torch.ratioToNative.epoch, 2)} per epoch, ${fixed(torch.ratioToNative.evaluation, 2)} per evaluation ` +
        `(native BLAS: OpenBLAS through the addon, ${native?.engine ?? 'unavailable'}); PyTorch test accuracy ${torch.testAcc.map((a) => a.toFixed(4)).join(', ')}`,
    );
  }
  lines.push(arithmeticFloorLine(results));
  const accuracy = results.accuracy;
  lines.push(
    `accuracy after ${accuracy.epochs} epoch(s), seeds ${accuracy.seeds.join(', ')}: ` +
      accuracy.engines.map((e) => `${e.engine} ${fixed(e.meanTestAcc, 4)} ± ${fixed(e.seedStdTestAcc, 4)}`).join(', ') +
      (accuracy.meanPairedDifference === null
        ? ''
        : `; difference ${accuracy.meanPairedDifference.toFixed(4)}` +
          (accuracy.differenceStdError === null ? '' : ` ± ${accuracy.differenceStdError.toFixed(4)} (standard error)`) +
          ` (within seed noise: ${accuracy.withinSeedNoise ?? 'n/a'})`),
  );
  const agreement = results.stepAgreement;
  if (!('skipped' in agreement)) {
    const points = agreement.checkpoints.map(
      (c) => `${c.steps} steps: loss ${c.maxLossDifference.toExponential(1)}, parameters ${c.maxRelativeParameterDifference.toExponential(1)}`,
    );
    lines.push(`same trajectory on ${agreement.engines.join(' and ')}, largest differences after ${points.join('; ')}`);
  }
  const prep = results.batchPreparation;
  lines.push(
    `batch preparation per epoch on ${prep.backend}: per-batch upload ${prep.perBatchUploadSeconds.toFixed(2)} s, resident tensors + tf.gather ${prep.residentGatherSeconds.toFixed(2)} s`,
  );
  if ('skipped' in results.sweep) {
    lines.push(`sweep throughput: skipped (${results.sweep.skipped})`);
  } else {
    for (const m of results.sweep.measurements) {
      const env = Object.entries(m.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      lines.push(
        `sweep ${results.sweep.spec} with ${m.trainWorkers} training worker(s)${env ? ` (${env})` : ''}: ${m.trained} runs in ${m.wallSeconds.toFixed(1)} s = ${m.runsPerHour.toFixed(0)} runs/hour on ${m.backends.join(', ')}`,
      );
    }
  }
  const share = results.epochSharing;
  lines.push(
    `epochs axis [${share.epochs.join(', ')}] on ${share.spec}: ${share.trained} epochs trained instead of ${share.naive} (${share.saved} saved, ${(100 * share.savedFraction).toFixed(0)}%)`,
  );
  return lines.join('\n');
}

/** The floors the CPU's FMA peak sets, and how much of that peak native's products reach. */
function arithmeticFloorLine(results: BenchResults): string {
  const floor = results.arithmeticFloor;
  if ('skipped' in floor) return `arithmetic floor: not measured (${floor.skipped})`;
  const native = results.engines.find((e) => e.name === 'native');
  const share = (gflops: number | null | undefined) =>
    gflops === null || gflops === undefined ? '—' : `${((100 * gflops) / floor.fmaGflops.threads).toFixed(0)}%`;
  const threads = `${floor.threads} thread${floor.threads === 1 ? '' : 's'}`;
  return (
    `arithmetic floor at this CPU's float32 FMA peak (${floor.fmaGflops.threads.toFixed(0)} GFLOPS on ${threads}, ${floor.fmaGflops.oneCore.toFixed(0)} on one core, ` +
    `${floor.lanes}-lane FMAs, best of ${floor.fmaRuns}, bench/cpu-peak.c): training ${floor.trainSecondsAtPeak.toFixed(2)} s/epoch, evaluation ${floor.evalSecondsAtPeak.toFixed(3)} s; ` +
    `native's products run at ${share(native?.trainGflops)} of it training and ${share(native?.evalGflops)} evaluating ` +
    `(OpenBLAS's sgemm on the evaluation's 5,000x784x256 product: ${floor.sgemmGflops.threads.toFixed(0)} GFLOPS on ${threads}, ${floor.sgemmGflops.oneThread.toFixed(0)} on one)`
  );
}
