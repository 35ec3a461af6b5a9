import type { Executor } from './database';
import type { NoiseDiagnosticView } from './noise-diagnostic.view';

/** noise_diagnostic for every epochs value, largest first, test accuracy before the gap. */
export async function listNoiseDiagnostic(db: Executor, sweepId: string): Promise<NoiseDiagnosticView[]> {
  return db.selectFrom('noise_diagnostic').selectAll().where('sweep_id', '=', sweepId).orderBy('epochs', 'desc').orderBy('metric', 'desc').execute();
}
