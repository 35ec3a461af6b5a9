import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database';
import { expandRuns, expandTrials } from '../domain/grid-expansion';
import type { RunPlan } from '../domain/run-identity';
import type { SweepSpec } from '../domain/sweep-spec';
import { completedRunIds, linkSweepRuns, pendingRunsPage, upsertRuns, upsertTrials } from '../db/run-repository';
import { countSweepRuns, setSweepStatus, upsertSweep } from '../db/sweep-repository';
import { runRowOf, trialRowOf } from '../db/plan-rows';
import type { SweepStatus } from '../db/sweeps.table';

export interface RegisterSweepInput {
  sweepId: string;
  spec: SweepSpec;
}

export interface RegisterSweepResult {
  trials: number;
  runs: number;
  /** Runs that were already trained far enough before this launch and will not train again. */
  reused: number;
}

export interface PendingRunsInput {
  sweepId: string;
  /** Ordinal of the last run already scheduled; -1 before the first page. */
  afterOrdinal: number;
  limit: number;
}

export interface PendingRun extends RunPlan {
  ordinal: number;
}

export interface FinalizeSweepInput {
  sweepId: string;
  status: Exclude<SweepStatus, 'running'>;
}

/** The best trial of a sweep by test accuracy, averaged over seeds at the largest epochs value. */
export interface BestConfig {
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  epochs: number;
  testAcc: number;
  seeds: number;
}

export interface FinalizeSweepResult {
  /** Files and Grafana URLs of the refreshed dashboards. */
  dashboards: string[];
  completed: number;
  failed: number;
  cancelled: number;
  /** Runs whose training diverged; the best configuration is chosen among the runs that did not. */
  diverged: number;
  best: BestConfig | null;
}

/** Refreshes the Grafana dashboards; returns where they went. */
export type DashboardPublisher = () => Promise<string[]>;

/**
 * The record activities, unclassified: workers register them through createRecordActivities
 * (activities/index.ts), which adds failure classification; database tests call them directly.
 */
export function createSweepRecordActivities(db: Kysely<Database>, publishDashboards: DashboardPublisher | null = null) {
  return {
    /** Records the sweep, its runs and its trials in one transaction; idempotent on relaunch. */
    async registerSweep({ sweepId, spec }: RegisterSweepInput): Promise<RegisterSweepResult> {
      const runs = expandRuns(spec);
      const trials = expandTrials(spec);
      return db.transaction().execute(async (tx) => {
        // The sweep row's upsert comes first: it locks that row, so concurrent registrations of
        // one sweep (duplicate deliveries) run one after the other through the link rewrite below.
        await upsertSweep(tx, { id: sweepId, name: spec.name, spec: JSON.stringify(spec), trials: trials.length, runs: runs.length });
        await upsertRuns(tx, runs.map(runRowOf));
        await linkSweepRuns(tx, sweepId, runs.map((r) => r.runId));
        await upsertTrials(tx, trials.map((t) => trialRowOf(sweepId, t)));
        // Trials dropped from an edited spec no longer belong to the sweep.
        const keys = trials.map((t) => t.trialKey);
        await tx.deleteFrom('sweep_trials').where('sweep_id', '=', sweepId).where('trial_key', '!=', sql<string>`all(${keys})`).execute();
        // After the upsert, runs still completed are exactly those already trained far enough.
        const reused = (await completedRunIds(tx, runs.map((r) => r.runId))).size;
        return { trials: trials.length, runs: runs.length, reused };
      });
    },

    /** Pages through the sweep's runs that still need training, so the workflow never holds the grid. */
    async nextPendingRuns({ sweepId, afterOrdinal, limit }: PendingRunsInput): Promise<PendingRun[]> {
      const rows = await pendingRunsPage(db, sweepId, afterOrdinal, limit);
      return rows.map((r) => ({
        ordinal: r.ordinal,
        runId: r.id,
        dropout1: r.dropout1,
        dropout2: r.dropout2,
        weightDecay: r.weight_decay,
        seed: r.seed,
        lr: r.lr,
        batchSize: r.batch_size,
        hidden: [r.hidden[0] ?? 0, r.hidden[1] ?? 0],
        trainSubset: r.train_subset,
        maxEpochs: r.max_epochs,
      }));
    },

    /**
     * The aggregation step: marks the sweep finished, refreshes the dashboards, and reports
     * counts and the best configuration. The analysis views are plain views, always current.
     */
    async finalizeSweep({ sweepId, status }: FinalizeSweepInput): Promise<FinalizeSweepResult> {
      await setSweepStatus(db, sweepId, status);
      const dashboards = publishDashboards ? await publishDashboards() : [];
      const counts = await countSweepRuns(db, sweepId);
      const best = await db
        .selectFrom('sweep_trials as t')
        .innerJoin('epoch_metrics as m', (j) => j.onRef('m.run_id', '=', 't.run_id').onRef('m.epoch', '=', 't.epochs'))
        .select(['t.dropout1', 't.dropout2', 't.weight_decay', 't.epochs'])
        .select((eb) => [eb.fn.avg<number>('m.test_acc').as('test_acc'), eb.fn.countAll<number>().as('seeds')])
        .where('t.sweep_id', '=', sweepId)
        .where('m.diverged', '=', false)
        .where('t.epochs', '=', (eb) => eb.selectFrom('sweep_trials').select((e) => e.fn.max('epochs').as('e')).where('sweep_id', '=', sweepId))
        .groupBy(['t.dropout1', 't.dropout2', 't.weight_decay', 't.epochs'])
        .orderBy('test_acc', 'desc')
        .limit(1)
        .executeTakeFirst();
      return {
        dashboards,
        completed: counts.completed,
        failed: counts.failed,
        cancelled: counts.cancelled,
        diverged: counts.diverged,
        best: best
          ? { dropout1: best.dropout1, dropout2: best.dropout2, weightDecay: best.weight_decay, epochs: best.epochs, testAcc: Number(best.test_acc), seeds: best.seeds }
          : null,
      };
    },
  };
}
