import type { Executor } from './database';
import { byVariant } from './variant-order';
import type { EffectVsVariantView } from './effect-vs-variant.view';
import { largestEpochsOf } from './largest-epochs';
import type { TestTimeDropoutView } from './test-time-dropout.view';

/**
 * The sweep's `effect_vs_variant` rows at its largest epochs value: test accuracy first, then the
 * gap, each by variant and in grid order. Empty when the sweep is unknown or has one variant.
 */
export async function listVariantEffectsAtLargestEpochs(db: Executor, sweepId: string): Promise<EffectVsVariantView[]> {
  return db
    .selectFrom('effect_vs_variant')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', largestEpochsOf(sweepId))
    .orderBy('metric', 'desc')
    .orderBy(byVariant)
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}

/**
 * The sweep's `test_time_dropout` rows at every epochs value, by variant, grid point, then epochs.
 * Empty when no run of the sweep evaluates with test-time dropout.
 */
export async function listTestTimeDropout(db: Executor, sweepId: string): Promise<TestTimeDropoutView[]> {
  return db
    .selectFrom('test_time_dropout')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy(byVariant)
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .orderBy('epochs')
    .execute();
}
