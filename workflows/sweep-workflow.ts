import {
  ActivityCancellationType,
  ApplicationFailure,
  CancelledFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PendingRun, RecordActivities, ReplicateRoundResult, TrainingActivities } from '../activities/index';
import { SpecError, type SweepSpec } from '../domain/sweep-spec';
import { defaultMaxTrials } from '../domain/training-limits';
import { countConfigs, validateSpec } from '../domain/spec-validation';
import { sweepNameAttribute, sweepStatusAttribute } from './search-attributes';
import { pauseSignal, progressQuery, resumeSignal, type ReplicateProgress, type SweepProgress } from './sweep-messages';
import { emptyTally, type ReplicateCarry, type ReplicateSummary, type SweepCarry, type SweepSummary } from './sweep-state';

// Runs fetched per page: small enough to keep each activity result and history event tiny.
const pageSize = 200;

/** How the sweep was launched, beside the spec itself. */
export interface SweepLaunchOptions {
  /**
   * Largest grid the launcher accepts (`REGSWEEP_MAX_TRIALS`). Workflows cannot read the
   * environment, so the launcher passes its cap here; sweeps started without it (the temporal
   * CLI, executions from before it existed) are held to the default.
   * @default defaultMaxTrials
   */
  maxTrials?: number;
}

function parseInput(input: unknown, options: SweepLaunchOptions): SweepSpec {
  try {
    return validateSpec(input, { maxTrials: options.maxTrials ?? defaultMaxTrials });
  } catch (err) {
    if (err instanceof SpecError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidSpec', { field: err.field });
    throw err;
  }
}

function replicateProgressOf(r: ReplicateCarry, spec: SweepSpec, runs: number): ReplicateProgress {
  return {
    round: r.round,
    runs,
    fixedRuns: countConfigs(spec.grid) * (spec.replicate?.maxSeeds ?? 0),
    finished: r.last !== null && r.last.added === 0,
    comparisons: r.last?.comparisons ?? [],
  };
}

function replicateSummaryOf(r: ReplicateCarry, spec: SweepSpec, runs: number): ReplicateSummary {
  const comparisons = r.last?.comparisons ?? [];
  const fixedRuns = countConfigs(spec.grid) * (spec.replicate?.maxSeeds ?? 0);
  const count = (status: string): number => comparisons.filter((c) => c.status === status).length;
  return { rounds: r.round, runs, fixedRuns, saved: fixedRuns - runs, resolved: count('resolved'), unresolved: count('unresolved'), stoppedAtCap: count('stopped-at-cap') };
}

/**
 * Trains every run of a sweep with at most `maxParallel` in flight and returns a summary.
 * The sweep id is the workflow id. Only a cursor and tallies survive continue-as-new; the
 * grid and the results live in Postgres.
 *
 * With a `replicate` block the sweep runs in rounds (docs/adaptive-seeds.md): once a round's
 * runs have settled, the replicateRound activity reads them from Postgres, decides, and adds the
 * next round's runs after the ones already scheduled, so the same cursor finds them. The
 * decision lives in the database and in the activity's recorded result, never in workflow
 * memory alone, so replay, continue-as-new, a restarted worker and a relaunch all see the same
 * rounds.
 *
 * @param input the sweep spec, exactly as in the JSON file
 * @param carry state handed over by continue-as-new; absent on a fresh launch
 * @param options launch settings; absent when launched without any (all defaults)
 */
export async function sweepWorkflow(input: unknown, carry?: SweepCarry, options?: SweepLaunchOptions): Promise<SweepSummary> {
  const spec = parseInput(input, options ?? {});
  const sweepId = workflowInfo().workflowId;
  const o = spec.orchestration;
  const records = proxyActivities<RecordActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: `${o.retryInitialSeconds}s`, maximumInterval: `${o.retryMaxSeconds}s` },
  });
  const training = proxyActivities<TrainingActivities>({
    taskQueue: o.trainTaskQueue,
    // A run may take hours; liveness comes from heartbeats, not from a total deadline.
    startToCloseTimeout: '7 days',
    heartbeatTimeout: `${o.heartbeatTimeoutSeconds}s`,
    // Wait for the activity to acknowledge, so runs are marked cancelled before the sweep is.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: `${o.retryInitialSeconds}s`,
      maximumInterval: `${o.retryMaxSeconds}s`,
      maximumAttempts: o.maxAttempts,
    },
  });

  const state: SweepCarry = carry ?? { cursor: -1, paused: false, tally: emptyTally() };
  if (!carry) {
    upsertSearchAttributes({ [sweepNameAttribute]: [spec.name], [sweepStatusAttribute]: ['running'] });
    if (spec.replicate) {
      // Keeps the seeds earlier launches of this sweep added: a relaunch resumes at their round.
      const registered = await records.registerReplicateSweep({ sweepId, spec });
      Object.assign(state.tally, { trials: registered.trials, runs: registered.runs, reused: registered.reused });
      state.replicate = { round: registered.round, last: null };
    } else {
      const registered = await records.registerSweep({ sweepId, spec });
      Object.assign(state.tally, { trials: registered.trials, runs: registered.runs, reused: registered.reused });
    }
  }
  const tally = state.tally;
  let running = 0;

  setHandler(progressQuery, (): SweepProgress => ({
    total: tally.runs,
    done: tally.reused + tally.trained,
    running,
    failed: tally.failed,
    paused: state.paused,
    best: tally.best,
    ...(state.replicate ? { replicate: replicateProgressOf(state.replicate, spec, tally.runs) } : {}),
  }));

  const applyDecision = (decision: ReplicateRoundResult): void => {
    state.replicate = { round: decision.round, last: decision };
    Object.assign(tally, { runs: decision.runs, trials: decision.trials, reused: tally.reused + decision.reused });
  };
  setHandler(pauseSignal, () => void (state.paused = true));
  setHandler(resumeSignal, () => void (state.paused = false));

  const startRun = async (run: PendingRun): Promise<void> => {
    running += 1;
    try {
      const { ordinal: _ordinal, ...plan } = run;
      const result = await training.trainRun({ run: plan, maxAttempts: o.maxAttempts });
      if (result.outcome === 'reused') tally.reused += 1;
      else tally.trained += 1;
      // Divergence is the run's outcome, so the sweep counts it and goes on.
      if (result.divergedAtEpoch !== null) tally.diverged = (tally.diverged ?? 0) + 1;
      if (result.testAcc !== null && (tally.best === null || result.testAcc > tally.best.testAcc)) {
        tally.best = { runId: run.runId, testAcc: result.testAcc };
      }
    } catch (err) {
      // A cancelled sweep is detected once, at the loop; a rejected promise here would go unhandled.
      if (!isCancellation(err)) tally.failed += 1;
    } finally {
      running -= 1;
    }
  };

  const inFlight = new Set<Promise<void>>();
  try {
    let page: PendingRun[] = [];
    let exhausted = false;
    for (;;) {
      await condition(() => !state.paused && running < spec.maxParallel);
      // Continue-as-new only between runs: in-flight activities cannot move to the next run.
      if (workflowInfo().continueAsNewSuggested) break;
      if (page.length === 0) {
        page = await records.nextPendingRuns({ sweepId, afterOrdinal: state.cursor, limit: pageSize });
        if (page.length === 0 && state.replicate) {
          // The decision reads every run of the round, so it waits for the last to settle.
          await Promise.all(inFlight);
          if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('sweep cancelled');
          const decision = await records.replicateRound({ sweepId, spec, round: state.replicate.round + 1 });
          applyDecision(decision);
          // The new round's runs come after the cursor; an empty round ends the sweep.
          if (decision.added > 0) continue;
        }
        if (page.length === 0) {
          exhausted = true;
          break;
        }
      }
      const run = page.shift()!;
      state.cursor = run.ordinal;
      const p = startRun(run).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('sweep cancelled');
    // The launch options go along, so every execution of the sweep validates with the same cap.
    if (!exhausted) await continueAsNew<typeof sweepWorkflow>(spec, { ...state, continuedAsNew: (state.continuedAsNew ?? 0) + 1 }, options);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        // Activities were cancelled with WAIT_CANCELLATION_COMPLETED: once these settle,
        // every in-flight run has recorded itself as cancelled.
        await Promise.allSettled(inFlight);
        upsertSearchAttributes({ [sweepStatusAttribute]: ['cancelled'] });
        await records.finalizeSweep({ sweepId, status: 'cancelled' });
      });
    }
    throw err;
  }

  const final = await records.finalizeSweep({ sweepId, status: tally.failed > 0 ? 'failed' : 'completed' });
  upsertSearchAttributes({ [sweepStatusAttribute]: [tally.failed > 0 ? 'failed' : 'completed'] });
  return {
    sweepId,
    trials: tally.trials,
    runs: tally.runs,
    trained: tally.trained,
    reused: tally.reused,
    completed: final.completed,
    failed: final.failed,
    diverged: final.diverged,
    continuedAsNew: state.continuedAsNew ?? 0,
    best: final.best,
    dashboards: final.dashboards,
    ...(state.replicate ? { replicate: replicateSummaryOf(state.replicate, spec, tally.runs) } : {}),
  };
}
