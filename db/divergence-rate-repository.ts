import type { Executor } from './database';
import type { DivergenceRateView } from './divergence-rate.view';
import { largestEpochsOf } from './largest-epochs';

/** Configurations with a diverged run at the largest epochs value, highest rate first. */
export async function listDivergedAtLargestEpochs(db: Executor, sweepId: string): Promise<DivergenceRateView[]> {
  return db
    .selectFrom('divergence_rate')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', largestEpochsOf(sweepId))
    .where('n_diverged', '>', 0)
    .orderBy('rate', 'desc')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}
