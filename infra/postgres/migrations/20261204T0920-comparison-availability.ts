import { sql, type Kysely } from 'kysely';

/*
 * No comparison silently returns nothing. comparison_availability has one row per sweep and
 * effect view ('vs_control' = effect_vs_control, 'dropout_swap' = effect_dropout_swap,
 * 'interaction' = effect_interaction) saying whether that view has rows with at least one
 * paired seed for the sweep, and when it has none, why, in words a person can act on.
 *
 * Reasons, first match wins: the sweep has no trials; the grid cannot form the comparison (the
 * sentence names what it needs and which values the grid has); no run has reached an epochs
 * value yet (or every one that did diverged); the data have no seed with every cell the
 * comparison needs (with the count of seed pairs left out because a cell diverged).
 * `note` flags rows that exist but rest on one seed each, where intervals and p-values are null.
 *
 * Grid values are printed as Postgres prints float8 (shortest exact form: 0.1, 0.001, 0.0001).
 */

const list = (values: string): string => `'{' || array_to_string(${values}, ', ') || '}'`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    create view comparison_availability as
    with grid as (
      select s.id as sweep_id,
             count(t.seed) as trials,
             count(distinct (t.dropout1, t.dropout2, t.weight_decay)) filter (where t.seed is not null) as configs,
             count(distinct (t.dropout1, t.dropout2)) filter (where t.seed is not null) as dropout_settings,
             coalesce(array_agg(distinct t.dropout1 order by t.dropout1) filter (where t.seed is not null), '{}') as dropout1_values,
             coalesce(array_agg(distinct t.dropout2 order by t.dropout2) filter (where t.seed is not null), '{}') as dropout2_values,
             coalesce(array_agg(distinct t.weight_decay order by t.weight_decay) filter (where t.seed is not null), '{}') as weight_decay_values,
             min(t.dropout1) as low1, min(t.dropout2) as low2, min(t.weight_decay) as low_wd
        from sweeps s
        left join sweep_trials t on t.sweep_id = s.id
       group by s.id
    ),
    outcome as (
      select sweep_id,
             count(*) filter (where test_acc is not null) as with_result,
             count(*) filter (where diverged) as diverged
        from trial_results
       group by sweep_id
    ),
    control_outcome as (
      select t.sweep_id, count(*) filter (where t.test_acc is not null) as with_result, count(*) filter (where t.diverged) as diverged
        from trial_results t
        join grid g on g.sweep_id = t.sweep_id
       where (t.dropout1, t.dropout2, t.weight_decay) = (g.low1, g.low2, g.low_wd)
       group by t.sweep_id
    ),
    counted as (
      -- Excluded seeds are counted once per comparison: both metrics of a seed leave together.
      select 'vs_control'::text as comparison, sweep_id, count(*) as rows, count(*) filter (where n >= 1) as rows_with_pairs,
             max(n) as max_n, sum(n_excluded_diverged) filter (where metric = 'test_acc') as excluded
        from effect_vs_control group by sweep_id
      union all
      select 'dropout_swap', sweep_id, count(*), count(*) filter (where n >= 1), max(n),
             sum(n_excluded_diverged) filter (where metric = 'test_acc')
        from effect_dropout_swap group by sweep_id
      union all
      select 'interaction', sweep_id, count(*), count(*) filter (where n >= 1), max(n),
             sum(n_excluded_diverged) filter (where metric = 'test_acc')
        from effect_interaction group by sweep_id
    ),
    -- Swap-excluded and interaction-excluded seeds have no row of their own when no seed is
    -- complete, so they are counted here from the grid, as the views define them.
    swap_excluded as (
      select ab.sweep_id, count(*) as excluded
        from trial_results ab
        join trial_results ba
          on ba.sweep_id = ab.sweep_id and ba.epochs = ab.epochs and ba.weight_decay = ab.weight_decay and ba.seed = ab.seed
         and ba.dropout1 = ab.dropout2 and ba.dropout2 = ab.dropout1
       where ab.dropout1 < ab.dropout2 and (ab.diverged or ba.diverged)
       group by ab.sweep_id
    ),
    interaction_excluded as (
      select t.sweep_id, count(*) as excluded
        from trial_results t
        join grid g on g.sweep_id = t.sweep_id
        join trial_results b on b.sweep_id = t.sweep_id and b.epochs = t.epochs and b.seed = t.seed
         and (b.dropout1, b.dropout2, b.weight_decay) = (g.low1, g.low2, g.low_wd)
        join trial_results d on d.sweep_id = t.sweep_id and d.epochs = t.epochs and d.seed = t.seed
         and (d.dropout1, d.dropout2, d.weight_decay) = (t.dropout1, t.dropout2, g.low_wd)
        join trial_results w on w.sweep_id = t.sweep_id and w.epochs = t.epochs and w.seed = t.seed
         and (w.dropout1, w.dropout2, w.weight_decay) = (g.low1, g.low2, t.weight_decay)
       where t.weight_decay > g.low_wd and (t.dropout1, t.dropout2) <> (g.low1, g.low2)
         and (t.diverged or b.diverged or d.diverged or w.diverged)
       group by t.sweep_id
    ),
    comparisons as (
      select g.*, c.comparison, c.view_name,
             coalesce(n.rows, 0) as rows, coalesce(n.rows_with_pairs, 0) as rows_with_pairs, n.max_n,
             coalesce(case c.comparison when 'vs_control' then n.excluded
                                        when 'dropout_swap' then sx.excluded
                                        else ix.excluded end, 0) as excluded,
             coalesce(o.with_result, 0) as with_result, coalesce(o.diverged, 0) as diverged,
             coalesce(co.with_result, 0) as control_with_result, coalesce(co.diverged, 0) as control_diverged,
             'dropout1 = ' || g.low1 || ', dropout2 = ' || g.low2 || ', weight_decay = ' || g.low_wd as baseline_words,
             cardinality(array(select unnest(g.dropout1_values) intersect select unnest(g.dropout2_values))) as swappable_rates
        from grid g
        cross join (values ('vs_control'::text, 'effect_vs_control'::text), ('dropout_swap', 'effect_dropout_swap'),
                           ('interaction', 'effect_interaction')) as c(comparison, view_name)
        left join counted n on n.sweep_id = g.sweep_id and n.comparison = c.comparison
        left join outcome o on o.sweep_id = g.sweep_id
        left join control_outcome co on co.sweep_id = g.sweep_id
        left join swap_excluded sx on sx.sweep_id = g.sweep_id
        left join interaction_excluded ix on ix.sweep_id = g.sweep_id
    ),
    explained as (
      select c.*,
             case
               when rows_with_pairs > 0 then null
               when trials = 0 then 'the sweep has no trials'
               when comparison = 'vs_control' and configs < 2 then
                 'vs_control needs at least two configurations; this grid has one: ' || baseline_words
               when comparison = 'dropout_swap' and swappable_rates < 2 then
                 'dropout_swap needs both (a, b) and (b, a) in the dropout grid for two rates a ≠ b; this grid has dropout1 ∈ '
                 || ${list('dropout1_values')} || ', dropout2 ∈ ' || ${list('dropout2_values')}
               when comparison = 'interaction' and cardinality(weight_decay_values) < 2 then
                 'interaction needs at least two weight-decay values; this grid has weight_decay ∈ ' || ${list('weight_decay_values')}
               when comparison = 'interaction' and dropout_settings < 2 then
                 'interaction needs at least two dropout settings; this grid has only dropout1 = ' || low1 || ', dropout2 = ' || low2
               when with_result = 0 and diverged = 0 then 'no run has reached an epochs value of the grid yet'
               when with_result = 0 then 'every run that reached an epochs value of the grid diverged'
               when comparison = 'vs_control' and control_with_result = 0 and control_diverged = 0 then
                 'the control (' || baseline_words || ') has no result yet'
               when comparison = 'vs_control' and control_with_result = 0 then
                 'every run of the control (' || baseline_words || ') that reached an epochs value diverged'
               when comparison = 'vs_control' then
                 'no configuration has a result on a seed and epochs value where the control (' || baseline_words || ') has one'
               when comparison = 'dropout_swap' then
                 'no seed has results for both (a, b) and (b, a) at the same weight decay and epochs value'
               else
                 'no seed has results in all four cells (baseline, dropout alone, weight decay alone, both) at one epochs value; baseline: '
                 || baseline_words
             end as base_reason
        from comparisons c
    )
    select sweep_id, comparison, view_name,
           rows_with_pairs > 0 as available,
           rows::integer as rows, rows_with_pairs::integer as rows_with_pairs, max_n::integer as max_n,
           excluded::integer as n_excluded_diverged,
           case when base_reason is not null and excluded > 0 and with_result > 0
                then base_reason || ' (' || excluded || ' seed comparisons left out because a cell diverged)'
                else base_reason end as reason,
           case when max_n = 1 then 'every comparison rests on one seed: intervals and p-values are null' end as note
      from explained`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists comparison_availability`.execute(db);
}
