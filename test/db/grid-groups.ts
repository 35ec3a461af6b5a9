import type { NewTrainedEpochMetrics } from '../../db/epoch-metrics.table';
import type { AnalysisFixture, FixtureTrial } from './analysis-fixture';

export interface GridPoint {
  sweepId: string;
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  epochs: number;
}

export function pointKey(p: GridPoint): string {
  return [p.sweepId, p.dropout1, p.dropout2, p.weightDecay, p.epochs].join('|');
}

export interface GridGroup {
  point: GridPoint;
  trials: FixtureTrial[];
  /** Metrics at the trial's epoch of each seed whose run has reached it. */
  bySeed: Map<number, NewTrainedEpochMetrics>;
}

/** The fixture's trials grouped by grid point. */
export function groupBySeed(fixture: AnalysisFixture): Map<string, GridGroup> {
  const groups = new Map<string, GridGroup>();
  for (const t of fixture.trials) {
    const point = { sweepId: t.sweepId, dropout1: t.dropout1, dropout2: t.dropout2, weightDecay: t.weightDecay, epochs: t.epochs };
    const key = pointKey(point);
    const group: GridGroup = groups.get(key) ?? { point, trials: [], bySeed: new Map() };
    group.trials.push(t);
    const metrics = fixture.metricsAt(t.runId, t.epochs);
    if (metrics) group.bySeed.set(t.seed, metrics);
    groups.set(key, group);
  }
  return groups;
}

export type EffectMetricName = 'test_acc' | 'gap';

/** A metric of one trial (grid point and seed), or undefined when its run has not reached the epoch. */
export function cellValue(fixture: AnalysisFixture, point: GridPoint, seed: number, metric: EffectMetricName): number | undefined {
  const trial = fixture.trials.find(
    (t) =>
      t.sweepId === point.sweepId &&
      t.dropout1 === point.dropout1 &&
      t.dropout2 === point.dropout2 &&
      t.weightDecay === point.weightDecay &&
      t.epochs === point.epochs &&
      t.seed === seed,
  );
  return trial ? fixture.metricsAt(trial.runId, trial.epochs)?.[metric] : undefined;
}
