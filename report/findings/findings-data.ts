import type { ConfigIntervalView } from '../../db/config-interval.view';
import { listConfigIntervals } from '../../db/config-interval-repository';
import type { Executor } from '../../db/database';
import type { DivergenceRateView } from '../../db/divergence-rate.view';
import type { EffectDropoutSwapView } from '../../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../../db/effect-interaction.view';
import type { EffectVsControlView } from '../../db/effect-vs-control.view';
import type { EffectVsVariantView } from '../../db/effect-vs-variant.view';
import {
  listAllDivergenceRates,
  listAllEffectsVsControl,
  listAllInteractions,
  listAllSwaps,
  listAllVariantEffects,
  listConfigEpochMeans,
  listSweepEngines,
  type ConfigEpochMeans,
} from '../../db/findings-repository';
import { countSweepRuns, findSweep, type SweepRunCounts } from '../../db/sweep-repository';
import type { SweepRow } from '../../db/sweeps.table';
import type { TestTimeDropoutView } from '../../db/test-time-dropout.view';
import { listTestTimeDropout } from '../../db/variant-repository';

/** Everything the findings show about one sweep: every row of every comparison, at every epochs value. */
export interface SweepFindingsData {
  sweep: SweepRow;
  runCounts: SweepRunCounts;
  engines: { backend: string; runs: number }[];
  intervals: ConfigIntervalView[];
  effects: EffectVsControlView[];
  swaps: EffectDropoutSwapView[];
  interactions: EffectInteractionView[];
  variants: EffectVsVariantView[];
  testTimeDropout: TestTimeDropoutView[];
  divergence: DivergenceRateView[];
  epochMeans: ConfigEpochMeans[];
}

/** Reads a sweep's findings; null when the database has no such sweep. */
export async function loadSweepFindings(db: Executor, sweepId: string): Promise<SweepFindingsData | null> {
  const sweep = await findSweep(db, sweepId);
  if (!sweep) return null;
  const [runCounts, engines, intervals, effects, swaps, interactions, variants, testTimeDropout, divergence, epochMeans] = await Promise.all([
    countSweepRuns(db, sweepId),
    listSweepEngines(db, sweepId),
    listConfigIntervals(db, sweepId),
    listAllEffectsVsControl(db, sweepId),
    listAllSwaps(db, sweepId),
    listAllInteractions(db, sweepId),
    listAllVariantEffects(db, sweepId),
    listTestTimeDropout(db, sweepId),
    listAllDivergenceRates(db, sweepId),
    listConfigEpochMeans(db, sweepId),
  ]);
  return { sweep, runCounts, engines, intervals, effects, swaps, interactions, variants, testTimeDropout, divergence, epochMeans };
}
