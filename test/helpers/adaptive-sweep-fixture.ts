import type { Kysely } from 'kysely';
import { createReplicateRecordActivities, type ReplicateRoundResult } from '../../activities/replicate-records';
import type { Database } from '../../db/database';
import { upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { markRunFinished, markRunProgress } from '../../db/run-repository';
import { validateSpec } from '../../domain/spec-validation';

/*
 * An adaptive-seed sweep whose runs' metrics are written by hand (no training), so each decision
 * is known in advance: dropout1 = 0.9 is 20 points below the control on every seed (decided on
 * the first three seeds), dropout1 = 0.5 within a tenth of a point (run to maxSeeds = 5).
 * Record activities and repositories are the real ones, on a real migrated database.
 */
export const adaptiveFixtureId = 'replicate-records';

export const adaptiveFixtureSpec = validateSpec({
  name: adaptiveFixtureId,
  grid: { dropout1: [0, 0.5, 0.9], dropout2: [0], weightDecay: [0], epochs: [1, 2] },
  seeds: [1, 2, 3],
  train: { hidden: [16, 16], trainSubset: 1000 },
  replicate: { epochs: 2, compare: 'vs-control', target: { decide: true, alpha: 0.05 }, minSeeds: 3, maxSeeds: 5, seedsPerRound: 1, maxRuns: 100 },
});

const noise = [0, 0.004, -0.003, 0.002, -0.001, 0.003];
const near = [0, 0.0008, -0.0011, 0.0004, 0.0009, -0.0006];

/** The test accuracy written for a run of the fixture. */
export function adaptiveFixtureTestAcc(dropout1: number, seed: number): number {
  const base = 0.8 + (noise[seed] ?? 0);
  if (dropout1 === 0.9) return base - 0.2 + (near[seed] ?? 0);
  if (dropout1 === 0.5) return base + (near[seed] ?? 0);
  return base;
}

/** Writes both epochs of every untrained run of the sweep and marks it completed, as a worker would; returns how many. */
export async function trainPendingByHand(db: Kysely<Database>, sweepId = adaptiveFixtureId): Promise<number> {
  const runs = await db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .select(['r.id', 'r.dropout1', 'r.seed'])
    .where('sr.sweep_id', '=', sweepId)
    .where('r.status', '=', 'pending')
    .execute();
  for (const run of runs) {
    for (const epoch of [1, 2]) {
      const acc = adaptiveFixtureTestAcc(run.dropout1, run.seed);
      await upsertEpochMetrics(db, {
        run_id: run.id, epoch, train_loss: 0.5, train_acc: acc, train_acc_eval: acc + 0.02, test_loss: 0.6, test_acc: acc, test_count: 10_000, gap: 0.02,
        act_var1: 1, act_var2: 1, weight_norm1: 1, weight_norm2: 1, weight_norm3: 1, seconds: 1, eval_seconds: 0.1, samples_per_sec: 1000, backend: 'cpu', worker: 'hand',
      });
    }
    await markRunProgress(db, run.id, 2);
    await markRunFinished(db, run.id, 'completed');
  }
  return runs.length;
}

/** Registers the fixture sweep and runs its rounds to the end, as the workflow would; returns the last decision. */
export async function runAdaptiveFixture(db: Kysely<Database>): Promise<ReplicateRoundResult> {
  const activities = createReplicateRecordActivities(db);
  const { round } = await activities.registerReplicateSweep({ sweepId: adaptiveFixtureId, spec: adaptiveFixtureSpec });
  for (let next = round + 1; ; next++) {
    await trainPendingByHand(db);
    const decision = await activities.replicateRound({ sweepId: adaptiveFixtureId, spec: adaptiveFixtureSpec, round: next });
    if (decision.added === 0) return decision;
  }
}
