import type { Executor } from './database';
import type { MainEffectView } from './main-effect.view';

/** main_effect at one epochs value, by axis, then level. */
export async function listMainEffects(db: Executor, sweepId: string, epochs: number): Promise<MainEffectView[]> {
  return db.selectFrom('main_effect').selectAll().where('sweep_id', '=', sweepId).where('epochs', '=', epochs).orderBy('axis').orderBy('level').execute();
}
