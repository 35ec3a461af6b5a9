import type { Executor } from './database';

/** Keeps the latest checkpoint per run; a late write of an older epoch never replaces a newer one. */
export async function saveCheckpoint(db: Executor, runId: string, epoch: number, weights: Uint8Array): Promise<void> {
  await db
    .insertInto('checkpoints')
    .values({ run_id: runId, epoch, weights: Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength) })
    .onConflict((oc) =>
      oc
        .column('run_id')
        .doUpdateSet((eb) => ({ epoch: eb.ref('excluded.epoch'), weights: eb.ref('excluded.weights'), saved_at: eb.ref('excluded.saved_at') }))
        .where('checkpoints.epoch', '<=', (eb) => eb.ref('excluded.epoch')),
    )
    .execute();
}

/** The run's saved checkpoint (its epoch and serialized weights), or null when none was saved. */
export async function loadCheckpoint(db: Executor, runId: string): Promise<{ epoch: number; weights: Uint8Array } | null> {
  const row = await db.selectFrom('checkpoints').select(['epoch', 'weights']).where('run_id', '=', runId).executeTakeFirst();
  return row ? { epoch: row.epoch, weights: new Uint8Array(row.weights) } : null;
}
