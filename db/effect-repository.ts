import type { Executor } from './database';
import type { EffectVsControlView } from './effect-vs-control.view';

/**
 * The sweep's `effect_vs_control` rows at its largest epochs value (the result a sweep is run
 * for): test accuracy first, then the gap, each in grid order. Empty when the sweep is unknown
 * or its grid has a single configuration.
 */
export async function listEffectsAtLargestEpochs(db: Executor, sweepId: string): Promise<EffectVsControlView[]> {
  return db
    .selectFrom('effect_vs_control')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', (eb) => eb.selectFrom('sweep_trials').select((e) => e.fn.max('epochs').as('e')).where('sweep_id', '=', sweepId))
    .orderBy('metric', 'desc')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}
