import { sql, type Kysely } from 'kysely';
import type { DivergenceRateView } from '../db/divergence-rate.view';
import type { ConfigIntervalView, ConfigVsBestView } from '../db/config-interval.view';
import type { Database } from '../db/database';
import type { EffectDropoutSwapView } from '../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../db/effect-interaction.view';
import { listEffectsAtLargestEpochs } from '../db/effect-repository';
import type { EffectVsControlView } from '../db/effect-vs-control.view';
import { countSweepRuns, findSweep, type SweepRunCounts } from '../db/sweep-repository';
import type { SweepRow } from '../db/sweeps.table';

/** Means per epoch over runs with and without dropout (or, for activations, with dropout after that layer). */
export interface EpochCurves {
  epoch: number[];
  series: Record<string, Array<number | null>>;
}

export interface WeightNormCurves {
  epoch: number[];
  /** Per weight decay (as Postgres prints it), the mean norm of W1, W2 and W3 at each epoch. */
  byWeightDecay: Array<{ weightDecay: string; w1: Array<number | null>; w2: Array<number | null>; w3: Array<number | null> }>;
}

/** Everything the report shows about one sweep, read at the sweep's largest epochs value. */
export interface ReportData {
  sweep: SweepRow;
  runCounts: SweepRunCounts;
  epochs: number;
  /** Test accuracy and gap per configuration with clipped intervals and the comparison with the best. */
  configs: ConfigVsBestView[];
  /** Training accuracy (inference mode) per configuration, for the table. */
  trainAccuracy: ConfigIntervalView[];
  /** Every configuration against the control, test accuracy then gap. */
  effects: EffectVsControlView[];
  interactions: EffectInteractionView[];
  swaps: EffectDropoutSwapView[];
  curves: EpochCurves;
  activationVariance: EpochCurves;
  weightNorms: WeightNormCurves;
  /** Configurations with a diverged run at the largest epochs value, with the rate and its exact interval. */
  divergence: DivergenceRateView[];
}

function dropoutCurves(db: Kysely<Database>, sweepId: string, epochs: number) {
  const withDropout = sql`r.dropout1 > 0 or r.dropout2 > 0`;
  const without = sql`r.dropout1 = 0 and r.dropout2 = 0`;
  const pair = (metric: string) => [
    sql<number | null>`avg(${sql.ref(`m.${metric}`)}) filter (where ${without})`.as(`${metric}:no dropout`),
    sql<number | null>`avg(${sql.ref(`m.${metric}`)}) filter (where ${withDropout})`.as(`${metric}:dropout`),
  ];
  return db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .innerJoin('epoch_metrics as m', 'm.run_id', 'r.id')
    .select('m.epoch')
    .select([...pair('train_loss'), ...pair('test_loss'), ...pair('train_acc_eval'), ...pair('test_acc'), ...pair('gap')])
    .where('sr.sweep_id', '=', sweepId)
    .where('m.epoch', '<=', epochs)
    .groupBy('m.epoch')
    .orderBy('m.epoch')
    .execute();
}

/** Turns rows of {epoch, name: value, …} into one array per column. */
function toCurves(rows: ReadonlyArray<Record<string, unknown>>): EpochCurves {
  const series: Record<string, Array<number | null>> = {};
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      if (name === 'epoch') continue;
      (series[name] ??= []).push(value === null ? null : Number(value));
    }
  }
  return { epoch: rows.map((r) => Number(r.epoch)), series };
}

async function activationCurves(db: Kysely<Database>, sweepId: string, epochs: number): Promise<EpochCurves> {
  const rows = await db
    .selectFrom('activation_variance')
    .select('epoch')
    .select([
      sql<number | null>`avg(act_var) filter (where layer = 1 and layer_has_dropout)`.as('layer 1, dropped out'),
      sql<number | null>`avg(act_var) filter (where layer = 1 and not layer_has_dropout)`.as('layer 1, no dropout'),
      sql<number | null>`avg(act_var) filter (where layer = 2 and layer_has_dropout)`.as('layer 2, dropped out'),
      sql<number | null>`avg(act_var) filter (where layer = 2 and not layer_has_dropout)`.as('layer 2, no dropout'),
    ])
    .where('sweep_id', '=', sweepId)
    .where('epoch', '<=', epochs)
    .groupBy('epoch')
    .orderBy('epoch')
    .execute();
  return toCurves(rows);
}

