import type { SweepSpec } from './sweep-spec';
import { runIdOf, type RunPlan } from './run-identity';

/** One grid point including its seed. */
export interface Trial {
  trialKey: string;
  runId: string;
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  epochs: number;
  seed: number;
}

export function trialKeyOf(t: Omit<Trial, 'trialKey' | 'runId'>): string {
  return `d1=${t.dropout1},d2=${t.dropout2},wd=${t.weightDecay},e=${t.epochs},s=${t.seed}`;
}

/**
 * Runs of a sweep in a stable order (dropout1, dropout2, weightDecay, seed, each in
 * the order the spec lists them). Each is trained to the largest epochs value.
 */
export function expandRuns(spec: SweepSpec): RunPlan[] {
  const maxEpochs = Math.max(...spec.grid.epochs);
  const runs: RunPlan[] = [];
  for (const dropout1 of spec.grid.dropout1) {
    for (const dropout2 of spec.grid.dropout2) {
      for (const weightDecay of spec.grid.weightDecay) {
        for (const seed of spec.seeds) {
          const config = { dropout1, dropout2, weightDecay, seed, ...spec.train, hidden: [...spec.train.hidden] as [number, number] };
          runs.push({ ...config, runId: runIdOf(config), maxEpochs });
        }
      }
    }
  }
  return runs;
}

/** Trials of a sweep: every run crossed with every epochs value, in a stable order. */
export function expandTrials(spec: SweepSpec): Trial[] {
  return expandRuns(spec).flatMap((run) =>
    spec.grid.epochs.map((epochs) => {
      const point = { dropout1: run.dropout1, dropout2: run.dropout2, weightDecay: run.weightDecay, epochs, seed: run.seed };
      return { ...point, trialKey: trialKeyOf(point), runId: run.runId };
    }),
  );
}

/** Epochs actually trained versus what training every trial separately would cost. */
export function epochBudget(spec: SweepSpec): { trained: number; naive: number } {
  const runs = expandRuns(spec).length;
  const perRun = spec.grid.epochs.reduce((a, b) => a + b, 0);
  return { trained: runs * Math.max(...spec.grid.epochs), naive: runs * perRun };
}
