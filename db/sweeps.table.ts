import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type SweepStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface SweepsTable {
  id: string;
  name: string;
  spec: ColumnType<unknown, string, string>;
  status: SweepStatus;
  trials: number;
  runs: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}
export type SweepRow = Selectable<SweepsTable>;
export type NewSweep = Insertable<SweepsTable>;
