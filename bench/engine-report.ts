import type { BaselineRun } from './baseline-fit';
import type { EngineRuns } from './engine-runs';
import { gemmFlopsPerImage } from './gemm-flops';

/**
 * The full workload the per-epoch numbers are scaled to: an epoch's evaluation scores the
 * 60,000 training and 10,000 test images (the probe's activations come from the test set's pass).
 */
export const fullEpoch = { trainImages: 60000, evalImages: 60000 + 10000 } as const;

/** One engine's speed, in the same units for every engine. */
export interface EngineReport {
  name: string;
  description: string;
  /** The tfjs backend that ran it; null when unavailable here. */
  backend: string | null;
  unavailable: string | null;
  /** Images trained per measured epoch and images evaluated after it. */
  trainImages: number;
  evalImages: number;
  measuredEpochs: number;
  /** Every measured epoch's training and evaluation seconds, unscaled, in the order trained. */
  epochSeconds: number[];
  evalSeconds: number[];
  /** Median training seconds per epoch, scaled to 60,000 images. */
  secondsPerEpoch: number | null;
  /** Median seconds of an epoch's evaluations, scaled to 70,000 images (train + test). */
  evalSecondsPerEpoch: number | null;
  samplesPerSec: number | null;
  /** GEMM GFLOP of forward and backward passes per training second. */
  trainGflops: number | null;
  evalGflops: number | null;
  /** Baseline seconds per epoch / these seconds per epoch. */
  speedupOverBaseline: number | null;
  evalSpeedupOverBaseline: number | null;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const flops = gemmFlopsPerImage([256, 256]);

function speeds(name: string, description: string, trainImages: number, evalImages: number, seconds: number[], evalSeconds: number[]): EngineReport {
  const train = median(seconds);
  const evaluation = median(evalSeconds);
  return {
    name,
    description,
    backend: null,
    unavailable: null,
    trainImages,
    evalImages,
    measuredEpochs: seconds.length,
    epochSeconds: seconds,
    evalSeconds,
    secondsPerEpoch: (train * fullEpoch.trainImages) / trainImages,
    evalSecondsPerEpoch: (evaluation * fullEpoch.evalImages) / evalImages,
    samplesPerSec: trainImages / train,
    trainGflops: (trainImages * flops.train) / train / 1e9,
    evalGflops: (evalImages * flops.forward) / evaluation / 1e9,
    speedupOverBaseline: null,
    evalSpeedupOverBaseline: null,
  };
}

function unmeasured(name: string, description: string, reason: string): EngineReport {
  return {
    name,
    description,
    backend: null,
    unavailable: reason,
    trainImages: 0,
    evalImages: 0,
    measuredEpochs: 0,
    epochSeconds: [],
    evalSeconds: [],
    secondsPerEpoch: null,
    evalSecondsPerEpoch: null,
    samplesPerSec: null,
    trainGflops: null,
    evalGflops: null,
    speedupOverBaseline: null,
    evalSpeedupOverBaseline: null,
  };
}

/** Speed of a regsweep engine over every epoch it trained (the median skips warm-up outliers). */
export function engineReport(runs: EngineRuns, description: string, trainImages: number, evalImages: number): EngineReport {
  const epochs = runs.runs.flatMap((run) => run.metrics);
  if (runs.backend === null || epochs.length === 0) return unmeasured(runs.engine, description, runs.unavailable ?? 'no epoch was trained');
  const report = speeds(
    runs.engine,
    description,
    trainImages,
    evalImages,
    epochs.map((m) => m.seconds),
    epochs.map((m) => m.evalSeconds),
  );
  return { ...report, backend: runs.backend };
}

export function baselineReport(run: BaselineRun, description: string): EngineReport {
  return { ...speeds('baseline', description, run.trainImages, run.evalImages, [run.seconds], [run.evalSeconds]), backend: run.backend };
}

/** Fills in each report's speed-up over the baseline's. */
export function withSpeedups(reports: EngineReport[], baseline: EngineReport): EngineReport[] {
  const ratio = (base: number | null, own: number | null) => (base === null || own === null ? null : base / own);
  return reports.map((r) => ({
    ...r,
    speedupOverBaseline: ratio(baseline.secondsPerEpoch, r.secondsPerEpoch),
    evalSpeedupOverBaseline: ratio(baseline.evalSecondsPerEpoch, r.evalSecondsPerEpoch),
  }));
}
