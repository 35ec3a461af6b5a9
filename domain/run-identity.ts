import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * Everything that determines a run's training trajectory. Epochs are deliberately
 * absent: with a constant learning rate and random streams derived from (seed, epoch),
 * the metrics at epoch e do not depend on how far the run goes, so trials that differ
 * only in epochs share one run, and extending the epochs axis continues it.
 */
export interface RunTrainingConfig {
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  seed: number;
  lr: number;
  batchSize: number;
  hidden: [number, number];
  trainSubset: number | null;
}

/** A run as the sweep schedules it: its identity plus how far this sweep needs it trained. */
export interface RunPlan extends RunTrainingConfig {
  runId: string;
  maxEpochs: number;
}

// Bump when the training engine changes in a way that changes results, so old runs are not reused.
const identityVersion = 1;

/** Stable id of a run: a hash of its canonical training config. */
export function runIdOf(config: RunTrainingConfig): string {
  const canonical = JSON.stringify([
    identityVersion,
    config.dropout1,
    config.dropout2,
    config.weightDecay,
    config.seed,
    config.lr,
    config.batchSize,
    config.hidden[0],
    config.hidden[1],
    config.trainSubset,
  ]);
  return `run-${bytesToHex(sha256(utf8ToBytes(canonical))).slice(0, 20)}`;
}
