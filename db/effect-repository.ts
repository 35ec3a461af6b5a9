import type { Executor } from './database';
import type { EffectDropoutSwapView } from './effect-dropout-swap.view';
import type { EffectInteractionView } from './effect-interaction.view';
import type { EffectVsControlView } from './effect-vs-control.view';
import { largestEpochsOf } from './largest-epochs';

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
    .where('epochs', '=', largestEpochsOf(sweepId))
    .orderBy('metric', 'desc')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}

/** effect_dropout_swap at the largest epochs value: test accuracy first, then the gap, in grid order. */
export async function listSwapsAtLargestEpochs(db: Executor, sweepId: string): Promise<EffectDropoutSwapView[]> {
  return db
    .selectFrom('effect_dropout_swap')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', largestEpochsOf(sweepId))
    .orderBy('metric', 'desc')
    .orderBy('weight_decay')
    .orderBy('dropout_a')
    .orderBy('dropout_b')
    .execute();
}

/** effect_interaction at the largest epochs value: test accuracy first, then the gap, in grid order. */
export async function listInteractionsAtLargestEpochs(db: Executor, sweepId: string): Promise<EffectInteractionView[]> {
  return db
    .selectFrom('effect_interaction')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', largestEpochsOf(sweepId))
    .orderBy('metric', 'desc')
    .orderBy('weight_decay')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .execute();
}
