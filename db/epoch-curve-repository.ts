import { sql } from 'kysely';
import type { Executor } from './database';
import type { EpochCurveView, WeightNormCurveView } from './epoch-curve.view';

/** The sweep's epoch_curve rows, by epoch. */
export async function listEpochCurve(db: Executor, sweepId: string): Promise<EpochCurveView[]> {
  return db.selectFrom('epoch_curve').selectAll().where('sweep_id', '=', sweepId).orderBy('epoch').execute();
}

/** A weight_norm_curve row with its weight decay as Postgres prints it (`wd`), the label the report shows. */
export type WeightNormCurveRow = Pick<WeightNormCurveView, 'epoch' | 'w1' | 'w2' | 'w3' | 'variant'> & { wd: string };

/** The sweep's weight_norm_curve rows, by variant, weight decay, then epoch. */
export async function listWeightNormCurve(db: Executor, sweepId: string): Promise<WeightNormCurveRow[]> {
  return db
    .selectFrom('weight_norm_curve')
    .select(['epoch', 'w1', 'w2', 'w3', 'variant', sql<string>`weight_decay::text`.as('wd')])
    .where('sweep_id', '=', sweepId)
    .orderBy('variant')
    .orderBy('weight_decay')
    .orderBy('epoch')
    .execute();
}
