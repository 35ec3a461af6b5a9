import type { SweepSpec } from './sweep-spec';
import { runIdOf, type RunPlan } from './run-identity';
import { defaultBatchNorm, defaultEvalDropoutSamples, defaultRegularizer, type RegularizerName } from './training-limits';

/** One grid point including its seed. */
export interface Trial {
  trialKey: string;
  runId: string;
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  epochs: number;
  seed: number;
  regularizer: RegularizerName;
  batchNorm: boolean;
  lr: number;
}

/** The parts of a trial its key is made of; `lrIsAxis` says whether the spec sweeps learning rates. */
export type TrialPoint = Omit<Trial, 'trialKey' | 'runId'> & { lrIsAxis?: boolean };

/**
 * A trial's key, unique within its sweep. The variant parts appear only when they say something
 * (a regularizer other than dropout, batch normalization on, a swept learning rate), so the keys of
 * sweeps planned before those axes existed are unchanged and a relaunch finds its own rows.
 */
export function trialKeyOf(t: TrialPoint): string {
  const variant = [t.regularizer !== defaultRegularizer ? `,reg=${t.regularizer}` : '', t.batchNorm ? ',bn=1' : '', t.lrIsAxis ? `,lr=${t.lr}` : ''].join('');
  return `d1=${t.dropout1},d2=${t.dropout2},wd=${t.weightDecay},e=${t.epochs},s=${t.seed}${variant}`;
}

/** A configuration and seed of the grid, with the run that trains it. */
interface GridPoint {
  regularizer: RegularizerName;
  run: RunPlan;
}

/**
 * Grid points in a stable order (regularizer, batchNorm, lr, dropout1, dropout2, weightDecay,
 * seed, each in the order the spec lists them). Each run is trained to the largest epochs value.
 */
function expandGridPoints(spec: SweepSpec): GridPoint[] {
  const maxEpochs = Math.max(...spec.grid.epochs);
  const { lr: _trainLr, evalDropoutSamples = defaultEvalDropoutSamples, ...train } = spec.train;
  const points: GridPoint[] = [];
  for (const regularizer of spec.grid.regularizer ?? [defaultRegularizer]) {
    for (const batchNorm of spec.grid.batchNorm ?? [defaultBatchNorm]) {
      for (const lr of spec.grid.lr ?? [spec.train.lr]) {
        for (const dropout1 of spec.grid.dropout1) {
          for (const dropout2 of spec.grid.dropout2) {
            for (const weightDecay of spec.grid.weightDecay) {
              for (const seed of spec.seeds) {
                const config = {
                  dropout1,
                  dropout2,
                  weightDecay,
                  seed,
                  ...train,
                  lr,
                  hidden: [...train.hidden] as [number, number],
                  // At rates 0 every regularizer trains the same network, so those grid points
                  // share the one run of the default model instead of training it once per variant.
                  regularizer: dropout1 === 0 && dropout2 === 0 ? defaultRegularizer : regularizer,
                  batchNorm,
                  evalDropoutSamples,
                };
                points.push({ regularizer, run: { ...config, runId: runIdOf(config), maxEpochs } });
              }
            }
          }
        }
      }
    }
  }
  return points;
}

/** Runs of a sweep, each once, in the order of the grid points that first need them. */
export function expandRuns(spec: SweepSpec): RunPlan[] {
  const runs = new Map<string, RunPlan>();
  for (const { run } of expandGridPoints(spec)) if (!runs.has(run.runId)) runs.set(run.runId, run);
  return [...runs.values()];
}

/** Trials of a sweep: every grid point crossed with every epochs value, in a stable order. */
export function expandTrials(spec: SweepSpec): Trial[] {
  const lrIsAxis = spec.grid.lr !== undefined;
  return expandGridPoints(spec).flatMap(({ regularizer, run }) =>
    spec.grid.epochs.map((epochs) => {
      const { dropout1, dropout2, weightDecay, seed, batchNorm, lr } = run;
      const point = { dropout1, dropout2, weightDecay, epochs, seed, regularizer, batchNorm, lr };
      return { ...point, trialKey: trialKeyOf({ ...point, lrIsAxis }), runId: run.runId };
    }),
  );
}

/** Epochs actually trained versus what training every trial separately would cost. */
export function epochBudget(spec: SweepSpec): { trained: number; naive: number } {
  const runs = expandRuns(spec).length;
  const points = expandGridPoints(spec).length;
  const perRun = spec.grid.epochs.reduce((a, b) => a + b, 0);
  return { trained: runs * Math.max(...spec.grid.epochs), naive: points * perRun };
}
