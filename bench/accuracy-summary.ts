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
  /** |meanPairedDifference| is at most the larger of the engines' seed-to-seed standard deviations; null with one seed. */
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
  return {
    seeds: measured[0]?.runs.map((run) => run.seed) ?? [],
    epochs: measured[0]?.runs[0]?.metrics.length ?? 0,
    trainImages,
    engines,
    meanPairedDifference,
    maxAbsPairedDifference: differences ? Math.max(...differences.map(Math.abs)) : null,
    withinSeedNoise:
      meanPairedDifference === null || !a || !b || a.testAcc.length < 2 ? null : Math.abs(meanPairedDifference) <= Math.max(a.seedStdTestAcc, b.seedStdTestAcc),
  };
}
