import type { Executor } from '../db/database';
import { listEffectsAtLargestEpochs } from '../db/effect-repository';
import { interactionSentence, swapSentence } from './comparison-sentences';
import { divergenceSentences } from './divergence-sentences';
import { effectSentences } from './effect-sentences';
import { noiseSentence } from './noise-sentences';
import { listDivergedAtLargestEpochs, listInteractionsAtLargestEpochs, listNoiseDiagnostic, listSwapsAtLargestEpochs } from './report-queries';

/**
 * Plain sentences, one per configuration and metric against the control at the sweep's
 * largest epochs value, each naming its interval, n, test and Holm family and saying whether
 * the effect is beyond seed noise. For the quickstart, `regsweep results` and the report.
 */
export async function describeEffects(db: Executor, sweepId: string): Promise<string[]> {
  return effectSentences(await listEffectsAtLargestEpochs(db, sweepId));
}

/** Everything `regsweep results` says in words about a sweep, section by section. */
export interface SweepDescription {
  /** Against the control, at the largest epochs value. */
  effects: string[];
  /** Dropout1 ↔ dropout2 swaps at the largest epochs value; empty when the grid has none. */
  swaps: string[];
  /** Dropout × weight decay interactions at the largest epochs value; empty when the grid has none. */
  interactions: string[];
  /** The F test of seed noise per metric and epochs value. */
  noise: string[];
  /** Configurations with a diverged run at the largest epochs value. */
  divergence: string[];
}

/** The sentences of every section, read with the same queries and worded by the same functions as the report. */
export async function describeSweep(db: Executor, sweepId: string): Promise<SweepDescription> {
  const [effects, swaps, interactions, noise, diverged] = await Promise.all([
    describeEffects(db, sweepId),
    listSwapsAtLargestEpochs(db, sweepId),
    listInteractionsAtLargestEpochs(db, sweepId),
    listNoiseDiagnostic(db, sweepId),
    listDivergedAtLargestEpochs(db, sweepId),
  ]);
  return {
    effects,
    swaps: swaps.map(swapSentence),
    interactions: interactions.map(interactionSentence),
    noise: noise.map(noiseSentence),
    divergence: divergenceSentences(diverged),
  };
}
