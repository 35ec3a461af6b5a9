import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { toEpochRow } from '../../db/epoch-row';
import { expandRuns } from '../../domain/grid-expansion';
import type { SweepSpec } from '../../domain/sweep-spec';
import { referenceMetrics } from './fault-helpers';
import { hostBlasThreads } from './netns-hosts';

/* What the multi-host tests read back from the harness's Postgres about one run. */

/** The run's epoch rows, by epoch. */
export const epochsOf = (db: Kysely<Database>, runId: string) =>
  db.selectFrom('epoch_metrics').selectAll().where('run_id', '=', runId).orderBy('epoch').execute();

// Columns that say how long an epoch took and where it ran; they differ between any two runs.
const timingAndProvenance = new Set(['seconds', 'eval_seconds', 'samples_per_sec', 'backend', 'worker']);

/** Every epoch 1..`epochs` once, each equal (all metric columns) to the spec's first run trained uninterrupted here. */
export async function assertMatchesUninterrupted(db: Kysely<Database>, runId: string, spec: SweepSpec, epochs: number): Promise<void> {
  const rows = await epochsOf(db, runId);
  assert.deepEqual(
    rows.map((r) => r.epoch),
    Array.from({ length: epochs }, (_, i) => i + 1),
    'every epoch exactly once',
  );
  // The workers run OpenBLAS with this thread count; the reference must round the same way.
  process.env.OPENBLAS_NUM_THREADS = hostBlasThreads;
  const reference = (await referenceMetrics({ ...expandRuns(spec)[0]!, epochs })).map((m) => toEpochRow(runId, m, 'reference'));
  const compared = Object.keys(reference[0]!).filter((k) => !timingAndProvenance.has(k)) as (keyof (typeof reference)[number] & keyof (typeof rows)[number])[];
  assert.ok(compared.includes('test_acc') && compared.includes('weight_norm3'), `compared columns: ${compared.join(', ')}`);
  const pick = (row: Record<string, unknown>) => Object.fromEntries(compared.map((k) => [k, row[k]]));
  assert.deepEqual(rows.map(pick), reference.map(pick), 'identical to an uninterrupted run with the same seed');
}

/** Who holds an advisory lock, by client address (the host's Postgres link address). */
export async function lockHolders(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ client: string | null }>`
    select host(a.client_addr) as client from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted`.execute(db);
  return rows.map((r) => r.client ?? 'local');
}

/** One distinct state of a run's row and when it was first seen. */
export interface RunSample {
  at: number;
  state: string;
  leaseAttempt: number | null;
  worker: string | null;
  epochsDone: number;
}

/**
 * Samples the run's row every 100 ms and keeps each distinct (status, attempts, worker,
 * epochs_done, lease attempt), with the time it was first seen.
 */
export function watchRun(db: Kysely<Database>, runId: string): { samples: RunSample[]; stop(): Promise<RunSample[]> } {
  const samples: RunSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const row = await db
        .selectFrom('runs')
        .select(['status', 'attempts', 'worker', 'epochs_done', 'lease_attempt'])
        .where('id', '=', runId)
        .executeTakeFirst()
        .catch(() => undefined);
      const state = row ? `${row.status} ${row.attempts} ${row.worker} ${row.epochs_done} lease ${row.lease_attempt}` : 'absent';
      if (row && samples.at(-1)?.state !== state)
        samples.push({ at: Date.now(), state, leaseAttempt: row.lease_attempt, worker: row.worker, epochsDone: row.epochs_done });
      await sleep(100);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}
