import type { BestConfig, ReplicateRoundResult } from '../activities/index';

/** Running tallies of a sweep; small and fixed-size, so they can ride along continue-as-new. */
export interface SweepTally {
  trials: number;
  runs: number;
  trained: number;
  reused: number;
  failed: number;
  /** Runs whose training diverged (also counted in trained or reused). Absent in carries from before it existed. */
  diverged?: number;
  best: { runId: string; testAcc: number } | null;
}

/** What one workflow execution hands the next on continue-as-new: a cursor, never the grid. */
export interface SweepCarry {
  /** Ordinal of the last run scheduled. */
  cursor: number;
  paused: boolean;
  tally: SweepTally;
  continuedAsNew?: number;
  /** Adaptive-seed sweeps only: rounds added so far and the latest decision (for the progress query). */
  replicate?: ReplicateCarry;
}

/** An adaptive-seed sweep's rounds, carried across continue-as-new. */
export interface ReplicateCarry {
  round: number;
  last: ReplicateRoundResult | null;
}

/** The final standing of an adaptive-seed sweep. */
export interface ReplicateSummary {
  rounds: number;
  /** Runs the sweep used, every round together (trained or reused). */
  runs: number;
  /** Runs the fixed-seed alternative would use: every configuration at maxSeeds. */
  fixedRuns: number;
  /** fixedRuns − runs: runs the adaptive rule saved. */
  saved: number;
  resolved: number;
  unresolved: number;
  stoppedAtCap: number;
}

/** The sweep workflow's result. */
export interface SweepSummary {
  sweepId: string;
  trials: number;
  runs: number;
  /** Runs trained by this sweep. */
  trained: number;
  /** Runs that already existed, trained far enough, and were not trained again. */
  reused: number;
  completed: number;
  failed: number;
  /** Runs whose training diverged: results of the sweep (status `diverged`), not failures. */
  diverged: number;
  continuedAsNew: number;
  best: BestConfig | null;
  /** Where the finished sweep refreshed its Grafana dashboards (files, and URLs when pushed). */
  dashboards: string[];
  /** Adaptive-seed sweeps only. */
  replicate?: ReplicateSummary;
}

export const emptyTally = (): SweepTally => ({ trials: 0, runs: 0, trained: 0, reused: 0, failed: 0, diverged: 0, best: null });
