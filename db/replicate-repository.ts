import { sql } from 'kysely';
import type { Executor } from './database';
import type { NewReplicateComparison, NewReplicateSweep, ReplicateComparisonRow, ReplicateSweepRow } from './replicate.table';

/** Locks the sweep's row for the rest of the transaction, so two decisions for one sweep run one after the other. */
export async function lockSweepRow(db: Executor, sweepId: string): Promise<boolean> {
  const row = await db.selectFrom('sweeps').select('id').where('id', '=', sweepId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** A run of the sweep with its metrics at one epochs value (null until it reaches it, or when it diverged). */
export interface SweepRunValue {
  run_id: string;
  seed: number;
  test_acc: number | null;
  gap: number | null;
}

/** Every run of the sweep once, with test accuracy and gap at `epochs` (from trial_results). */
export async function sweepRunValues(db: Executor, sweepId: string, epochs: number): Promise<SweepRunValue[]> {
  return db
    .selectFrom('trial_results')
    .select(['run_id', 'seed', 'test_acc', 'gap'])
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', epochs)
    .orderBy('run_id')
    .execute();
}

/** The sweep's runs with their seeds, whatever epochs its trials read them at. */
export async function sweepRunSeeds(db: Executor, sweepId: string): Promise<{ run_id: string; seed: number }[]> {
  return db.selectFrom('sweep_trials').select(['run_id', 'seed']).distinct().where('sweep_id', '=', sweepId).orderBy('run_id').execute();
}

/**
 * Links runs to the sweep after the runs it has, in the order given; runs already linked keep
 * their place. New ordinals are larger than any the sweep had, so a workflow paging by ordinal
 * finds them after its cursor.
 */
export async function appendSweepRuns(db: Executor, sweepId: string, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return;
  await sql`
    insert into sweep_runs (sweep_id, ordinal, run_id)
    select ${sweepId}, base.m + t.i, t.run_id
      from unnest(${[...runIds]}::text[]) with ordinality as t(run_id, i),
           (select coalesce(max(ordinal), -1) as m from sweep_runs where sweep_id = ${sweepId}) base
     where not exists (select 1 from sweep_runs s where s.sweep_id = ${sweepId} and s.run_id = t.run_id)`.execute(db);
}

/** The sweep's runs and trials as linked now. */
export async function countSweepLinks(db: Executor, sweepId: string): Promise<{ runs: number; trials: number }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('sweep_runs').select((e) => e.fn.countAll<string>().as('n')).where('sweep_id', '=', sweepId).as('runs'),
      eb.selectFrom('sweep_trials').select((e) => e.fn.countAll<string>().as('n')).where('sweep_id', '=', sweepId).as('trials'),
    ])
    .executeTakeFirstOrThrow();
  return { runs: Number(row.runs ?? 0), trials: Number(row.trials ?? 0) };
}

/** Records the sweep's size after a round added runs to it. */
export async function setSweepSize(db: Executor, sweepId: string, size: { runs: number; trials: number }): Promise<void> {
  await db.updateTable('sweeps').set({ runs: size.runs, trials: size.trials, updated_at: sql`now()` }).where('id', '=', sweepId).execute();
}

/** The adaptive sweep's standing, or undefined before its first decision (or for a fixed-seed sweep). */
export async function findReplicateSweep(db: Executor, sweepId: string): Promise<ReplicateSweepRow | undefined> {
  return db.selectFrom('replicate_sweeps').selectAll().where('sweep_id', '=', sweepId).executeTakeFirst();
}

/** Creates or replaces the adaptive sweep's standing. */
export async function upsertReplicateSweep(db: Executor, row: NewReplicateSweep): Promise<void> {
  const { sweep_id: _id, ...rest } = row;
  await db
    .insertInto('replicate_sweeps')
    .values(row)
    .onConflict((oc) => oc.column('sweep_id').doUpdateSet({ ...rest, updated_at: sql`now()` }))
    .execute();
}

/** Replaces the sweep's comparison rows with those of its latest decision. */
export async function replaceReplicateComparisons(db: Executor, sweepId: string, rows: readonly NewReplicateComparison[]): Promise<void> {
  await db.deleteFrom('replicate_comparisons').where('sweep_id', '=', sweepId).execute();
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('replicate_comparisons').values(rows.slice(i, i + 500)).execute();
}

/** The sweep's comparisons as of its latest decision, in comparison order. */
export async function listReplicateComparisons(db: Executor, sweepId: string): Promise<ReplicateComparisonRow[]> {
  return db.selectFrom('replicate_comparisons').selectAll().where('sweep_id', '=', sweepId).orderBy('ordinal').execute();
}
