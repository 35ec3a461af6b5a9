import { sql } from 'kysely';
import type { Executor } from './database';
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

export async function setSweepStatus(db: Executor, id: string, status: SweepStatus): Promise<void> {
  const finished = status === 'running' ? null : sql<Date>`now()`;
  await db.updateTable('sweeps').set({ status, updated_at: sql`now()`, finished_at: finished }).where('id', '=', id).execute();
}

export async function findSweep(db: Executor, id: string): Promise<SweepRow | undefined> {
  return db.selectFrom('sweeps').selectAll().where('id', '=', id).executeTakeFirst();
}

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
