import { comparisonAvailability } from '../db/comparison-availability-repository';
import type { ComparisonName } from '../db/comparison-availability.view';
import type { Executor } from '../db/database';
import { listDivergedAtLargestEpochs } from '../db/divergence-rate-repository';
import { listEffectsAtLargestEpochs, listInteractionsAtLargestEpochs, listSwapsAtLargestEpochs } from '../db/effect-repository';
import { listNoiseDiagnostic } from '../db/noise-diagnostic-repository';
import { interactionSentence, swapSentence, unavailableSentence } from './comparison-sentences';
import { divergenceSentences } from './divergence-sentences';
import { effectSentence, effectSentences } from './effect-sentences';
import { testTimeDropoutSentence, variantSentence } from './findings/variant-sentences';
import { listTestTimeDropout, listVariantEffectsAtLargestEpochs } from '../db/variant-repository';
import { noiseSentence } from './noise-sentences';

/**
 * Plain sentences, one per configuration and metric against the control at the sweep's
 * largest epochs value, each naming its interval, n, test and Holm family and saying whether
 * the effect is beyond seed noise. For the quickstart, `regsweep results` and the report.
 */
export async function describeEffects(db: Executor, sweepId: string): Promise<string[]> {
  return effectSentences(await listEffectsAtLargestEpochs(db, sweepId));
}

/**
 * Why each comparison without a paired seed has none (comparison_availability), as sentences;
 * absent when some variant has one. A comparison that no variant has gets the reason of each
 * variant, labelled with the variant when the sweep has several.
 */
export type UnavailableComparisons = Partial<Record<ComparisonName, string>>;

/** Reads comparison_availability for the sweep and words the reason of each comparison that no variant has a paired seed for. */
export async function describeUnavailableComparisons(db: Executor, sweepId: string): Promise<UnavailableComparisons> {
  const rows = await comparisonAvailability(db, sweepId);
  const variants = new Set(rows.map((r) => r.variant).filter((v) => v !== null));
  const reasons: UnavailableComparisons = {};
  for (const comparison of new Set(rows.map((r) => r.comparison))) {
    const ofComparison = rows.filter((r) => r.comparison === comparison);
    if (ofComparison.some((r) => r.available)) continue;
    // Variants that lack a comparison for the same reason share one sentence.
    const byReason = new Map<string, string[]>();
    for (const r of ofComparison) {
      const sentence = unavailableSentence(r);
      if (sentence !== null) byReason.set(sentence, [...(byReason.get(sentence) ?? []), ...(r.variant === null ? [] : [r.variant])]);
    }
    const sentences = [...byReason].map(([sentence, of]) =>
      variants.size <= 1 || of.length === 0 ? sentence : of.length === variants.size ? `In every variant: ${sentence}` : `${of.join(', ')}: ${sentence}`,
    );
    if (sentences.length > 0) reasons[comparison] = sentences.join(' ');
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
  /** Each variant against the base variant at the largest epochs value; empty for a one-variant sweep. */
  variants: string[];
  /** Test-time dropout at the largest epochs value; empty unless runs evaluate with it. */
  testTimeDropout: string[];
}

/** The sentences of every section, read with the same queries and worded by the same functions as the report. */
export async function describeSweep(db: Executor, sweepId: string): Promise<SweepDescription> {
  const [effects, swaps, interactions, noise, diverged, unavailable, variants, testTimeDropout] = await Promise.all([
    listEffectsAtLargestEpochs(db, sweepId),
    listSwapsAtLargestEpochs(db, sweepId),
    listInteractionsAtLargestEpochs(db, sweepId),
    listNoiseDiagnostic(db, sweepId),
    listDivergedAtLargestEpochs(db, sweepId),
    describeUnavailableComparisons(db, sweepId),
    listVariantEffectsAtLargestEpochs(db, sweepId),
    listTestTimeDropout(db, sweepId),
  ]);
  // Rows of several variants say which one they are about; a one-variant sweep reads as before.
  const manyVariants = new Set(effects.map((r) => r.variant)).size > 1 || variants.length > 0;
  const labelled =
    <T extends { variant: string }>(sentence: (r: T) => string) =>
    (r: T) =>
      manyVariants ? `${r.variant}: ${sentence(r)}` : sentence(r);
  const largest = Math.max(0, ...testTimeDropout.map((r) => r.epochs));
  const byVariant = <T extends { variant: string }>(rows: T[]): T[] => [...rows].sort((a, b) => a.variant.localeCompare(b.variant));
  const orWhyNot = (sentences: string[], comparison: ComparisonName): string[] => {
    const why = unavailable[comparison];
    if (why !== undefined) return [why];
    return sentences.length > 0 ? sentences : ['None at the largest epochs value yet.'];
  };
  return {
    effects: orWhyNot(effects.length > 0 ? byVariant(effects).map(labelled(effectSentence)) : effectSentences([]), 'vs_control'),
    swaps: orWhyNot(byVariant(swaps).map(labelled(swapSentence)), 'dropout_swap'),
    interactions: orWhyNot(byVariant(interactions).map(labelled(interactionSentence)), 'interaction'),
    noise: byVariant(noise).map(labelled(noiseSentence)),
    divergence: diverged.flatMap((r) => divergenceSentences([r]).map((s) => (manyVariants ? `${r.variant}: ${s}` : s))),
    variants: variants.map(variantSentence),
    testTimeDropout: testTimeDropout.filter((r) => r.epochs === largest).map(testTimeDropoutSentence),
  };
}
