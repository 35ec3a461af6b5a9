import { sql } from 'kysely';
import type { Executor } from './database';
import type { DivergenceRateView } from './divergence-rate.view';
import type { EffectDropoutSwapView } from './effect-dropout-swap.view';
import type { EffectInteractionView } from './effect-interaction.view';
import type { EffectVsControlView } from './effect-vs-control.view';
import type { EffectVsVariantView } from './effect-vs-variant.view';

/*
 * What a findings document reads: every row of each comparison at every epochs value (a finding
 * shows every comparison of its study, never a selection), and per-configuration curves over all
 * trained epochs.
 */

/** effect_vs_control at every epochs value, by variant, epochs, metric (test accuracy first), then grid order. */
export async function listAllEffectsVsControl(db: Executor, sweepId: string): Promise<EffectVsControlView[]> {
  return db
    .selectFrom('effect_vs_control')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy('variant')
    .orderBy('epochs')
    .orderBy('metric', 'desc')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}

/** effect_dropout_swap at every epochs value, by variant, epochs, metric, then grid order. */
export async function listAllSwaps(db: Executor, sweepId: string): Promise<EffectDropoutSwapView[]> {
  return db
    .selectFrom('effect_dropout_swap')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy('variant')
    .orderBy('epochs')
    .orderBy('metric', 'desc')
    .orderBy('weight_decay')
    .orderBy('dropout_a')
    .orderBy('dropout_b')
    .execute();
}

/** effect_interaction at every epochs value, by variant, epochs, metric, then grid order. */
export async function listAllInteractions(db: Executor, sweepId: string): Promise<EffectInteractionView[]> {
  return db
    .selectFrom('effect_interaction')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy('variant')
    .orderBy('epochs')
    .orderBy('metric', 'desc')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}

/** effect_vs_variant at every epochs value, by epochs, metric, variant, then grid order. */
export async function listAllVariantEffects(db: Executor, sweepId: string): Promise<EffectVsVariantView[]> {
  return db
    .selectFrom('effect_vs_variant')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy('epochs')
    .orderBy('metric', 'desc')
    .orderBy('variant')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .execute();
}

/** divergence_rate at every epochs value, by variant, grid order, then epochs. */
export async function listAllDivergenceRates(db: Executor, sweepId: string): Promise<DivergenceRateView[]> {
  return db
    .selectFrom('divergence_rate')
    .selectAll()
    .where('sweep_id', '=', sweepId)
    .orderBy('variant')
    .orderBy('dropout1')
    .orderBy('dropout2')
    .orderBy('weight_decay')
    .orderBy('epochs')
    .execute();
}

/** One configuration's means over its seeds at one trained epoch. */
export interface ConfigEpochMeans {
  variant: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epoch: number;
  /** Seeds with a (not diverged) row at this epoch. */
  n: number;
  test_acc: number | null;
  train_acc_eval: number | null;
  act_var1: number | null;
  act_var2: number | null;
  /** Sample standard deviations over those seeds (null below 2 seeds). */
  act_var1_sd: number | null;
  act_var2_sd: number | null;
}

/**
 * Per variant and configuration, the mean over seeds of test accuracy, training accuracy and the
 * hidden activation variances (with the variances' standard deviations over seeds) at every epoch up to the sweep's largest epochs value (diverged
 * epochs hold nulls and are not averaged).
 */
export async function listConfigEpochMeans(db: Executor, sweepId: string): Promise<ConfigEpochMeans[]> {
  const { rows } = await sql<ConfigEpochMeans>`
    with runs_of_sweep as (
      select distinct regsweep_variant_label(t.regularizer, t.batch_norm, t.lr) as variant,
             t.dropout1, t.dropout2, t.weight_decay, t.seed, t.run_id
        from sweep_trials t
       where t.sweep_id = ${sweepId}
    )
    select r.variant, r.dropout1, r.dropout2, r.weight_decay, m.epoch,
           count(m.test_acc)::integer as n,
           avg(m.test_acc) as test_acc, avg(m.train_acc_eval) as train_acc_eval,
           avg(m.act_var1) as act_var1, avg(m.act_var2) as act_var2,
           stddev_samp(m.act_var1) as act_var1_sd, stddev_samp(m.act_var2) as act_var2_sd
      from runs_of_sweep r
      join epoch_metrics m on m.run_id = r.run_id
     where m.epoch <= (select max(epochs) from sweep_trials where sweep_id = ${sweepId})
     group by r.variant, r.dropout1, r.dropout2, r.weight_decay, m.epoch
     order by r.variant, r.dropout1, r.dropout2, r.weight_decay, m.epoch`.execute(db);
  return rows;
}

/** The engines that trained the sweep's runs, as recorded in runs.backend, with how many runs each. */
export async function listSweepEngines(db: Executor, sweepId: string): Promise<{ backend: string; runs: number }[]> {
  return db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .select(['r.backend', sql<number>`count(*)::integer`.as('runs')])
    .where('sr.sweep_id', '=', sweepId)
    .where('r.backend', 'is not', null)
    .groupBy('r.backend')
    .orderBy('r.backend')
    .execute() as Promise<{ backend: string; runs: number }[]>;
}
