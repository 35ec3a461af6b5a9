import type { ChildEngineRuns } from './engine-runs';
import { fullEpoch, median } from './engine-report';
import type { PytorchComparison, PytorchRun } from './pytorch-comparison';

/** The native engine's speed in one setting: a kernel set, a variant, or one of several processes. */
export interface NativeSetting {
  /** What differs from the headline run, e.g. `OPENBLAS_CORETYPE from the environment` or `regularizer dropconnect`. */
  setting: string;
  /** The engine as a worker's ready line names it. */
  engine: string;
  coreChoice: string;
  epochSeconds: number[];
  evalSeconds: number[];
  /** Medians, scaled to 60,000 training and 70,000 evaluated images. */
  secondsPerEpoch: number | null;
  evalSecondsPerEpoch: number | null;
}

export function nativeSetting(setting: string, runs: ChildEngineRuns, trainImages: number, evalImages: number): NativeSetting {
  const epochs = runs.runs.flatMap((run) => run.metrics);
  const seconds = epochs.map((m) => m.seconds);
  const evalSeconds = epochs.map((m) => m.evalSeconds);
  return {
    setting,
    engine: runs.engineDescription,
    coreChoice: runs.coreChoice,
    epochSeconds: seconds,
    evalSeconds,
    secondsPerEpoch: seconds.length === 0 ? null : (median(seconds) * fullEpoch.trainImages) / trainImages,
    evalSecondsPerEpoch: evalSeconds.length === 0 ? null : (median(evalSeconds) * fullEpoch.evalImages) / evalImages,
  };
}

/** Several native training processes at once on one machine, as `regsweep dev --train-workers N` starts them. */
export interface SharedMachine {
  processes: NativeSetting[];
  /** Training images per second of all processes together (each process's median epoch). */
  imagesPerSecond: number | null;
}

export function sharedMachine(processes: NativeSetting[]): SharedMachine {
  const rates = processes.map((p) => (p.secondsPerEpoch === null ? null : fullEpoch.trainImages / p.secondsPerEpoch));
  return { processes, imagesPerSecond: rates.some((r) => r === null) ? null : rates.reduce((a, b) => a! + b!, 0) };
}

/** PyTorch's run and its seconds over native's: above 1, native is faster. */
export type PytorchReport = (PytorchRun & { ratioToNative: { epoch: number | null; evaluation: number | null } }) | { skipped: string };

export function pytorchReport(comparison: PytorchComparison, native: NativeSetting): PytorchReport {
  if ('skipped' in comparison) return comparison;
  const ratio = (theirs: number, ours: number | null) => (ours === null ? null : theirs / ours);
  return {
    ...comparison,
    ratioToNative: {
      epoch: ratio(comparison.secondsPerEpoch, native.secondsPerEpoch),
      evaluation: ratio(comparison.evalSecondsPerEpoch, native.evalSecondsPerEpoch),
    },
  };
}
