import { sql } from 'kysely';
import type { Executor } from './database';
import { largestEpochsOf } from './largest-epochs';
import type { NewSweep, SweepRow, SweepStatus } from './sweeps.table';

/** Creates the sweep or, on relaunch, refreshes its spec and sizes and marks it running again. */
export async function upsertSweep(db: Executor, sweep: Omit<NewSweep, 'status'>): Promise<void> {
  await db
    .insertInto('sweeps')
    .values({ ...sweep, status: 'running' })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        spec: eb.ref('excluded.spec'),
        trials: eb.ref('excluded.trials'),
        runs: eb.ref('excluded.runs'),
        status: 'running',
        finished_at: null,
        updated_at: sql`now()`,
      })),
    )
    .execute();
}

/** Sets the sweep's status; any status but `running` also stamps finished_at. */
export async function setSweepStatus(db: Executor, id: string, status: SweepStatus): Promise<void> {
  const finished = status === 'running' ? null : sql<Date>`now()`;
  await db.updateTable('sweeps').set({ status, updated_at: sql`now()`, finished_at: finished }).where('id', '=', id).execute();
}

/** The sweep's row, or undefined when no sweep has this id. */
export async function findSweep(db: Executor, id: string): Promise<SweepRow | undefined> {
  return db.selectFrom('sweeps').selectAll().where('id', '=', id).executeTakeFirst();
}

/** How many of a sweep's runs are in each status, and in all. */
export interface SweepRunCounts {
  total: number;
  completed: number;
  running: number;
  failed: number;
  cancelled: number;
  /** Runs whose training diverged: finished, with a result (the divergence), not failed. */
  diverged: number;
  pending: number;
}

/** Run counts by status for one sweep, read from Postgres (the source of truth for `status`). */
export async function countSweepRuns(db: Executor, sweepId: string): Promise<SweepRunCounts> {
  const rows = await db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .select(['r.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('sr.sweep_id', '=', sweepId)
    .groupBy('r.status')
    .execute();
  const counts: SweepRunCounts = { total: 0, completed: 0, running: 0, failed: 0, cancelled: 0, diverged: 0, pending: 0 };
  for (const row of rows) {
    counts[row.status] += row.n;
    counts.total += row.n;
  }
  return counts;
}

/** The sweep's largest epochs value; null when it has no trials (an unknown sweep). */
export async function findLargestEpochs(db: Executor, sweepId: string): Promise<number | null> {
  const row = await db
    .selectFrom('sweep_trials')
    .select((eb) => eb.fn.max('epochs').as('e'))
    .where('sweep_id', '=', sweepId)
    .executeTakeFirst();
  return row?.e ?? null;
}

/** A grid point at the sweep's largest epochs value with its mean test accuracy over `seeds` runs. */
export interface BestTrialRow {
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  /** The grid point's variant, `<regularizer>[+batchnorm] lr=<lr>`: seeds are averaged within one variant. */
  variant: string;
  test_acc: number;
  seeds: number;
}

/**
 * The grid point (variant included) with the highest mean test accuracy over its seeds at the
 * sweep's largest epochs value, among the runs that reached that epoch without diverging;
 * undefined when none did.
 */
export async function findBestTrialAtLargestEpochs(db: Executor, sweepId: string): Promise<BestTrialRow | undefined> {
  return db
    .selectFrom('sweep_trials as t')
    .innerJoin('epoch_metrics as m', (j) => j.onRef('m.run_id', '=', 't.run_id').onRef('m.epoch', '=', 't.epochs'))
    .select(['t.dropout1', 't.dropout2', 't.weight_decay', 't.epochs'])
    .select(sql<string>`regsweep_variant_label(t.regularizer, t.batch_norm, t.lr)`.as('variant'))
    .select((eb) => [eb.fn.avg<number>('m.test_acc').as('test_acc'), eb.fn.countAll<number>().as('seeds')])
    .where('t.sweep_id', '=', sweepId)
    .where('m.diverged', '=', false)
    .where('t.epochs', '=', largestEpochsOf(sweepId))
    .groupBy(['t.regularizer', 't.batch_norm', 't.lr', 't.dropout1', 't.dropout2', 't.weight_decay', 't.epochs'])
    .orderBy('test_acc', 'desc')
    .limit(1)
    .executeTakeFirst();
}
