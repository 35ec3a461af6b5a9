import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { defaultBatchNorm, defaultEvalDropoutSamples, defaultRegularizer, type RegularizerName } from './training-limits';

/**
 * Everything that determines a run's training trajectory and what it records. Epochs are
 * deliberately absent: with a constant learning rate and random streams derived from (seed,
 * epoch), the metrics at epoch e do not depend on how far the run goes, so trials that differ
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
  /** What dropout1 / dropout2 are the rates of (docs/training.md, "Regularizer variants"). */
  regularizer: RegularizerName;
  batchNorm: boolean;
  /** Stochastic test passes recorded per epoch (MC dropout); 0 = inference mode only. */
  evalDropoutSamples: number;
}

/** A run as the sweep schedules it: its identity plus how far this sweep needs it trained. */
export interface RunPlan extends RunTrainingConfig {
  runId: string;
  maxEpochs: number;
}

// Bump when the training engine changes in a way that changes results, so old runs are not reused.
const identityVersion = 1;

/** True when a config uses none of the settings added after run ids were first issued. */
function isOriginalModel(config: RunTrainingConfig): boolean {
  return config.regularizer === defaultRegularizer && config.batchNorm === defaultBatchNorm && config.evalDropoutSamples === defaultEvalDropoutSamples;
}

/**
 * Stable id of a run: a hash of its canonical training config. The variant settings join the
 * hash only when one differs from its default, so every run planned before they existed keeps
 * its id and is reused. Test-time dropout does not change the trajectory (its noise has its own
 * stream) but does change what a run records, so a run that records it is a different run.
 */
export function runIdOf(config: RunTrainingConfig): string {
  const original = [
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
  ];
  const canonical = isOriginalModel(config) ? original : [...original, config.regularizer, config.batchNorm, config.evalDropoutSamples];
  return `run-${bytesToHex(sha256(utf8ToBytes(JSON.stringify(canonical)))).slice(0, 20)}`;
}
