import { sql, type Kysely } from 'kysely';
// Only for down(): the views as they were before this migration.
import * as trialResultsView from './20261129T1000-trial-results-view';
import * as configSummaryView from './20261130T0910-config-summary-view';
import * as effectDropoutSwapView from './20261130T0920-effect-dropout-swap-view';
import * as effectInteractionView from './20261130T0930-effect-interaction-view';
import * as runProgressView from './20261130T0950-run-progress-view';
import * as effectVsControlView from './20261202T0910-effect-vs-control-view';
import * as configIntervalViews from './20261202T0920-config-interval-views';

/*
 * Divergence is an outcome. A run whose training loss or weights became NaN or ±Infinity stops
 * there and ends with status 'diverged' and diverged_at_epoch, the epoch in which it happened.
 * That epoch's epoch_metrics row stores nulls and diverged = true; no later epoch is stored.
 * Metric columns can never hold NaN or ±Infinity (in Postgres 'NaN' = 'NaN' is true, so
 * `not in ('NaN', 'Infinity', '-Infinity')` rejects all three).
 *
 * A trial (a run read at one epochs value) is diverged when its run diverged at or before that
 * epochs value: a run diverging at epoch 11 still gives valid results at epochs 5 and 10, since a
 * run's first epochs do not depend on how many follow. trial_results gains diverged_at_epoch and
 * diverged.
 *
 * Summary views count diverged trials per configuration in n_diverged, next to n, and compute
 * every mean, sd and interval over the n trials that did not diverge: a diverged run has no
 * accuracy to average (its 0.1 of a dead network, or NaN, would poison the mean). Effect views
 * pair seeds; a seed where either side diverged leaves the pair set and is counted in
 * n_excluded_diverged. divergence_rate reports the share of diverged trials per configuration
 * with its exact (Clopper–Pearson) 95% interval.
 *
 * Databases that already hold non-finite metrics (recorded before this migration) are repaired
 * first: each such run is marked diverged at its first non-finite epoch, that epoch's row is
 * nulled and flagged, later epochs and the checkpoint are deleted.
 */

const metricColumns = ['train_loss', 'train_acc', 'train_acc_eval', 'test_loss', 'test_acc', 'gap', 'act_var1', 'act_var2', 'weight_norm1', 'weight_norm2', 'weight_norm3', 'seconds', 'eval_seconds', 'samples_per_sec'];
const list = (prefix = ''): string => metricColumns.map((c) => prefix + c).join(', ');
const nonFinite = metricColumns.map((c) => `${c} in ('NaN', 'Infinity', '-Infinity')`).join(' or ');