async function weightNormCurves(db: Kysely<Database>, sweepId: string, epochs: number): Promise<WeightNormCurves> {
  const rows = await db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .innerJoin('epoch_metrics as m', 'm.run_id', 'r.id')
    .select(['m.epoch', sql<string>`r.weight_decay::text`.as('wd')])
    .select((eb) => [eb.fn.avg<number>('m.weight_norm1').as('w1'), eb.fn.avg<number>('m.weight_norm2').as('w2'), eb.fn.avg<number>('m.weight_norm3').as('w3')])
    .where('sr.sweep_id', '=', sweepId)
    .where('m.epoch', '<=', epochs)
    .groupBy(['r.weight_decay', 'm.epoch'])
    .orderBy('r.weight_decay')
    .orderBy('m.epoch')
    .execute();
  const epoch = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const byWeightDecay = [...new Set(rows.map((r) => r.wd))].map((weightDecay) => {
    const at = (e: number) => rows.find((r) => r.wd === weightDecay && r.epoch === e);
    const column = (key: 'w1' | 'w2' | 'w3') => epoch.map((e) => (at(e) ? Number(at(e)![key]) : null));
    return { weightDecay, w1: column('w1'), w2: column('w2'), w3: column('w3') };
  });
  return { epoch, byWeightDecay };
}

/**
 * Reads what the report shows for `sweepId`.
 * @throws Error naming the sweep when it is not in the database.
 */
export async function loadReportData(db: Kysely<Database>, sweepId: string): Promise<ReportData> {
  const sweep = await findSweep(db, sweepId);
  if (!sweep) throw new Error(`no sweep with id ${JSON.stringify(sweepId)} in the database`);
  const maxEpochs = await db
    .selectFrom('sweep_trials')
    .select((eb) => eb.fn.max('epochs').as('e'))
    .where('sweep_id', '=', sweepId)
    .executeTakeFirst();
  const epochs = Number(maxEpochs?.e ?? 0);
  const [runCounts, configs, trainAccuracy, effects, interactions, swaps, curveRows, activationVariance, weightNorms, divergence] = await Promise.all([
    countSweepRuns(db, sweepId),
    db
      .selectFrom('config_vs_best')
      .selectAll()
      .where('sweep_id', '=', sweepId)
      .where('epochs', '=', epochs)
      .orderBy('metric')
      .orderBy('weight_decay')
      .orderBy('dropout1')
      .orderBy('dropout2')
      .execute(),
    db.selectFrom('config_interval').selectAll().where('sweep_id', '=', sweepId).where('epochs', '=', epochs).where('metric', '=', 'train_acc_eval').execute(),
    listEffectsAtLargestEpochs(db, sweepId),
    db
      .selectFrom('effect_interaction')
      .selectAll()
      .where('sweep_id', '=', sweepId)
      .where('epochs', '=', epochs)
      .where('metric', '=', 'test_acc')
      .orderBy('weight_decay')
      .orderBy('dropout1')
      .orderBy('dropout2')
      .execute(),
    db
      .selectFrom('effect_dropout_swap')
      .selectAll()
      .where('sweep_id', '=', sweepId)
      .where('epochs', '=', epochs)
      .orderBy('metric')
      .orderBy('weight_decay')
      .orderBy('dropout_a')
      .orderBy('dropout_b')
      .execute(),
    dropoutCurves(db, sweepId, epochs),
    activationCurves(db, sweepId, epochs),
    weightNormCurves(db, sweepId, epochs),
    db
      .selectFrom('divergence_rate')
      .selectAll()
      .where('sweep_id', '=', sweepId)
      .where('epochs', '=', epochs)
      .where('n_diverged', '>', 0)
      .orderBy('rate', 'desc')
      .orderBy('dropout1')
      .orderBy('dropout2')
      .orderBy('weight_decay')
      .execute(),
  ]);
  return {
    ...{ sweep, runCounts, epochs, configs, trainAccuracy, effects, interactions, swaps },
    ...{ curves: toCurves(curveRows), activationVariance, weightNorms, divergence },
  };
}
