import { comparisonAvailability } from '../db/comparison-availability-repository';
import type { ComparisonName } from '../db/comparison-availability.view';
import type { Executor } from '../db/database';
import { listDivergedAtLargestEpochs } from '../db/divergence-rate-repository';
import { listEffectsAtLargestEpochs, listInteractionsAtLargestEpochs, listSwapsAtLargestEpochs } from '../db/effect-repository';
import { listNoiseDiagnostic } from '../db/noise-diagnostic-repository';
import { interactionSentence, swapSentence, unavailableSentence } from './comparison-sentences';
import { divergenceSentences } from './divergence-sentences';
import { effectSentences } from './effect-sentences';
import { noiseSentence } from './noise-sentences';

/**
 * Plain sentences, one per configuration and metric against the control at the sweep's
 * largest epochs value, each naming its interval, n, test and Holm family and saying whether
 * the effect is beyond seed noise. For the quickstart, `regsweep results` and the report.
 */
export async function describeEffects(db: Executor, sweepId: string): Promise<string[]> {
  return effectSentences(await listEffectsAtLargestEpochs(db, sweepId));
}

/** Why each comparison without a paired seed has none (comparison_availability), as sentences; absent when it has rows. */
export type UnavailableComparisons = Partial<Record<ComparisonName, string>>;

/** Reads comparison_availability for the sweep and words the reason of each comparison that has no paired seed. */
export async function describeUnavailableComparisons(db: Executor, sweepId: string): Promise<UnavailableComparisons> {
  const reasons: UnavailableComparisons = {};
  for (const row of await comparisonAvailability(db, sweepId)) {
    const sentence = unavailableSentence(row);
    if (sentence !== null) reasons[row.comparison] = sentence;
  }
  return reasons;
}

/** Everything `regsweep results` says in words about a sweep, section by section. */
export interface SweepDescription {
  /** Against the control, at the largest epochs value; or why there is no comparison. */
  effects: string[];
  /** Dropout1 ↔ dropout2 swaps at the largest epochs value; or why there is none. */
  swaps: string[];
  /** Dropout × weight decay interactions at the largest epochs value; or why there is none. */
  interactions: string[];
  /** The F test of seed noise per metric and epochs value. */
  noise: string[];
  /** Configurations with a diverged run at the largest epochs value. */
  divergence: string[];
}

/** The sentences of every section, read with the same queries and worded by the same functions as the report. */
export async function describeSweep(db: Executor, sweepId: string): Promise<SweepDescription> {
  const [effects, swaps, interactions, noise, diverged, unavailable] = await Promise.all([
    describeEffects(db, sweepId),
    listSwapsAtLargestEpochs(db, sweepId),
    listInteractionsAtLargestEpochs(db, sweepId),
    listNoiseDiagnostic(db, sweepId),
    listDivergedAtLargestEpochs(db, sweepId),
    describeUnavailableComparisons(db, sweepId),
  ]);
  const orWhyNot = (sentences: string[], comparison: ComparisonName): string[] => {
    const why = unavailable[comparison];
    if (why !== undefined) return [why];
    return sentences.length > 0 ? sentences : ['None at the largest epochs value yet.'];
  };
  return {
    effects: orWhyNot(effects, 'vs_control'),
    swaps: orWhyNot(swaps.map(swapSentence), 'dropout_swap'),
    interactions: orWhyNot(interactions.map(interactionSentence), 'interaction'),
    noise: noise.map(noiseSentence),
    divergence: divergenceSentences(diverged),
  };
}
