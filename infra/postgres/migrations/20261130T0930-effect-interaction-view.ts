import { sql, type Kysely } from 'kysely';

/*
 * Are dropout and weight decay additive? For each dropout setting d ≠ (0, 0), weight decay
 * w > 0 and epochs value of a sweep, four cells of the same seed form a 2×2 design:
 *   baseline (no dropout, no decay), d alone, w alone, d and w together.
 * Per seed the view takes the effects relative to the baseline and the interaction contrast
 *   value(d, w) − value(d, 0) − value(0, w) + value(0, 0),
 * which is zero when the two regularisers add up. Only seeds that have all four cells count,
 * so every effect of a row rests on the same n. Holm's adjustment of the interaction
 * p-values runs over every row of one sweep, epochs value and metric.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view effect_interaction as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from sweep_trials t
        join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs
        cross join lateral (values ('test_acc'::text, m.test_acc), ('gap'::text, m.gap)) as v(metric, value)
    ),
    per_seed as (
      select together.sweep_id, together.metric, together.epochs, together.dropout1, together.dropout2, together.weight_decay,
             baseline_cell.value as baseline,
             dropout_cell.value - baseline_cell.value as dropout_effect,
             decay_cell.value - baseline_cell.value as weight_decay_effect,
             together.value - baseline_cell.value as combined_effect,
             together.value - dropout_cell.value - decay_cell.value + baseline_cell.value as interaction
        from cell together
        join cell baseline_cell
          on baseline_cell.sweep_id = together.sweep_id and baseline_cell.metric = together.metric and baseline_cell.epochs = together.epochs
         and baseline_cell.seed = together.seed and baseline_cell.dropout1 = 0 and baseline_cell.dropout2 = 0 and baseline_cell.weight_decay = 0
        join cell dropout_cell
          on dropout_cell.sweep_id = together.sweep_id and dropout_cell.metric = together.metric
         and dropout_cell.epochs = together.epochs and dropout_cell.seed = together.seed
         and dropout_cell.dropout1 = together.dropout1 and dropout_cell.dropout2 = together.dropout2
         and dropout_cell.weight_decay = 0
        join cell decay_cell
          on decay_cell.sweep_id = together.sweep_id and decay_cell.metric = together.metric
         and decay_cell.epochs = together.epochs and decay_cell.seed = together.seed
         and decay_cell.dropout1 = 0 and decay_cell.dropout2 = 0
         and decay_cell.weight_decay = together.weight_decay
       where together.weight_decay > 0 and (together.dropout1 <> 0 or together.dropout2 <> 0)
    ),
    tested as (
      select sweep_id, metric, epochs, dropout1, dropout2, weight_decay,
             count(*) as n,
             avg(baseline) as baseline_mean,
             avg(dropout_effect) as dropout_effect_mean,
             regsweep_ci_half_width(stddev_samp(dropout_effect), count(*)) as dropout_effect_hw,
             avg(weight_decay_effect) as weight_decay_effect_mean,
             regsweep_ci_half_width(stddev_samp(weight_decay_effect), count(*)) as weight_decay_effect_hw,
             avg(combined_effect) as combined_effect_mean,
             regsweep_ci_half_width(stddev_samp(combined_effect), count(*)) as combined_effect_hw,
             avg(interaction) as interaction_mean,
             stddev_samp(interaction) as interaction_sd,
             regsweep_ci_half_width(stddev_samp(interaction), count(*)) as interaction_hw,
             regsweep_t_stat(avg(interaction), stddev_samp(interaction), count(*)) as interaction_t
        from per_seed
       group by sweep_id, metric, epochs, dropout1, dropout2, weight_decay
    ),
    with_p as (
      select tested.*, regsweep_t_pvalue(interaction_t, (n - 1)::integer) as interaction_p
        from tested
    ),
    ranked as (
      select with_p.*,
             row_number() over (partition by sweep_id, metric, epochs order by interaction_p nulls last) as holm_rank,
             count(interaction_p) over (partition by sweep_id, metric, epochs) as holm_m
        from with_p
    )
    select sweep_id, metric, epochs, dropout1, dropout2, weight_decay, n::integer as n,
           baseline_mean,
           dropout_effect_mean,
           dropout_effect_mean - dropout_effect_hw as dropout_effect_ci_low,
           dropout_effect_mean + dropout_effect_hw as dropout_effect_ci_high,
           weight_decay_effect_mean,
           weight_decay_effect_mean - weight_decay_effect_hw as weight_decay_effect_ci_low,
           weight_decay_effect_mean + weight_decay_effect_hw as weight_decay_effect_ci_high,
           combined_effect_mean,
           combined_effect_mean - combined_effect_hw as combined_effect_ci_low,
           combined_effect_mean + combined_effect_hw as combined_effect_ci_high,
           interaction_mean, interaction_sd,
           interaction_mean - interaction_hw as interaction_ci_low,
           interaction_mean + interaction_hw as interaction_ci_high,
           interaction_t, interaction_p,
           case when interaction_p is not null then
             least(1, max(interaction_p * (holm_m - holm_rank + 1)) over (
               partition by sweep_id, metric, epochs order by holm_rank rows between unbounded preceding and current row))
           end as interaction_p_holm
      from ranked`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists effect_interaction`.execute(db);
}
