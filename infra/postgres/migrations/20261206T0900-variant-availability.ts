import { baseVariantCte } from './20261206T0900-variant-effects';

/*
 * comparison_availability of 20261206T0900-regularizer-variants. The comparisons within a
 * variant (vs_control, dropout_swap, interaction, test_time_dropout) get one row per sweep and
 * variant, with the reasons they had before, now about that variant's grid and runs; vs_variant,
 * which compares variants with each other, gets one row per sweep with a null variant. A sweep
 * without trials has one row per comparison, variant null. Earlier columns keep their positions;
 * `variant` comes last.
 *
 * Joins match sweep and variant as one clause, `array[a.sweep_id, a.variant] = array[b.sweep_id,
 * b.variant]`: the planner has no statistics for CTE columns and multiplies a default selectivity
 * per clause, so a separate variant clause made it expect single rows and choose nested loops
 * that took over a minute on a 270-run sweep; one clause keeps its estimates as they were.
 */

const list = (values: string): string => `'{' || array_to_string(${values}, ', ') || '}'`;

export const comparisonAvailabilityView = `
    create view comparison_availability as
    with grid as (
      select s.id as sweep_id, v.variant,
             count(t.seed) as trials,
             count(distinct (t.dropout1, t.dropout2, t.weight_decay)) filter (where t.seed is not null) as configs,
             count(distinct (t.dropout1, t.dropout2)) filter (where t.seed is not null) as dropout_settings,
             coalesce(array_agg(distinct t.dropout1 order by t.dropout1) filter (where t.seed is not null), '{}') as dropout1_values,
             coalesce(array_agg(distinct t.dropout2 order by t.dropout2) filter (where t.seed is not null), '{}') as dropout2_values,
             coalesce(array_agg(distinct t.weight_decay order by t.weight_decay) filter (where t.seed is not null), '{}') as weight_decay_values,
             min(t.dropout1) as low1, min(t.dropout2) as low2, min(t.weight_decay) as low_wd,
             max(r.eval_dropout_samples) as eval_dropout_samples
        from sweeps s
        left join sweep_trials t on t.sweep_id = s.id
        left join runs r on r.id = t.run_id
        cross join lateral (select regsweep_variant_label(t.regularizer, t.batch_norm, t.lr) as variant) as v
       group by s.id, v.variant
    ),
    outcome as (
      select sweep_id, variant,
             count(*) filter (where test_acc is not null) as with_result,
             count(*) filter (where diverged) as diverged,
             count(*) filter (where test_acc_mc_dropout is not null) as with_test_time_dropout,
             count(*) filter (where diverged and eval_dropout_samples > 0) as test_time_dropout_diverged
        from trial_results
       group by sweep_id, variant
    ),
    control_outcome as (
      select t.sweep_id, t.variant, count(*) filter (where t.test_acc is not null) as with_result, count(*) filter (where t.diverged) as diverged
        from trial_results t
        join grid g on array[g.sweep_id, g.variant] = array[t.sweep_id, t.variant]
       where (t.dropout1, t.dropout2, t.weight_decay) = (g.low1, g.low2, g.low_wd)
       group by t.sweep_id, t.variant
    ),
    counted as (
      -- Excluded seeds are counted once per comparison: both metrics of a seed leave together.
      select 'vs_control'::text as comparison, sweep_id, variant, count(*) as rows, count(*) filter (where n >= 1) as rows_with_pairs,
             max(n) as max_n, sum(n_excluded_diverged) filter (where metric = 'test_acc') as excluded
        from effect_vs_control group by sweep_id, variant
      union all
      select 'dropout_swap', sweep_id, variant, count(*), count(*) filter (where n >= 1), max(n),
             sum(n_excluded_diverged) filter (where metric = 'test_acc')
        from effect_dropout_swap group by sweep_id, variant
      union all
      select 'interaction', sweep_id, variant, count(*), count(*) filter (where n >= 1), max(n),
             sum(n_excluded_diverged) filter (where metric = 'test_acc')
        from effect_interaction group by sweep_id, variant
      union all
      select 'test_time_dropout', sweep_id, variant, count(*), count(*) filter (where n >= 1), max(n), sum(n_diverged)
        from test_time_dropout group by sweep_id, variant
    ),
    -- Swap-excluded and interaction-excluded seeds have no row of their own when no seed is
    -- complete, so they are counted here from the grid, as the views define them.
    swap_excluded as (
      select ab.sweep_id, ab.variant, count(*) as excluded
        from trial_results ab
        join trial_results ba
          on array[ba.sweep_id, ba.variant] = array[ab.sweep_id, ab.variant] and ba.epochs = ab.epochs and ba.weight_decay = ab.weight_decay
         and ba.seed = ab.seed and ba.dropout1 = ab.dropout2 and ba.dropout2 = ab.dropout1
       where ab.dropout1 < ab.dropout2 and (ab.diverged or ba.diverged)
       group by ab.sweep_id, ab.variant
    ),
    interaction_excluded as (
      select t.sweep_id, t.variant, count(*) as excluded
        from trial_results t
        join grid g on array[g.sweep_id, g.variant] = array[t.sweep_id, t.variant]
        join trial_results b on array[b.sweep_id, b.variant] = array[t.sweep_id, t.variant] and b.epochs = t.epochs and b.seed = t.seed
         and (b.dropout1, b.dropout2, b.weight_decay) = (g.low1, g.low2, g.low_wd)
        join trial_results d on array[d.sweep_id, d.variant] = array[t.sweep_id, t.variant] and d.epochs = t.epochs and d.seed = t.seed
         and (d.dropout1, d.dropout2, d.weight_decay) = (t.dropout1, t.dropout2, g.low_wd)
        join trial_results w on array[w.sweep_id, w.variant] = array[t.sweep_id, t.variant] and w.epochs = t.epochs and w.seed = t.seed
         and (w.dropout1, w.dropout2, w.weight_decay) = (g.low1, g.low2, t.weight_decay)
       where t.weight_decay > g.low_wd and (t.dropout1, t.dropout2) <> (g.low1, g.low2)
         and (t.diverged or b.diverged or d.diverged or w.diverged)
       group by t.sweep_id, t.variant
    ),
    comparisons as (
      select g.*, c.comparison, c.view_name,
             coalesce(n.rows, 0) as rows, coalesce(n.rows_with_pairs, 0) as rows_with_pairs, n.max_n,
             coalesce(case c.comparison when 'vs_control' then n.excluded
                                        when 'dropout_swap' then sx.excluded
                                        when 'interaction' then ix.excluded
                                        else n.excluded end, 0) as excluded,
             coalesce(o.with_result, 0) as with_result, coalesce(o.diverged, 0) as diverged,
             coalesce(o.with_test_time_dropout, 0) as with_test_time_dropout,
             coalesce(o.test_time_dropout_diverged, 0) as test_time_dropout_diverged,
             coalesce(co.with_result, 0) as control_with_result, coalesce(co.diverged, 0) as control_diverged,
             'dropout1 = ' || g.low1 || ', dropout2 = ' || g.low2 || ', weight_decay = ' || g.low_wd as baseline_words,
             cardinality(array(select unnest(g.dropout1_values) intersect select unnest(g.dropout2_values))) as swappable_rates
        from grid g
        cross join (values ('vs_control'::text, 'effect_vs_control'::text), ('dropout_swap', 'effect_dropout_swap'),
                           ('interaction', 'effect_interaction'), ('test_time_dropout', 'test_time_dropout')) as c(comparison, view_name)
        left join counted n on array[n.sweep_id, n.variant] = array[g.sweep_id, g.variant] and n.comparison = c.comparison
        left join outcome o on array[o.sweep_id, o.variant] = array[g.sweep_id, g.variant]
        left join control_outcome co on array[co.sweep_id, co.variant] = array[g.sweep_id, g.variant]
        left join swap_excluded sx on array[sx.sweep_id, sx.variant] = array[g.sweep_id, g.variant]
        left join interaction_excluded ix on array[ix.sweep_id, ix.variant] = array[g.sweep_id, g.variant]
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
               when comparison = 'test_time_dropout' and coalesce(eval_dropout_samples, 0) = 0 then
                 'test_time_dropout needs runs that evaluate with test-time dropout; every run of variant ' || variant
                 || ' has eval_dropout_samples = 0'
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
               when comparison = 'test_time_dropout' then
                 'no run of variant ' || variant || ' has recorded its test-time dropout accuracies at an epochs value of the grid yet'
               else
                 'no seed has results in all four cells (baseline, dropout alone, weight decay alone, both) at one epochs value; baseline: '
                 || baseline_words
             end as base_reason
        from comparisons c
    ),
    ${baseVariantCte},
    variant_grid as (
      select s.id as sweep_id, count(distinct v.variant) as variants, min(v.variant) as only_variant
        from sweeps s
        left join sweep_trials t on t.sweep_id = s.id
        cross join lateral (select regsweep_variant_label(t.regularizer, t.batch_norm, t.lr) as variant) as v
       group by s.id
    ),
    vs_variant as (
      select g.sweep_id, count(e.sweep_id) as rows, count(e.sweep_id) filter (where e.n >= 1) as rows_with_pairs, max(e.n) as max_n,
             coalesce(sum(e.n_excluded_diverged) filter (where e.metric = 'test_acc'), 0) as excluded,
             min(g.variants) as variants, min(g.only_variant) as only_variant, min(k.variant) as base_variant
        from variant_grid g
        left join base k on k.sweep_id = g.sweep_id
        left join effect_vs_variant e on e.sweep_id = g.sweep_id
       group by g.sweep_id
    ),
    vs_variant_outcome as (
      select v.sweep_id,
             coalesce(sum(o.with_result), 0) as with_result, coalesce(sum(o.diverged), 0) as diverged,
             coalesce(sum(o.with_result) filter (where o.variant = v.base_variant), 0) as base_with_result,
             coalesce(sum(o.diverged) filter (where o.variant = v.base_variant), 0) as base_diverged
        from vs_variant v
        left join outcome o on o.sweep_id = v.sweep_id
       group by v.sweep_id
    ),
    vs_variant_explained as (
      select v.*, o.with_result,
             case
               when v.rows_with_pairs > 0 then null
               when v.variants = 0 then 'the sweep has no trials'
               when v.variants = 1 then 'the grid has one variant (' || v.only_variant || '): vs_variant needs at least two'
               when o.with_result = 0 and o.diverged = 0 then 'no run has reached an epochs value of the grid yet'
               when o.with_result = 0 then 'every run that reached an epochs value of the grid diverged'
               when o.base_with_result = 0 and o.base_diverged = 0 then 'the base variant (' || v.base_variant || ') has no result yet'
               when o.base_with_result = 0 then 'every run of the base variant (' || v.base_variant || ') that reached an epochs value diverged'
               else 'no other variant has a result on a seed, grid point and epochs value where the base variant ('
                    || v.base_variant || ') has one'
             end as base_reason
        from vs_variant v
        join vs_variant_outcome o on o.sweep_id = v.sweep_id
    ),
    every_row as (
      select sweep_id, comparison, view_name, rows, rows_with_pairs, max_n, excluded, with_result, base_reason, variant
        from explained
      union all
      select sweep_id, 'vs_variant', 'effect_vs_variant', rows, rows_with_pairs, max_n, excluded, with_result, base_reason, null
        from vs_variant_explained
    )
    select sweep_id, comparison, view_name,
           rows_with_pairs > 0 as available,
           rows::integer as rows, rows_with_pairs::integer as rows_with_pairs, max_n::integer as max_n,
           excluded::integer as n_excluded_diverged,
           case when base_reason is not null and excluded > 0 and with_result > 0
                then base_reason || ' (' || excluded || ' seed comparisons left out because a cell diverged)'
                else base_reason end as reason,
           case when max_n = 1 then 'every comparison rests on one seed: intervals and p-values are null' end as note,
           variant
      from every_row`;
