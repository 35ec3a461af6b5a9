import { sql } from 'kysely';
import type { Executor } from '../db/database';
import type { DivergenceRateView } from '../db/divergence-rate.view';
import type { EffectDropoutSwapView } from '../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../db/effect-interaction.view';
import type { NoiseDiagnosticView } from '../db/noise-diagnostic.view';

/*
 * The rows the report and `regsweep results` both put into words, read the same way for both:
 * comparisons at the sweep's largest epochs value (the result a sweep is run for), the F test of
 * seed noise at every epochs value.
 */

/** The sweep's largest epochs value, as a subquery. */
const largestEpochs = (sweepId: string) => sql<number>`(select max(epochs) from sweep_trials where sweep_id = ${sweepId})`;

/** effect_dropout_swap at the largest epochs value: test accuracy first, then the gap, in grid order. */
export async function listSwapsAtLargestEpochs(db: Executor, sweepId: string): Promise<EffectDropoutSwapView[]> {
  return db
    .selectFrom('effect_dropout_swap')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', largestEpochs(sweepId))
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
    .where('epochs', '=', largestEpochs(sweepId))
    .orderBy('metric', 'desc')
    .orderBy('weight_decay')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .execute();
}

/** noise_diagnostic for every epochs value, largest first, test accuracy before the gap. */
export async function listNoiseDiagnostic(db: Executor, sweepId: string): Promise<NoiseDiagnosticView[]> {
  return db.selectFrom('noise_diagnostic').selectAll().where('sweep_id', '=', sweepId).orderBy('epochs', 'desc').orderBy('metric', 'desc').execute();
}

/** Configurations with a diverged run at the largest epochs value, highest rate first. */
export async function listDivergedAtLargestEpochs(db: Executor, sweepId: string): Promise<DivergenceRateView[]> {
  return db
    .selectFrom('divergence_rate')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .where('epochs', '=', largestEpochs(sweepId))
    .where('n_diverged', '>', 0)
    .orderBy('rate', 'desc')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}
