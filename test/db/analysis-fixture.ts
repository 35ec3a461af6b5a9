import type { Kysely } from 'kysely';
import { runRowOf, trialRowOf } from '../../db/plan-rows';
import type { Database } from '../../db/database';
import type { NewTrainedEpochMetrics } from '../../db/epoch-metrics.table';
import { upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { linkSweepRuns, markRunFinished, markRunProgress, markRunStarted, upsertRuns, upsertTrials } from '../../db/run-repository';
import { upsertSweep } from '../../db/sweep-repository';
import { expandRuns, expandTrials, type Trial } from '../../domain/grid-expansion';
import type { RunPlan } from '../../domain/run-identity';
import { validateSpec } from '../../domain/spec-validation';
import type { SweepSpec } from '../../domain/sweep-spec';

/*
 * A small sweep with chosen metrics: a full 3×3 dropout grid, two weight decays, two epochs
 * values and three seeds, where test accuracy has known dropout, decay and interaction
 * terms plus deterministic noise. Some runs stopped early, so some grid points have two
 * seeds or one at epochs = 4. A second sweep shares runs with the first (same configs),
 * to show that every view keeps sweeps apart.
 */

export const mainSweep = validateSpec({
  name: 'd2l-dropout',
  grid: { dropout1: [0, 0.2, 0.5], dropout2: [0, 0.2, 0.5], weightDecay: [0, 0.001], epochs: [2, 4] },
  seeds: [1, 2, 3],
});
export const sharedSweep = validateSpec({
  name: 'quick',
  grid: { dropout1: [0, 0.5], dropout2: [0, 0.2], weightDecay: [0], epochs: [2] },
  seeds: [1, 2],
});

/** Runs that stopped after epoch 2, with the epoch they reached. */
function epochsTrained(run: RunPlan): number {
  if (run.dropout1 === 0.5 && run.dropout2 === 0.2 && run.weightDecay === 0 && run.seed === 3) return 2;
  if (run.dropout1 === 0.5 && run.dropout2 === 0.5 && run.weightDecay === 0.001 && run.seed >= 2) return 2;
  return run.maxEpochs;
}

/** Deterministic noise in [-0.5, 0.5) from integer keys (FNV-1a with a final mix). */
function noise(...keys: number[]): number {
  let h = 2166136261;
  for (const k of keys) {
    h = Math.imul(h ^ k, 16777619) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return (h % 10007) / 10007 - 0.5;
}

export function fixtureMetrics(run: RunPlan, epoch: number): NewTrainedEpochMetrics {
  const { dropout1: d1, dropout2: d2, weightDecay: wd, seed } = run;
  const decayed = wd > 0 ? 1 : 0;
  const keys = [Math.round(d1 * 10), Math.round(d2 * 10), decayed, seed, epoch];
  const testAcc = 0.78 + 0.01 * epoch + 0.04 * d1 + 0.06 * d2 + 0.004 * decayed - 0.01 * (d1 + d2) * decayed + 0.01 * noise(...keys, 1);
  const gap = 0.06 - 0.04 * (d1 + d2) - 0.01 * decayed + 0.004 * noise(...keys, 2);
  return {
    run_id: run.runId,
    epoch,
    train_loss: 0.6 - 0.05 * epoch,
    train_acc: testAcc + gap - 0.02,
    train_acc_eval: testAcc + gap,
    test_loss: 0.55 - 0.04 * epoch,
    test_acc: testAcc,
    gap,
    act_var1: 0.5 + 0.05 * epoch - 0.3 * d1 + 0.01 * noise(...keys, 3),
    act_var2: 0.4 + 0.04 * epoch - 0.3 * d2 + 0.01 * noise(...keys, 4),
    weight_norm1: 20 + epoch,
    weight_norm2: 15 + epoch,
    weight_norm3: 5 + epoch,
    seconds: 10 + seed,
    eval_seconds: 1 + 0.5 * epoch,
    samples_per_sec: 6000 - 100 * seed,
    backend: 'cpu',
    worker: 'fixture',
  };
}

export interface FixtureTrial extends Trial {
  sweepId: string;
}

export interface AnalysisFixture {
  trials: FixtureTrial[];
  runs: RunPlan[];
  /** The metrics stored for a run at an epoch, or undefined when the run stopped before it. */
  metricsAt(runId: string, epoch: number): NewTrainedEpochMetrics | undefined;
  /** Trained epochs per run. */
  epochsOf(runId: string): number;
}

async function insertSweep(db: Kysely<Database>, spec: SweepSpec): Promise<{ runs: RunPlan[]; trials: FixtureTrial[] }> {
  const runs = expandRuns(spec);
  const trials = expandTrials(spec).map((t) => ({ ...t, sweepId: spec.name }));
  await upsertSweep(db, { id: spec.name, name: spec.name, spec: JSON.stringify(spec), trials: trials.length, runs: runs.length });
  await upsertRuns(db, runs.map(runRowOf));
  await linkSweepRuns(db, spec.name, runs.map((r) => r.runId));
  await upsertTrials(db, trials.map((t) => trialRowOf(t.sweepId, t)));
  return { runs, trials };
}

/** Writes both sweeps and every trained epoch through the repository functions. */
export async function loadAnalysisFixture(db: Kysely<Database>): Promise<AnalysisFixture> {
  const main = await insertSweep(db, mainSweep);
  const shared = await insertSweep(db, sharedSweep);
  const metrics = new Map<string, NewTrainedEpochMetrics[]>();
  await Promise.all(
    main.runs.map(async (run) => {
      const rows: NewTrainedEpochMetrics[] = [];
      for (let epoch = 1; epoch <= epochsTrained(run); epoch++) rows.push(fixtureMetrics(run, epoch));
      metrics.set(run.runId, rows);
      await markRunStarted(db, run.runId, 'fixture', 'cpu');
      for (const row of rows) await upsertEpochMetrics(db, row);
      await markRunProgress(db, run.runId, rows.length);
      if (rows.length === run.maxEpochs) await markRunFinished(db, run.runId, 'completed');
    }),
  );
  return {
    trials: [...main.trials, ...shared.trials],
    runs: main.runs,
    metricsAt: (runId, epoch) => metrics.get(runId)?.find((m) => m.epoch === epoch),
    epochsOf: (runId) => metrics.get(runId)?.length ?? 0,
  };
}
