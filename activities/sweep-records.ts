import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { expandRuns, expandTrials } from '../domain/grid-expansion';
import type { RunPlan } from '../domain/run-identity';
import type { SweepSpec } from '../domain/sweep-spec';
import { dispatchOrder } from '../domain/dispatch-order';
import { completedRunIds, deleteTrialsOutside, linkSweepRuns, pendingRunsPage, upsertRuns, upsertTrials } from '../db/run-repository';
import { countSweepRuns, findBestTrialAtLargestEpochs, setSweepStatus, upsertSweep } from '../db/sweep-repository';
import { runPlanOf, runRowOf, trialRowOf } from '../db/plan-rows';
import type { SweepStatus } from '../db/sweeps.table';

/** registerSweep's input: the sweep's id and its validated spec. */
export interface RegisterSweepInput {
  sweepId: string;
  spec: SweepSpec;
}

/** What registerSweep recorded: the grid's trials and distinct runs. */
export interface RegisterSweepResult {
  trials: number;
  runs: number;
  /** Runs that were already trained far enough before this launch and will not train again. */
  reused: number;
}

/** nextPendingRuns' input: which sweep, where the previous page ended, and the page size. */
export interface PendingRunsInput {
  sweepId: string;
  /** Ordinal of the last run already scheduled; -1 before the first page. */
  afterOrdinal: number;
  limit: number;
}

/** A run that still needs training, with its scheduling position in the sweep. */
export interface PendingRun extends RunPlan {
  ordinal: number;
}

/** finalizeSweep's input: the sweep and the terminal status it ends with. */
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
  /** Its variant, `<regularizer>[+batchnorm] lr=<lr>`; absent in results of sweeps finished before variants existed. */
  variant?: string;
}

/** What finalizeSweep reports: where the dashboards went, run counts by outcome and the best configuration. */
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
        // Runs that can share a training step are dispatched next to each other, so a batching
        // worker's K runs in flight can train together (docs/training.md, "Batched runs").
        await linkSweepRuns(
          tx,
          sweepId,
          dispatchOrder(runs).map((r) => r.runId),
        );
        await upsertTrials(
          tx,
          trials.map((t) => trialRowOf(sweepId, t)),
        );
        // Trials dropped from an edited spec no longer belong to the sweep.
        await deleteTrialsOutside(
          tx,
          sweepId,
          trials.map((t) => t.trialKey),
        );
        // After the upsert, runs still completed are exactly those already trained far enough.
        const reused = (
          await completedRunIds(
            tx,
            runs.map((r) => r.runId),
          )
        ).size;
        return { trials: trials.length, runs: runs.length, reused };
      });
    },

    /** Pages through the sweep's runs that still need training, so the workflow never holds the grid. */
    async nextPendingRuns({ sweepId, afterOrdinal, limit }: PendingRunsInput): Promise<PendingRun[]> {
      const rows = await pendingRunsPage(db, sweepId, afterOrdinal, limit);
      return rows.map((r) => ({ ordinal: r.ordinal, ...runPlanOf(r) }));
    },

    /**
     * The aggregation step: marks the sweep finished, refreshes the dashboards, and reports
     * counts and the best configuration. The analysis views are plain views, always current.
     */
    async finalizeSweep({ sweepId, status }: FinalizeSweepInput): Promise<FinalizeSweepResult> {
      await setSweepStatus(db, sweepId, status);
      const dashboards = publishDashboards ? await publishDashboards() : [];
      const counts = await countSweepRuns(db, sweepId);
      const best = await findBestTrialAtLargestEpochs(db, sweepId);
      return {
        dashboards,
        completed: counts.completed,
        failed: counts.failed,
        cancelled: counts.cancelled,
        diverged: counts.diverged,
        best: best
          ? {
              dropout1: best.dropout1,
              dropout2: best.dropout2,
              weightDecay: best.weight_decay,
              epochs: best.epochs,
              testAcc: Number(best.test_acc),
              seeds: best.seeds,
              variant: best.variant,
            }
          : null,
      };
    },
  };
}
