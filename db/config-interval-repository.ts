import type { ConfigIntervalView, ConfigVsBestView, VsBest } from './config-interval.view';
import type { Executor } from './database';

/** Every config_interval row of the sweep: each grid point, epochs value and metric, unordered. */
export async function listConfigIntervals(db: Executor, sweepId: string): Promise<ConfigIntervalView[]> {
  return db.selectFrom('config_interval').selectAll().where('sweep_id', '=', sweepId).execute();
}

/** config_interval's training accuracy (inference mode) per grid point at one epochs value, unordered. */
export async function listTrainAccuracyIntervals(db: Executor, sweepId: string, epochs: number): Promise<ConfigIntervalView[]> {
  return db
    .selectFrom('config_interval')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', epochs)
    .where('metric', '=', 'train_acc_eval')
    .execute();
}

/** config_vs_best at one epochs value: per metric (gap, then test accuracy), in grid order by weight decay, dropout1, dropout2. */
export async function listConfigsVsBest(db: Executor, sweepId: string, epochs: number): Promise<ConfigVsBestView[]> {
  return db
    .selectFrom('config_vs_best')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', epochs)
    .orderBy('metric')
    .orderBy('weight_decay')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .execute();
}

/** A grid point and epochs value with how its test accuracy compares with the best. */
export interface TestAccuracyVsBest {
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  vs_best: VsBest;
  /** The variant the grid point belongs to; the best is chosen within it. */
  variant: string;
}

/** The test-accuracy comparison with the best of every grid point at every epochs value, unordered. */
export async function listTestAccuracyVsBest(db: Executor, sweepId: string): Promise<TestAccuracyVsBest[]> {
  return db
    .selectFrom('config_vs_best')
    .select(['dropout1', 'dropout2', 'weight_decay', 'epochs', 'vs_best', 'variant'])
    .where('sweep_id', '=', sweepId)
    .where('metric', '=', 'test_acc')
    .execute();
}
