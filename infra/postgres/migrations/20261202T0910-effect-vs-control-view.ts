import { sql, type Kysely } from 'kysely';

/*
 * Does this configuration beat no regularization? Every configuration (dropout1, dropout2,
 * weight_decay) of a sweep against one control at the same epochs value and seed:
 * diff = value(config) − value(control), over the seeds where both have a value (a seed
 * missing or null on either side leaves the pair out, so n counts complete pairs).
 *
 * The control is no regularization (dropout1 = dropout2 = weight_decay = 0) when the grid has
 * it; otherwise the lowest value of each axis, and control_kind says which. Every other
 * configuration gets a row per metric and epochs value, n = 0 included, so a grid never
 * silently yields nothing.
 *
 * p-values: the paired t-test (diff_p) where it is defined (n ≥ 2 and the differences not all
 * equal), else the exact sign-flip test (diff_p_sign_flip, n ≤ 12); p_test names the one used
 * in p_used and the Holm adjustments. p_holm adjusts over the whole (sweep, metric) family,
 * every configuration and epochs value (a reader scans them together; Holm holds under any
 * dependence between epochs of one run); p_holm_epochs over the narrower (sweep, metric,
 * epochs) family. holm_m and holm_m_epochs are the family sizes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view effect_vs_control as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from sweep_trials t
        join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs
        cross join lateral (values ('test_acc'::text, m.test_acc), ('gap'::text, m.gap)) as v(metric, value)
       where v.value is not null
    ),
    control as (
      select sweep_id, min(dropout1) as dropout1, min(dropout2) as dropout2, min(weight_decay) as weight_decay
        from sweep_trials
       group by sweep_id
    ),
    config as (
      select distinct t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, mm.metric
        from sweep_trials t
        cross join (values ('test_acc'::text), ('gap'::text)) as mm(metric)
        join control k on k.sweep_id = t.sweep_id
       where (t.dropout1, t.dropout2, t.weight_decay) <> (k.dropout1, k.dropout2, k.weight_decay)
    ),
    paired as (
      select x.sweep_id, x.metric, x.epochs, x.dropout1, x.dropout2, x.weight_decay, x.seed,
             x.value as config_value, c.value as control_value, x.value - c.value as diff
        from cell x
        join control k on k.sweep_id = x.sweep_id
        join cell c
          on c.sweep_id = x.sweep_id and c.metric = x.metric and c.epochs = x.epochs and c.seed = x.seed
         and c.dropout1 = k.dropout1 and c.dropout2 = k.dropout2 and c.weight_decay = k.weight_decay
    ),
    tested as (
      select g.sweep_id, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay,
             count(p.diff) as n,
             avg(p.config_value) as config_mean,
             avg(p.control_value) as control_mean,
             avg(p.diff) as diff_mean,
             -- Accuracies are counts over a fixed test set, so seeds often differ by exactly the
             -- same amount; the subtraction leaves last-bit noise (~1e-16) that would give a tiny
             -- sd and an absurd t. Differences within 1e-12 of each other count as equal.
             case when count(p.diff) >= 2 then
               case when max(p.diff) - min(p.diff) <= 1e-12 then 0 else stddev_samp(p.diff) end
             end as diff_sd,
             regsweep_sign_flip_p(array_agg(p.diff order by p.seed) filter (where p.diff is not null)) as diff_p_sign_flip
        from config g
        left join paired p
          on p.sweep_id = g.sweep_id and p.metric = g.metric and p.epochs = g.epochs
         and p.dropout1 = g.dropout1 and p.dropout2 = g.dropout2 and p.weight_decay = g.weight_decay
       group by g.sweep_id, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay
    ),
    with_t as (
      -- With equal differences (sd = 0) the t-test and its interval are undefined, not zero-width.
      select tested.*,
             regsweep_ci_half_width(nullif(diff_sd, 0), n) as half_width,
             regsweep_t_stat(diff_mean, diff_sd, n) as diff_t
        from tested
    ),
    with_p as (
      select with_t.*,
             regsweep_t_pvalue(diff_t, (n - 1)::integer) as diff_p,
             coalesce(regsweep_t_pvalue(diff_t, (n - 1)::integer), diff_p_sign_flip) as p_used,
             -- A difference of two values in [low, high] lies in [low − high, high − low].
             (regsweep_metric_range(metric)).high - (regsweep_metric_range(metric)).low as diff_bound
        from with_t
    ),
    ranked as (
      select with_p.*,
             row_number() over (partition by sweep_id, metric order by p_used nulls last) as holm_rank,
             count(p_used) over (partition by sweep_id, metric) as holm_m,
             row_number() over (partition by sweep_id, metric, epochs order by p_used nulls last) as holm_rank_epochs,
             count(p_used) over (partition by sweep_id, metric, epochs) as holm_m_epochs
        from with_p
    )
    select r.sweep_id, r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay,
           k.dropout1 as control_dropout1, k.dropout2 as control_dropout2, k.weight_decay as control_weight_decay,
           case when k.dropout1 = 0 and k.dropout2 = 0 and k.weight_decay = 0 then 'no regularization'
                else 'lowest value of each axis' end as control_kind,
           r.n::integer as n,
           case when r.n >= 2 then (r.n - 1)::integer end as df,
           r.config_mean, r.control_mean, r.diff_mean, r.diff_sd,
           -- greatest() and least() skip nulls: without an interval they would return the bound.
           case when r.half_width is not null then greatest(-r.diff_bound, r.diff_mean - r.half_width) end as diff_ci_low,
           case when r.half_width is not null then least(r.diff_bound, r.diff_mean + r.half_width) end as diff_ci_high,
           coalesce(r.diff_mean - r.half_width < -r.diff_bound or r.diff_mean + r.half_width > r.diff_bound, false) as diff_ci_clipped,
           r.diff_t, r.diff_p, r.diff_p_sign_flip,
           case when r.diff_p is not null then 't' when r.diff_p_sign_flip is not null then 'sign-flip' end as p_test,
           r.p_used,
           case when r.p_used is not null then
             least(1, max(r.p_used * (r.holm_m - r.holm_rank + 1)) over (
               partition by r.sweep_id, r.metric order by r.holm_rank rows between unbounded preceding and current row))
           end as p_holm,
           r.holm_m::integer as holm_m,
           case when r.p_used is not null then
             least(1, max(r.p_used * (r.holm_m_epochs - r.holm_rank_epochs + 1)) over (
               partition by r.sweep_id, r.metric, r.epochs order by r.holm_rank_epochs rows between unbounded preceding and current row))
           end as p_holm_epochs,
           r.holm_m_epochs::integer as holm_m_epochs
      from ranked r
      join control k on k.sweep_id = r.sweep_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists effect_vs_control`.execute(db);
}
