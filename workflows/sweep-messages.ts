import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReplicateComparisonProgress } from '../activities/index';

/** Where an adaptive-seed sweep stands after its latest decision between rounds (docs/adaptive-seeds.md). */
export interface ReplicateProgress {
  /** Rounds of runs added so far; 0 before the first decision. */
  round: number;
  /** Runs the sweep has used so far, every round together. */
  runs: number;
  /** What training maxSeeds seeds of every configuration would cost. */
  fixedRuns: number;
  /** Every comparison is resolved or stopped at a cap: no more rounds. */
  finished: boolean;
  /** Each comparison with its interval, seeds and status; empty before the first decision. */
  comparisons: ReplicateComparisonProgress[];
}

export interface SweepProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  paused: boolean;
  best: { runId: string; testAcc: number } | null;
  /** Adaptive-seed sweeps only. */
  replicate?: ReplicateProgress;
}

/** Live counts of the sweep's runs: `temporal workflow query --type progress`. */
export const progressQuery = defineQuery<SweepProgress>('progress');
/** Stops scheduling new runs; in-flight runs finish. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