export async function up(db: Kysely<any>): Promise<void> {
  for (const view of ['config_vs_best', 'config_interval', 'config_summary', 'effect_vs_control', 'effect_dropout_swap', 'effect_interaction']) {
    await sql`drop view ${sql.ref(view)}`.execute(db);
  }

  await sql`alter table runs drop constraint runs_status_valid`.execute(db);
  await sql`alter table runs add column diverged_at_epoch integer`.execute(db);
  await sql`alter table epoch_metrics add column diverged boolean not null default false`.execute(db);
  for (const column of metricColumns) {
    await sql`alter table epoch_metrics alter column ${sql.ref(column)} drop not null`.execute(db);
  }

  await sql.raw(`
    with first_bad as (
      select run_id, min(epoch) as epoch from epoch_metrics where ${nonFinite} group by run_id
    ),
    marked as (
      update runs r set status = 'diverged', diverged_at_epoch = f.epoch, epochs_done = f.epoch - 1
        from first_bad f where r.id = f.run_id
      returning r.id, f.epoch
    ),
    dropped as (
      delete from epoch_metrics m using marked k where m.run_id = k.id and m.epoch > k.epoch
    ),
    no_checkpoint as (
      delete from checkpoints c using marked k where c.run_id = k.id
    )
    update epoch_metrics m set diverged = true, ${metricColumns.map((c) => `${c} = null`).join(', ')}
      from marked k where m.run_id = k.id and m.epoch = k.epoch`).execute(db);

  await sql`
    alter table runs
      add constraint runs_status_valid check (status in ('pending', 'running', 'completed', 'failed', 'cancelled', 'diverged')),
      add constraint runs_diverged_epoch check ((status = 'diverged') = (diverged_at_epoch is not null) and diverged_at_epoch >= 1)`.execute(db);
  await sql.raw(`
    alter table epoch_metrics
      add constraint epoch_metrics_finite check (not (${nonFinite})),
      add constraint epoch_metrics_diverged_nulls check (
        case when diverged then num_nonnulls(${list()}) = 0 else num_nulls(${list()}) = 0 end)`).execute(db);

  // Appends diverged_at_epoch and diverged; the metric columns are null for a diverged trial.
  await sql`
    create or replace view trial_results as
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
      left join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs`.execute(db);

  // Appends diverged_at_epoch, so progress tables can say where a diverged run stopped.
  await sql`
    create or replace view run_progress as
    select sr.sweep_id, sr.ordinal, r.id as run_id,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           r.status, r.epochs_done, r.max_epochs,
           r.epochs_done::float8 / nullif(r.max_epochs, 0) as fraction_done,
           r.attempts, r.worker, r.backend, r.error,
           r.started_at, r.finished_at,
           e.last_recorded_at, e.mean_epoch_seconds, e.last_samples_per_sec,
           case when r.status in ('pending', 'running')
                then greatest(r.max_epochs - r.epochs_done, 0) * e.mean_epoch_seconds end as eta_seconds,
           r.diverged_at_epoch
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      left join lateral (
        select max(m.recorded_at) as last_recorded_at,
               avg(m.seconds + m.eval_seconds) as mean_epoch_seconds,
               (array_agg(m.samples_per_sec order by m.epoch desc))[1] as last_samples_per_sec
          from epoch_metrics m
         where m.run_id = r.id
      ) e on true`.execute(db);

  await sql`
    create view config_summary as
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
      from per_config`.execute(db);
  await sql`comment on column config_summary.n is 'seeds whose run reached this epochs value without diverging; every mean, sd and interval is over these'`.execute(db);
  await sql`comment on column config_summary.n_diverged is 'seeds whose run diverged at or before this epochs value; left out of every mean, sd and interval'`.execute(db);

  await sql`
    create view config_interval as
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
      cross join lateral regsweep_metric_range(l.metric) as r`.execute(db);
  await sql`comment on column config_interval.n_diverged is 'seeds that diverged by this epochs value; mean, sd and interval are over the n that did not'`.execute(db);

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
       and i.dropout1 = a.dropout1 and i.dropout2 = a.dropout2 and i.weight_decay = a.weight_decay`.execute(db);

  await sql`
    create view effect_vs_control as
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
      join control k on k.sweep_id = r.sweep_id`.execute(db);
  await sql`comment on column effect_vs_control.n_excluded_diverged is 'seeds where the configuration or the control diverged: left out of the pairs'`.execute(db);

  await sql`
    create view effect_dropout_swap as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    flag as (
      select sweep_id, dropout1, dropout2, weight_decay, epochs, seed, diverged from trial_results
    ),
    paired as (
      select ab.sweep_id, ab.metric, ab.epochs, ab.weight_decay,
             ab.dropout1 as dropout_a, ab.dropout2 as dropout_b,
             ab.value as value_ab, ba.value as value_ba, ab.value - ba.value as diff
        from cell ab
        join cell ba
          on ba.sweep_id = ab.sweep_id and ba.metric = ab.metric and ba.epochs = ab.epochs
         and ba.weight_decay = ab.weight_decay and ba.seed = ab.seed
         and ba.dropout1 = ab.dropout2 and ba.dropout2 = ab.dropout1
       where ab.dropout1 < ab.dropout2
    ),
    excluded as (
      -- Seeds where both settings were trained to this epochs value but either diverged: left out of the pairs, counted.
      select ab.sweep_id, ab.epochs, ab.weight_decay, ab.dropout1 as dropout_a, ab.dropout2 as dropout_b, count(*) as n_excluded_diverged
        from flag ab
        join flag ba
          on ba.sweep_id = ab.sweep_id and ba.epochs = ab.epochs and ba.weight_decay = ab.weight_decay and ba.seed = ab.seed
         and ba.dropout1 = ab.dropout2 and ba.dropout2 = ab.dropout1
       where ab.dropout1 < ab.dropout2 and (ab.diverged or ba.diverged)
       group by ab.sweep_id, ab.epochs, ab.weight_decay, ab.dropout1, ab.dropout2
    ),
    tested as (
      select sweep_id, metric, epochs, weight_decay, dropout_a, dropout_b,
             count(*) as n,
             avg(value_ab) as mean_ab,
             avg(value_ba) as mean_ba,
             avg(diff) as diff_mean,
             stddev_samp(diff) as diff_sd,
             regsweep_ci_half_width(stddev_samp(diff), count(*)) as half_width,
             regsweep_t_stat(avg(diff), stddev_samp(diff), count(*)) as diff_t
        from paired
       group by sweep_id, metric, epochs, weight_decay, dropout_a, dropout_b
    ),
    with_p as (
      select tested.*, regsweep_t_pvalue(diff_t, (n - 1)::integer) as diff_p
        from tested
    ),
    ranked as (
      select with_p.*,
             row_number() over (partition by sweep_id, metric, epochs order by diff_p nulls last) as holm_rank,
             count(diff_p) over (partition by sweep_id, metric, epochs) as holm_m
        from with_p
    )
    select sweep_id, r.metric, epochs, weight_decay, dropout_a, dropout_b, r.n::integer as n,
           coalesce(x.n_excluded_diverged, 0)::integer as n_excluded_diverged,
           mean_ab, mean_ba, diff_mean, diff_sd,
           diff_mean - half_width as diff_ci_low,
           diff_mean + half_width as diff_ci_high,
           diff_t, diff_p,
           case when diff_p is not null then
             least(1, max(diff_p * (holm_m - holm_rank + 1)) over (
               partition by sweep_id, metric, epochs order by holm_rank rows between unbounded preceding and current row))
           end as diff_p_holm
      from ranked r
      left join excluded x using (sweep_id, epochs, weight_decay, dropout_a, dropout_b)`.execute(db);
  await sql`
    create view effect_interaction as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    flag as (
      select sweep_id, dropout1, dropout2, weight_decay, epochs, seed, diverged from trial_results
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
    excluded as (
      -- Seeds whose four cells were all trained to this epochs value but where any diverged:
      -- left out (every effect of a row rests on the same complete seeds), counted.
      select together.sweep_id, together.epochs, together.dropout1, together.dropout2, together.weight_decay, count(*) as n_excluded_diverged
        from flag together
        join flag b on b.sweep_id = together.sweep_id and b.epochs = together.epochs and b.seed = together.seed
         and b.dropout1 = 0 and b.dropout2 = 0 and b.weight_decay = 0
        join flag d on d.sweep_id = together.sweep_id and d.epochs = together.epochs and d.seed = together.seed
         and d.dropout1 = together.dropout1 and d.dropout2 = together.dropout2 and d.weight_decay = 0
        join flag w on w.sweep_id = together.sweep_id and w.epochs = together.epochs and w.seed = together.seed
         and w.dropout1 = 0 and w.dropout2 = 0 and w.weight_decay = together.weight_decay
       where together.weight_decay > 0 and (together.dropout1 <> 0 or together.dropout2 <> 0)
         and (together.diverged or b.diverged or d.diverged or w.diverged)
       group by together.sweep_id, together.epochs, together.dropout1, together.dropout2, together.weight_decay
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
           coalesce(x.n_excluded_diverged, 0)::integer as n_excluded_diverged,
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
      from ranked
      left join excluded x using (sweep_id, epochs, dropout1, dropout2, weight_decay)`.execute(db);

  await sql`
    create function regsweep_clopper_pearson(x integer, n integer, out low double precision, out high double precision)
    language plpgsql immutable strict parallel safe as $$
    declare
      lo float8;
      hi float8;
      mid float8;
    begin
      if n < 1 or x < 0 or x > n then
        return;
      end if;
      -- Lower bound: the p where P(X >= x) = 0.025, i.e. I_p(x, n − x + 1) = 0.025; 0 when x = 0.
      -- Upper bound: the p where P(X <= x) = 0.025, i.e. I_p(x + 1, n − x) = 0.975; 1 when x = n.
      -- I_p increases with p, so bisection converges; 60 halvings reach double precision.
      low := 0;
      if x > 0 then
        lo := 0; hi := 1;
        for i in 1..60 loop
          mid := (lo + hi) / 2;
          if regsweep_beta_inc(mid, x, n - x + 1) < 0.025 then lo := mid; else hi := mid; end if;
        end loop;
        low := (lo + hi) / 2;
      end if;
      high := 1;
      if x < n then
        lo := 0; hi := 1;
        for i in 1..60 loop
          mid := (lo + hi) / 2;
          if regsweep_beta_inc(mid, x + 1, n - x) < 0.975 then lo := mid; else hi := mid; end if;
        end loop;
        high := (lo + hi) / 2;
      end if;
    end
    $$`.execute(db);

  await sql`
    create view divergence_rate as
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
      left join lateral regsweep_clopper_pearson(c.n_diverged::integer, c.finished::integer) as ci on true`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists divergence_rate`.execute(db);
  await sql`drop function if exists regsweep_clopper_pearson(integer, integer)`.execute(db);
  for (const view of ['config_vs_best', 'config_interval', 'config_summary', 'effect_vs_control', 'effect_dropout_swap', 'effect_interaction', 'trial_results', 'run_progress']) {
    await sql`drop view if exists ${sql.ref(view)}`.execute(db);
  }
  // The old schema cannot hold a diverged run: it goes back to 'failed' with its epoch in the
  // error, and its null row is deleted.
  await sql`delete from epoch_metrics where diverged`.execute(db);
  await sql`
    update runs set status = 'failed', error = coalesce(error, 'training diverged at epoch ' || diverged_at_epoch)
     where status = 'diverged'`.execute(db);
  await sql`alter table epoch_metrics drop constraint epoch_metrics_diverged_nulls, drop constraint epoch_metrics_finite, drop column diverged`.execute(db);
  for (const column of metricColumns) {
    await sql`alter table epoch_metrics alter column ${sql.ref(column)} set not null`.execute(db);
  }
  await sql`alter table runs drop constraint runs_diverged_epoch, drop constraint runs_status_valid, drop column diverged_at_epoch`.execute(db);
  await sql`alter table runs add constraint runs_status_valid check (status in ('pending', 'running', 'completed', 'failed', 'cancelled'))`.execute(db);
  // The views as the earlier migrations defined them.
  for (const earlier of [trialResultsView, runProgressView, configSummaryView, effectDropoutSwapView, effectInteractionView, effectVsControlView, configIntervalViews]) {
    await earlier.up(db);
  }
}
