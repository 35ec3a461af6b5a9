import type { Kysely } from 'kysely';
import type { Database, Executor } from '../db/database';
import { completedRunIds, deleteTrialsOutside, linkSweepRuns, upsertRuns, upsertTrials } from '../db/run-repository';
import { upsertSweep } from '../db/sweep-repository';
import { runRowOf, trialRowOf } from '../db/plan-rows';
import {
  appendSweepRuns,
  countSweepLinks,
  findReplicateSweep,
  listReplicateComparisons,
  lockSweepRow,
  replaceReplicateComparisons,
  setSweepSize,
  sweepRunSeeds,
  sweepRunValues,
  upsertReplicateSweep,
} from '../db/replicate-repository';
import type { ReplicateComparisonRow, ReplicateSweepRow } from '../db/replicate.table';
import { observationsOf, replicateConfigs, runsForSeeds, sweepComparisons } from '../domain/replicate-configs';
import { evaluateReplicate, type ComparisonStatus } from '../domain/replicate-rule';
import { isDecideTarget, type ReplicateSpec } from '../domain/replicate-spec';
import type { SweepSpec } from '../domain/sweep-spec';

/** registerReplicateSweep's input: the sweep's id and its validated spec, which has a replicate block. */
export interface RegisterReplicateSweepInput {
  sweepId: string;
  spec: SweepSpec;
}

/** What registerReplicateSweep recorded. */
export interface RegisterReplicateSweepResult {
  trials: number;
  runs: number;
  /** Runs already trained far enough that will not train again. */
  reused: number;
  /** Rounds of runs earlier launches of this sweep added (0 on a first launch). */
  round: number;
}

/** replicateRound's input. `round` is the round this decision would start; a retry of a decision already recorded gets that decision back. */
export interface ReplicateRoundInput {
  sweepId: string;
  spec: SweepSpec;
  round: number;
}

/** One comparison as the `progress` query, `regsweep status` and the report show it. */
export interface ReplicateComparisonProgress {
  id: string;
  status: ComparisonStatus;
  /** Seeds with a value on both sides (on its one side for each-config). */
  n: number;
  /** Seeds each side has used so far, with or without a value. */
  configSeeds: number;
  otherSeeds: number | null;
  mean: number | null;
  low: number | null;
  high: number | null;
  halfWidth: number | null;
  /** Decide target only: the anytime-valid p-value. */
  pAnytime: number | null;
}

/** What one decision between rounds found and did. */
export interface ReplicateRoundResult {
  /** Rounds of runs added so far, this decision's included. */
  round: number;
  /** Runs this decision added to the sweep; 0 means the sweep is done. */
  added: number;
  /** Of those, runs already trained far enough (by another sweep) that will not train again. */
  reused: number;
  /** Runs and trials the sweep has now. */
  runs: number;
  trials: number;
  /** What the fixed-seed alternative costs: configurations × maxSeeds. */
  fixedRuns: number;
  comparisons: ReplicateComparisonProgress[];
}

function targetText(r: ReplicateSpec): string {
  return isDecideTarget(r.target) ? `decide alpha ${r.target.alpha}` : `halfWidth ${r.target.halfWidth}`;
}

function progressOf(row: ReplicateComparisonRow): ReplicateComparisonProgress {
  return {
    id: row.comparison_id,
    status: row.status,
    n: row.n,
    configSeeds: row.config_seeds,
    otherSeeds: row.other_seeds,
    mean: row.mean,
    low: row.ci_low,
    high: row.ci_high,
    halfWidth: row.half_width,
    pAnytime: row.p_anytime,
  };
}

async function recordedRound(tx: Executor, sweepId: string, state: ReplicateSweepRow): Promise<ReplicateRoundResult> {
  const size = await countSweepLinks(tx, sweepId);
  const rows = await listReplicateComparisons(tx, sweepId);
  return {
    round: state.round,
    added: state.last_added,
    reused: state.last_reused,
    runs: size.runs,
    trials: size.trials,
    fixedRuns: state.fixed_runs,
    comparisons: rows.map(progressOf),
  };
}

/**
 * The record activities of adaptive-seed sweeps (docs/adaptive-seeds.md), unclassified like
 * createSweepRecordActivities: workers register them through createRecordActivities.
 */
