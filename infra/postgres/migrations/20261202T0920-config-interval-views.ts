import { sql, type Kysely } from 'kysely';

/*
 * What a table or heat map of configurations should show, so that every presentation (CLI,
 * report, dashboards) shows the same thing:
 *
 * config_interval: config_summary in long form (one row per configuration, epochs value and
 * metric) with the 95% t-interval clipped to the metric's range (ci_clipped says when) and
 * interval_informative false below 3 seeds, where a t-interval rests on one or two degrees of
 * freedom and on normality that nothing can check.
 *
 * config_vs_best: per sweep, epochs value and metric, each configuration against the best one
 * (highest mean test accuracy; smallest mean gap), paired by seed: the same t-test, sign-flip
 * fallback and Holm adjustment as effect_vs_control, over the family of comparisons with the
 * best at that epochs value. vs_best is 'best', 'within seed noise of the best' (Holm p ≥ 0.05),
 * 'beyond seed noise' (Holm p < 0.05) or 'too few seeds' (fewer than 3 pairs). Picking the best
 * by its mean favours it, which makes "beyond seed noise" slightly too easy, never too hard.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view config_interval as
    with long as (
      select s.sweep_id, s.dropout1, s.dropout2, s.weight_decay, s.epochs, s.trials, s.n, v.metric, v.mean, v.sd, v.ci_low, v.ci_high
        from config_summary s
        cross join lateral (values
          ('test_acc'::text, s.test_acc_mean, s.test_acc_sd, s.test_acc_ci_low, s.test_acc_ci_high),
          ('train_acc_eval'::text, s.train_acc_eval_mean, s.train_acc_eval_sd, s.train_acc_eval_ci_low, s.train_acc_eval_ci_high),
          ('gap'::text, s.gap_mean, s.gap_sd, s.gap_ci_low, s.gap_ci_high)) as v(metric, mean, sd, ci_low, ci_high)
    )
    select l.sweep_id, l.dropout1, l.dropout2, l.weight_decay, l.epochs, l.metric, l.trials, l.n,
           l.mean, l.sd,
           -- greatest() and least() skip nulls: without an interval they would return the range.
           case when l.ci_low is not null then greatest(r.low, l.ci_low) end as ci_low,
           case when l.ci_high is not null then least(r.high, l.ci_high) end as ci_high,
           coalesce(l.ci_low < r.low or l.ci_high > r.high, false) as ci_clipped,
           l.n >= 3 as interval_informative
      from long l
      cross join lateral regsweep_metric_range(l.metric) as r`.execute(db);

  await sql`
    create view config_vs_best as
    with summary as (
      select * from config_interval where metric in ('test_acc', 'gap') and mean is not null
    ),
    best as (
      select distinct on (sweep_id, metric, epochs) sweep_id, metric, epochs, dropout1, dropout2, weight_decay
        from summary
       order by sweep_id, metric, epochs,
                case when metric = 'gap' then mean else -mean end, dropout1, dropout2, weight_decay
    ),
    cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from sweep_trials t
        join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs
        cross join lateral (values ('test_acc'::text, m.test_acc), ('gap'::text, m.gap)) as v(metric, value)
       where v.value is not null
    ),
    paired as (
      select x.sweep_id, x.metric, x.epochs, x.dropout1, x.dropout2, x.weight_decay, x.seed, x.value - c.value as diff
        from cell x
        join best b on b.sweep_id = x.sweep_id and b.metric = x.metric and b.epochs = x.epochs
        join cell c
          on c.sweep_id = x.sweep_id and c.metric = x.metric and c.epochs = x.epochs and c.seed = x.seed
         and c.dropout1 = b.dropout1 and c.dropout2 = b.dropout2 and c.weight_decay = b.weight_decay
    ),
    tested as (
      select s.sweep_id, s.metric, s.epochs, s.dropout1, s.dropout2, s.weight_decay,
             count(p.diff) as vs_best_n,
             avg(p.diff) as vs_best_diff,
             -- Equal differences (within 1e-12, last-bit noise) leave t undefined, as in effect_vs_control.
             case when max(p.diff) - min(p.diff) > 1e-12 then stddev_samp(p.diff) end as diff_sd,
             regsweep_sign_flip_p(array_agg(p.diff order by p.seed) filter (where p.diff is not null)) as sign_flip_p
        from summary s
        left join paired p
          on p.sweep_id = s.sweep_id and p.metric = s.metric and p.epochs = s.epochs
         and p.dropout1 = s.dropout1 and p.dropout2 = s.dropout2 and p.weight_decay = s.weight_decay
       group by s.sweep_id, s.metric, s.epochs, s.dropout1, s.dropout2, s.weight_decay
    ),
    ranked as (
      select tested.*, (b.dropout1, b.dropout2, b.weight_decay) = (tested.dropout1, tested.dropout2, tested.weight_decay) as is_best,
             -- The best against itself is no comparison: it stays out of the family.
             case when (b.dropout1, b.dropout2, b.weight_decay) <> (tested.dropout1, tested.dropout2, tested.weight_decay) then
               coalesce(regsweep_t_pvalue(regsweep_t_stat(vs_best_diff, diff_sd, vs_best_n), (vs_best_n - 1)::integer), sign_flip_p)
             end as vs_best_p,
             b.dropout1 as best_dropout1, b.dropout2 as best_dropout2, b.weight_decay as best_weight_decay
        from tested
        join best b on b.sweep_id = tested.sweep_id and b.metric = tested.metric and b.epochs = tested.epochs
    ),
    holm as (
      select ranked.*,
             row_number() over w as holm_rank,
             count(vs_best_p) over (partition by sweep_id, metric, epochs) as holm_m
        from ranked
      window w as (partition by sweep_id, metric, epochs order by vs_best_p nulls last)
    ),
    adjusted as (
      select holm.*,
             case when vs_best_p is not null then
               least(1, max(vs_best_p * (holm_m - holm_rank + 1)) over (
                 partition by sweep_id, metric, epochs order by holm_rank rows between unbounded preceding and current row))
             end as vs_best_p_holm
        from holm
    )
    select i.sweep_id, i.dropout1, i.dropout2, i.weight_decay, i.epochs, i.metric, i.n, i.mean,
           i.ci_low, i.ci_high, i.ci_clipped, i.interval_informative,
           a.best_dropout1, a.best_dropout2, a.best_weight_decay, a.is_best,
           a.vs_best_n::integer as vs_best_n, a.vs_best_diff, a.vs_best_p, a.vs_best_p_holm,
           case when a.is_best then 'best'
                when a.vs_best_n < 3 then 'too few seeds'
                when a.vs_best_p_holm < 0.05 then 'beyond seed noise'
                else 'within seed noise of the best' end as vs_best
      from adjusted a
      join config_interval i
        on i.sweep_id = a.sweep_id and i.metric = a.metric and i.epochs = a.epochs
       and i.dropout1 = a.dropout1 and i.dropout2 = a.dropout2 and i.weight_decay = a.weight_decay`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists config_vs_best`.execute(db);
  await sql`drop view if exists config_interval`.execute(db);
}
