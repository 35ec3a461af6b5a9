/** The comparisons `comparison_availability` reports on, one per effect view. */
export type ComparisonName = 'vs_control' | 'dropout_swap' | 'interaction' | 'vs_variant' | 'test_time_dropout';

/**
 * The `comparison_availability` view: one row per sweep, variant and comparison within a variant
 * (vs_control, dropout_swap, interaction, test_time_dropout), and one per sweep for vs_variant,
 * saying whether its view has a row with at least one paired seed (`available`), and when it has
 * none, why (`reason`, plain words naming what the grid or the data lack).
 */
export interface ComparisonAvailabilityView {
  sweep_id: string;
  comparison: ComparisonName;
  /** The effect view the comparison's rows live in. */
  view_name: 'effect_vs_control' | 'effect_dropout_swap' | 'effect_interaction' | 'effect_vs_variant' | 'test_time_dropout';
  available: boolean;
  /** Rows the view has for the sweep (effect_vs_control also lists configurations with n = 0). */
  rows: number;
  /** Rows with at least one paired seed. */
  rows_with_pairs: number;
  /** The largest n of any row; null without rows. */
  max_n: number | null;
  /** Seed comparisons left out because a cell diverged. */
  n_excluded_diverged: number;
  /** Why there is no row with a paired seed; null when `available`. */
  reason: string | null;
  /** Set when every row rests on one seed (no interval, no p-value); null otherwise. */
  note: string | null;
  /** The variant the row is about; null for vs_variant (which spans the sweep's variants) and for a sweep without trials. */
  variant: string | null;
}
