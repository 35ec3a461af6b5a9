/*
 * The views 20261206T0900-regularizer-variants replaces, exactly as the schema had them before it
 * (copied from 20261202T1000-divergence and 20261204T0900-test-set-size, whose up() also alters
 * tables and so cannot be called again), for that migration's down(). Each entry is the view's
 * `create` statement followed by its column comments, in an order that satisfies dependencies.
 */
export const previousViewStatements: ReadonlyArray<{ view: string; statements: readonly string[] }> = [
  {
    view: 'trial_results',
    statements: [
      `    create or replace view trial_results as
    select t.sweep_id, t.trial_key, t.run_id,
           t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed,
           r.lr, r.batch_size, r.hidden, r.train_subset, r.status as run_status,
           m.train_loss, m.train_acc, m.train_acc_eval, m.test_loss, m.test_acc, m.gap,
           m.act_var1, m.act_var2, m.weight_norm1, m.weight_norm2, m.weight_norm3,
           m.seconds, m.eval_seconds, m.samples_per_sec, m.backend, m.worker,
           r.diverged_at_epoch,
           coalesce(r.diverged_at_epoch <= t.epochs, false) as diverged
      from sweep_trials t
      join runs r on r.id = t.run_id
      left join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs`,
    ],
  },
  {
    view: 'config_summary',
    statements: [
      `    create view config_summary as
    with per_config as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs,
             count(*) as trials,
             count(t.test_acc) as n,
             count(*) filter (where t.diverged) as n_diverged,
             avg(t.test_acc) as test_acc_mean,
             stddev_samp(t.test_acc) as test_acc_sd,
             avg(t.train_acc_eval) as train_acc_eval_mean,
             stddev_samp(t.train_acc_eval) as train_acc_eval_sd,
             avg(t.gap) as gap_mean,
             stddev_samp(t.gap) as gap_sd
        from trial_results t
       group by t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs
    )
    select sweep_id, dropout1, dropout2, weight_decay, epochs,
           trials::integer as trials, n::integer as n, n_diverged::integer as n_diverged,
           test_acc_mean, test_acc_sd,
           test_acc_mean - regsweep_ci_half_width(test_acc_sd, n) as test_acc_ci_low,
           test_acc_mean + regsweep_ci_half_width(test_acc_sd, n) as test_acc_ci_high,
           train_acc_eval_mean, train_acc_eval_sd,
           train_acc_eval_mean - regsweep_ci_half_width(train_acc_eval_sd, n) as train_acc_eval_ci_low,
           train_acc_eval_mean + regsweep_ci_half_width(train_acc_eval_sd, n) as train_acc_eval_ci_high,
           gap_mean, gap_sd,
           gap_mean - regsweep_ci_half_width(gap_sd, n) as gap_ci_low,
           gap_mean + regsweep_ci_half_width(gap_sd, n) as gap_ci_high
      from per_config`,
      `comment on column config_summary.n is 'seeds whose run reached this epochs value without diverging; every mean, sd and interval is over these'`,
      `comment on column config_summary.n_diverged is 'seeds whose run diverged at or before this epochs value; left out of every mean, sd and interval'`,
    ],
  },
  {
    view: 'config_interval',
    statements: [
      `    create view config_interval as
    with long as (
      select s.sweep_id, s.dropout1, s.dropout2, s.weight_decay, s.epochs, s.trials, s.n, s.n_diverged, v.metric, v.mean, v.sd, v.ci_low, v.ci_high
        from config_summary s
        cross join lateral (values
          ('test_acc'::text, s.test_acc_mean, s.test_acc_sd, s.test_acc_ci_low, s.test_acc_ci_high),
          ('train_acc_eval'::text, s.train_acc_eval_mean, s.train_acc_eval_sd, s.train_acc_eval_ci_low, s.train_acc_eval_ci_high),
          ('gap'::text, s.gap_mean, s.gap_sd, s.gap_ci_low, s.gap_ci_high)) as v(metric, mean, sd, ci_low, ci_high)
    )
    select l.sweep_id, l.dropout1, l.dropout2, l.weight_decay, l.epochs, l.metric, l.trials, l.n, l.n_diverged,
           l.mean, l.sd,
           -- greatest() and least() skip nulls: without an interval they would return the range.
           case when l.ci_low is not null then greatest(r.low, l.ci_low) end as ci_low,
           case when l.ci_high is not null then least(r.high, l.ci_high) end as ci_high,
           coalesce(l.ci_low < r.low or l.ci_high > r.high, false) as ci_clipped,
           l.n >= 3 as interval_informative
      from long l
      cross join lateral regsweep_metric_range(l.metric) as r`,
      `comment on column config_interval.n_diverged is 'seeds that diverged by this epochs value; mean, sd and interval are over the n that did not'`,
    ],
  },
  {
    view: 'config_vs_best',
    statements: [
      `    create view config_vs_best as
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
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
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
    select i.sweep_id, i.dropout1, i.dropout2, i.weight_decay, i.epochs, i.metric, i.n, i.n_diverged, i.mean,
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
       and i.dropout1 = a.dropout1 and i.dropout2 = a.dropout2 and i.weight_decay = a.weight_decay`,
    ],
  },
  {
    view: 'effect_vs_control',
    statements: [
      `    create view effect_vs_control as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, t.diverged,
             case when not t.diverged then v.value end as value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null or t.diverged
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
             x.value as config_value, c.value as control_value, x.value - c.value as diff,
             x.diverged or c.diverged as either_diverged
        from cell x
        join control k on k.sweep_id = x.sweep_id
        join cell c
          on c.sweep_id = x.sweep_id and c.metric = x.metric and c.epochs = x.epochs and c.seed = x.seed
         and c.dropout1 = k.dropout1 and c.dropout2 = k.dropout2 and c.weight_decay = k.weight_decay
    ),
    tested as (
      select g.sweep_id, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay,
             count(p.diff) as n,
             -- A seed where either side diverged has no difference: it leaves the pair set and is counted here.
             count(*) filter (where p.either_diverged) as n_excluded_diverged,
             avg(p.config_value) filter (where p.diff is not null) as config_mean,
             avg(p.control_value) filter (where p.diff is not null) as control_mean,
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
           r.n::integer as n, r.n_excluded_diverged::integer as n_excluded_diverged,
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
      join control k on k.sweep_id = r.sweep_id`,
      `comment on column effect_vs_control.n_excluded_diverged is 'seeds where the configuration or the control diverged: left out of the pairs'`,
    ],
  },
  {
    view: 'divergence_rate',
    statements: [
      `    create view divergence_rate as
    with counted as (
      select sweep_id, dropout1, dropout2, weight_decay, epochs,
             count(*) as trials,
             count(*) filter (where diverged or test_acc is not null) as finished,
             count(*) filter (where diverged) as n_diverged
        from trial_results
       group by sweep_id, dropout1, dropout2, weight_decay, epochs
    )
    select c.sweep_id, c.dropout1, c.dropout2, c.weight_decay, c.epochs,
           c.trials::integer as trials, c.finished::integer as finished, c.n_diverged::integer as n_diverged,
           c.n_diverged::float8 / nullif(c.finished, 0) as rate,
           ci.low as rate_ci_low, ci.high as rate_ci_high
      from counted c
      left join lateral regsweep_clopper_pearson(c.n_diverged::integer, c.finished::integer) as ci on true`,
    ],
  },
  {
    view: 'epoch_test_accuracy',
    statements: [
      `    create view epoch_test_accuracy as
    select sr.sweep_id, r.id as run_id, m.epoch,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           m.diverged, m.test_acc, m.test_count,
           regsweep_binomial_se(m.test_acc, m.test_count) as test_accuracy_se
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      join epoch_metrics m on m.run_id = r.id`,
    ],
  },
  {
    view: 'run_progress',
    statements: [
      `    create or replace view run_progress as
    select sr.sweep_id, sr.ordinal, r.id as run_id,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           r.status, r.epochs_done, r.max_epochs,
           r.epochs_done::float8 / nullif(r.max_epochs, 0) as fraction_done,
           r.attempts, r.worker, r.backend, r.error,
           r.started_at, r.finished_at,
           e.last_recorded_at, e.mean_epoch_seconds, e.last_samples_per_sec,
           case when r.status in ('pending', 'running')
                then greatest(r.max_epochs - r.epochs_done, 0) * e.mean_epoch_seconds end as eta_seconds,
           r.diverged_at_epoch,
           e.last_test_acc,
           regsweep_binomial_se(e.last_test_acc, e.last_test_count) as test_accuracy_se
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      left join lateral (
        select max(m.recorded_at) as last_recorded_at,
               avg(m.seconds + m.eval_seconds) as mean_epoch_seconds,
               (array_agg(m.samples_per_sec order by m.epoch desc))[1] as last_samples_per_sec,
               -- The latest epoch with a result: a diverged run's last row has none.
               (array_agg(m.test_acc order by m.epoch desc) filter (where m.test_acc is not null))[1] as last_test_acc,
               (array_agg(m.test_count order by m.epoch desc) filter (where m.test_acc is not null))[1] as last_test_count
          from epoch_metrics m
         where m.run_id = r.id
      ) e on true`,
    ],
  },
];
