import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface SweepProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  paused: boolean;
  best: { runId: string; testAcc: number } | null;
}

/** Live counts of the sweep's runs: `temporal workflow query --type progress`. */
export const progressQuery = defineQuery<SweepProgress>('progress');
/** Stops scheduling new runs; in-flight runs finish. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
