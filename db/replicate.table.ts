import type { Generated, Insertable, Selectable } from 'kysely';
import type { ComparisonStatus } from '../domain/replicate-rule';

/** One adaptive-seed sweep's standing after its latest decision. */
export interface ReplicateSweepsTable {
  sweep_id: string;
  metric: string;
  epochs: number;
  compare: string;
  /** `halfWidth 0.004` or `decide alpha 0.05`. */
  target: string;
  /** Rounds of runs added so far (round 1 gives every configuration minSeeds seeds). */
  round: number;
  /** Runs the latest round added; 0 once the plan is empty. */
  last_added: number;
  /** Of those, runs that were already trained (by another sweep) and were not trained again. */
  last_reused: number;
  configs: number;
  max_seeds: number;
  /** Runs the sweep has used (trained or reused), every round together. */
  runs: number;
  /** What the fixed-seed alternative costs: configs × max_seeds. */
  fixed_runs: number;
  /** Every comparison is resolved or stopped at a cap. */
  finished: boolean;
  updated_at: Generated<Date>;
}
export type ReplicateSweepRow = Selectable<ReplicateSweepsTable>;
export type NewReplicateSweep = Insertable<ReplicateSweepsTable>;

/** One comparison of an adaptive-seed sweep as of its latest decision. */
export interface ReplicateComparisonsTable {
  sweep_id: string;
  comparison_id: string;
  ordinal: number;
  /** Label of the configuration (only the fields that vary in the grid). */
  config: string;
  /** Label of the configuration it is compared with; null for each-config. */
  other: string | null;
  status: ComparisonStatus;
  /** Seeds with a value on every side. */
  n: number;
  config_seeds: number;
  other_seeds: number | null;
  mean: number | null;
  ci_low: number | null;
  ci_high: number | null;
  half_width: number | null;
  interval: 't' | 'anytime';
  /** Coverage of the interval: 0.95 for the t-interval; 1 − alpha/m for the anytime-valid one (all m hold at once with 1 − alpha). */
  confidence: number;
  p_anytime: number | null;
  holm_threshold: number | null;
  /** The round whose results the row shows. */
  round: number;
}
export type ReplicateComparisonRow = Selectable<ReplicateComparisonsTable>;
export type NewReplicateComparison = Insertable<ReplicateComparisonsTable>;
