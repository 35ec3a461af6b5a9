import type { Executor } from '../db/database';
import { listEffectsAtLargestEpochs } from '../db/effect-repository';
import { effectSentences } from './effect-sentences';

/**
 * Plain sentences, one per configuration and metric against the control at the sweep's
 * largest epochs value, each naming its interval, n, test and Holm family and saying whether
 * the effect is beyond seed noise. For the quickstart, `regsweep results` and the report.
 */
export async function describeEffects(db: Executor, sweepId: string): Promise<string[]> {
  return effectSentences(await listEffectsAtLargestEpochs(db, sweepId));
}
