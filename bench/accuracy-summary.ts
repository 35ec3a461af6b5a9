import type { EngineRuns } from './engine-runs';

/** Final-epoch accuracy of each engine per seed, and whether the engines differ by more than seeds do. */
export interface AccuracySummary {
  seeds: number[];
  epochs: number;
  trainImages: number;
  engines: Array<{ engine: string; testAcc: number[]; trainLoss: number[]; meanTestAcc: number; seedStdTestAcc: number }>;
  /** Mean over seeds of (first engine − second engine) test accuracy for the same seed; null with fewer than two engines. */
  meanPairedDifference: number | null;
  maxAbsPairedDifference: number | null;
  /**
   * Standard error of the difference of the two engines' mean accuracies, from their
   * seed-to-seed standard deviations: sqrt(s_a²/n + s_b²/n). Null with one seed.
   */
  differenceStdError: number | null;
  /**
   * |meanPairedDifference| is at most twice differenceStdError: the engines differ by no more
   * than seed-to-seed variation explains at about the 95% level. Seeds are compared as
   * independent samples, not as pairs: the engines' trajectories part after about 100 steps
   * (see stepAgreement), so a seed's two runs are no closer than two seeds. Null with one seed.
   */
  withinSeedNoise: boolean | null;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation; 0 for a single value. */
function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

export function summarizeAccuracy(all: readonly EngineRuns[], trainImages: number): AccuracySummary {
  const measured = all.filter((e) => e.runs.length > 0);
  const engines = measured.map((e) => {
    const last = e.runs.map((run) => run.metrics.at(-1)!);
    const testAcc = last.map((m) => m.testAcc);
    return { engine: e.engine, testAcc, trainLoss: last.map((m) => m.trainLoss), meanTestAcc: mean(testAcc), seedStdTestAcc: sampleStd(testAcc) };
  });
  const [a, b] = engines;
  const differences = a && b ? a.testAcc.map((acc, i) => acc - b.testAcc[i]!) : null;
  const meanPairedDifference = differences ? mean(differences) : null;
  const n = a?.testAcc.length ?? 0;
  const differenceStdError = a && b && n >= 2 ? Math.sqrt(a.seedStdTestAcc ** 2 / n + b.seedStdTestAcc ** 2 / n) : null;
  return {
    seeds: measured[0]?.runs.map((run) => run.seed) ?? [],
    epochs: measured[0]?.runs[0]?.metrics.length ?? 0,
    trainImages,
    engines,
    meanPairedDifference,
    maxAbsPairedDifference: differences ? Math.max(...differences.map(Math.abs)) : null,
    differenceStdError,
    withinSeedNoise: meanPairedDifference === null || differenceStdError === null ? null : Math.abs(meanPairedDifference) <= 2 * differenceStdError,
  };
}