export function createReplicateRecordActivities(db: Kysely<Database>) {
  return {
    /**
     * Records an adaptive sweep: the spec's `seeds` for every configuration, plus every seed an
     * earlier launch of this sweep added to a configuration still in the grid, so a relaunch
     * trains nothing again and picks up the rounds where they stopped. Idempotent.
     */
    async registerReplicateSweep({ sweepId, spec }: RegisterReplicateSweepInput): Promise<RegisterReplicateSweepResult> {
      const configs = replicateConfigs(spec);
      return db.transaction().execute(async (tx) => {
        // The sweep row's upsert comes first: it locks the row against a concurrent decision.
        await upsertSweep(tx, { id: sweepId, name: spec.name, spec: JSON.stringify(spec), trials: 0, runs: 0 });
        const existing = observationsOf(
          spec,
          configs,
          (await sweepRunSeeds(tx, sweepId)).map((r) => ({ runId: r.run_id, seed: r.seed, value: null })),
        );
        const planned = configs.map((c) => ({ config: c.key, seeds: [...new Set([...spec.seeds, ...(existing.get(c.key)?.keys() ?? [])])] }));
        const { runs, trials } = runsForSeeds(spec, planned);
        await upsertRuns(tx, runs.map(runRowOf));
        await linkSweepRuns(tx, sweepId, runs.map((r) => r.runId));
        await upsertTrials(tx, trials.map((t) => trialRowOf(sweepId, t)));
        await deleteTrialsOutside(tx, sweepId, trials.map((t) => t.trialKey));
        await setSweepSize(tx, sweepId, { runs: runs.length, trials: trials.length });
        const reused = (await completedRunIds(tx, runs.map((r) => r.runId))).size;
        const state = await findReplicateSweep(tx, sweepId);
        return { trials: trials.length, runs: runs.length, reused, round: state?.round ?? 0 };
      });
    },

    /**
     * The decision between rounds: reads every run of the sweep at the replicate epochs,
     * evaluates each comparison, records where they stand, and adds the next round's runs
     * (the next unused seeds, through the grid expansion) in the same transaction. Call it only
     * when the sweep's runs have settled: a seed counts as used whether or not it has a value.
     */
    async replicateRound({ sweepId, spec, round }: ReplicateRoundInput): Promise<ReplicateRoundResult> {
      const r = spec.replicate;
      if (!r) throw new Error(`sweep ${sweepId} has no replicate block`);
      const configs = replicateConfigs(spec);
      const comparisons = sweepComparisons(spec, configs);
      return db.transaction().execute(async (tx) => {
        if (!(await lockSweepRow(tx, sweepId))) throw new Error(`sweep ${sweepId} is not registered`);
        const state = await findReplicateSweep(tx, sweepId);
        // A retry of a decision that committed must not decide again: its runs are added but not
        // trained yet, so a second look would count them as seeds without values.
        if (state && state.round >= round) return recordedRound(tx, sweepId, state);

        const values = await sweepRunValues(tx, sweepId, r.epochs);
        const observations = observationsOf(
          spec,
          configs,
          values.map((v) => ({ runId: v.run_id, seed: v.seed, value: r.metric === 'gap' ? v.gap : v.test_acc })),
        );
        const evaluation = evaluateReplicate({ spec: r, configs: configs.map((c) => c.key), comparisons, observations });
        const { runs, trials } = runsForSeeds(spec, evaluation.plan);
        if (runs.length > 0) {
          await upsertRuns(tx, runs.map(runRowOf));
          await appendSweepRuns(tx, sweepId, runs.map((x) => x.runId));
          await upsertTrials(tx, trials.map((t) => trialRowOf(sweepId, t)));
        }
        const size = await countSweepLinks(tx, sweepId);
        await setSweepSize(tx, sweepId, size);
        const reused = runs.length === 0 ? 0 : (await completedRunIds(tx, runs.map((x) => x.runId))).size;
        const newRound = (state?.round ?? 0) + (runs.length > 0 ? 1 : 0);
        const fixedRuns = configs.length * r.maxSeeds;
        await upsertReplicateSweep(tx, {
          sweep_id: sweepId,
          metric: r.metric,
          epochs: r.epochs,
          compare: r.compare,
          target: targetText(r),
          round: newRound,
          last_added: runs.length,
          last_reused: reused,
          configs: configs.length,
          max_seeds: r.maxSeeds,
          runs: size.runs,
          fixed_runs: fixedRuns,
          finished: runs.length === 0,
        });
        const seedsOf = (key: string): number => observations.get(key)?.size ?? 0;
        const labelOf = (key: string): string => configs.find((x) => x.key === key)?.label ?? key;
        await replaceReplicateComparisons(
          tx,
          sweepId,
          evaluation.results.map((c, ordinal) => ({
            sweep_id: sweepId,
            comparison_id: c.comparison.id,
            ordinal,
            config: labelOf(c.comparison.config),
            other: c.comparison.other === null ? null : labelOf(c.comparison.other),
            status: c.status,
            n: c.n,
            config_seeds: seedsOf(c.comparison.config),
            other_seeds: c.comparison.other === null ? null : seedsOf(c.comparison.other),
            mean: c.mean,
            ci_low: c.low,
            ci_high: c.high,
            half_width: c.halfWidth,
            interval: c.interval,
            confidence: c.interval === 'anytime' ? 1 - c.level : c.level,
            p_anytime: c.pAnytime,
            holm_threshold: c.holmThreshold,
            round: newRound,
          })),
        );
        const recorded = await listReplicateComparisons(tx, sweepId);
        return { round: newRound, added: runs.length, reused, runs: size.runs, trials: size.trials, fixedRuns, comparisons: recorded.map(progressOf) };
      });
    },
  };
}
