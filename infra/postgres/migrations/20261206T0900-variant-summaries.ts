/*
 * The summary, per-run and curve views and functions of 20261206T0900-regularizer-variants:
 * the definitions they had before, grouped by variant as well. Every earlier column keeps its
 * name, type and position; `variant` (and, on the per-run views, its parts) comes after them.
 * Migrations never import application code, and a migration is never edited: these texts belong
 * to that migration alone.
 *
 * Joins match sweep and variant as one clause, `array[a.sweep_id, a.variant] = array[b.sweep_id,
 * b.variant]`: the planner has no statistics for CTE columns and multiplies a default selectivity
 * per clause, so a separate variant clause made it expect single rows and choose nested loops
 * that took over a minute on a 270-run sweep; one clause keeps its estimates as they were.
 */

/** The variant label, in the one place it is computed (docs/sql.md, "Variants"). */
export const variantLabelFunction = `
    create function regsweep_variant_label(regularizer text, batch_norm boolean, lr double precision) returns text
    language sql immutable strict parallel safe
    -- float8 prints its shortest exact form only with extra_float_digits > 0 (the default, 1); a
    -- client that lowered it would otherwise get another label for the same learning rate.
    set extra_float_digits = 1
    as $$
      select regularizer || case when batch_norm then '+batchnorm' else '' end || ' lr=' || lr::text
    $$`;

/** The label of a `runs` row aliased `r`: the run's own variant. */
const runVariant = 'regsweep_variant_label(r.regularizer, r.batch_norm, r.lr)';

/*
 * A run at dropout rates 0 trains the same network whatever the regularizer, so grid expansion
 * gives the trials of every regularizer at rates 0 the one run of the default model: such a run
 * belongs to several variants of its sweep. Views that group runs take the variants from the
 * sweep's trials (aliased `v` below), so each variant has its runs at rates 0.
 */
const trialVariant = 'regsweep_variant_label(v.regularizer, v.batch_norm, v.lr)';

export const trialResultsView = `
    create view trial_results as
    select t.sweep_id, t.trial_key, t.run_id,
           t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed,
           r.lr, r.batch_size, r.hidden, r.train_subset, r.status as run_status,
           m.train_loss, m.train_acc, m.train_acc_eval, m.test_loss, m.test_acc, m.gap,
           m.act_var1, m.act_var2, m.weight_norm1, m.weight_norm2, m.weight_norm3,
           m.seconds, m.eval_seconds, m.samples_per_sec, m.backend, m.worker,
           r.diverged_at_epoch,
           coalesce(r.diverged_at_epoch <= t.epochs, false) as diverged,
           t.regularizer, t.batch_norm, r.eval_dropout_samples,
           m.test_acc_dropout, m.test_acc_mc_dropout, m.eval_dropout_seconds,
           regsweep_variant_label(t.regularizer, t.batch_norm, t.lr) as variant
      from sweep_trials t
      join runs r on r.id = t.run_id
      left join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs`;

export const configSummaryView = `
    create view config_summary as
    with per_config as (
      select t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs,
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
       group by t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs
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
           gap_mean + regsweep_ci_half_width(gap_sd, n) as gap_ci_high,
           variant
      from per_config`;

export const configIntervalView = `
    create view config_interval as
    with long as (
      select s.sweep_id, s.variant, s.dropout1, s.dropout2, s.weight_decay, s.epochs, s.trials, s.n, s.n_diverged, v.metric, v.mean, v.sd, v.ci_low, v.ci_high
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
           l.n >= 3 as interval_informative,
           l.variant
      from long l
      cross join lateral regsweep_metric_range(l.metric) as r`;

/** The best is chosen within each variant; the Holm family stays (sweep, metric, epochs), now over every variant's comparisons. */
export const configVsBestView = `
    create view config_vs_best as
    with summary as (
      select * from config_interval where metric in ('test_acc', 'gap') and mean is not null
    ),
    best as (
      select distinct on (sweep_id, variant, metric, epochs) sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay
        from summary
       order by sweep_id, variant, metric, epochs,
                case when metric = 'gap' then mean else -mean end, dropout1, dropout2, weight_decay
    ),
    cell as (
      select t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    paired as (
      select x.sweep_id, x.variant, x.metric, x.epochs, x.dropout1, x.dropout2, x.weight_decay, x.seed, x.value - c.value as diff
        from cell x
        join best b on array[b.sweep_id, b.variant] = array[x.sweep_id, x.variant] and b.metric = x.metric and b.epochs = x.epochs
        join cell c
          on array[c.sweep_id, c.variant] = array[x.sweep_id, x.variant] and c.metric = x.metric and c.epochs = x.epochs and c.seed = x.seed
         and c.dropout1 = b.dropout1 and c.dropout2 = b.dropout2 and c.weight_decay = b.weight_decay
    ),
    tested as (
      select s.sweep_id, s.variant, s.metric, s.epochs, s.dropout1, s.dropout2, s.weight_decay,
             count(p.diff) as vs_best_n,
             avg(p.diff) as vs_best_diff,
             -- Equal differences (within 1e-12, last-bit noise) leave t undefined, as in effect_vs_control.
             case when max(p.diff) - min(p.diff) > 1e-12 then stddev_samp(p.diff) end as diff_sd,
             regsweep_sign_flip_p(array_agg(p.diff order by p.seed) filter (where p.diff is not null)) as sign_flip_p
        from summary s
        left join paired p
          on array[p.sweep_id, p.variant] = array[s.sweep_id, s.variant] and p.metric = s.metric and p.epochs = s.epochs
         and p.dropout1 = s.dropout1 and p.dropout2 = s.dropout2 and p.weight_decay = s.weight_decay
       group by s.sweep_id, s.variant, s.metric, s.epochs, s.dropout1, s.dropout2, s.weight_decay
    ),
    ranked as (
      select tested.*, (b.dropout1, b.dropout2, b.weight_decay) = (tested.dropout1, tested.dropout2, tested.weight_decay) as is_best,
             -- The best against itself is no comparison: it stays out of the family.
             case when (b.dropout1, b.dropout2, b.weight_decay) <> (tested.dropout1, tested.dropout2, tested.weight_decay) then
               coalesce(regsweep_t_pvalue(regsweep_t_stat(vs_best_diff, diff_sd, vs_best_n), (vs_best_n - 1)::integer), sign_flip_p)
             end as vs_best_p,
             b.dropout1 as best_dropout1, b.dropout2 as best_dropout2, b.weight_decay as best_weight_decay
        from tested
        join best b on array[b.sweep_id, b.variant] = array[tested.sweep_id, tested.variant] and b.metric = tested.metric and b.epochs = tested.epochs
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
                else 'within seed noise of the best' end as vs_best,
           i.variant
      from adjusted a
      join config_interval i
        on array[i.sweep_id, i.variant] = array[a.sweep_id, a.variant] and i.metric = a.metric and i.epochs = a.epochs
       and i.dropout1 = a.dropout1 and i.dropout2 = a.dropout2 and i.weight_decay = a.weight_decay`;

export const divergenceRateView = `
    create view divergence_rate as
    with counted as (
      select sweep_id, variant, dropout1, dropout2, weight_decay, epochs,
             count(*) as trials,
             count(*) filter (where diverged or test_acc is not null) as finished,
             count(*) filter (where diverged) as n_diverged
        from trial_results
       group by sweep_id, variant, dropout1, dropout2, weight_decay, epochs
    )
    select c.sweep_id, c.dropout1, c.dropout2, c.weight_decay, c.epochs,
           c.trials::integer as trials, c.finished::integer as finished, c.n_diverged::integer as n_diverged,
           c.n_diverged::float8 / nullif(c.finished, 0) as rate,
           ci.low as rate_ci_low, ci.high as rate_ci_high,
           c.variant
      from counted c
      left join lateral regsweep_clopper_pearson(c.n_diverged::integer, c.finished::integer) as ci on true`;

/** One F test per (sweep, variant, metric, epochs value): configurations are compared within their variant. */
export const noiseDiagnosticView = `
    create view noise_diagnostic as
    with cell as (
      select t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    centred as (
      select cell.*,
             avg(value) over (partition by sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay) as config_mean,
             avg(value) over (partition by sweep_id, variant, metric, epochs) as grand_mean
        from cell
    ),
    per_config as (
      select sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay,
             count(*) as n, min(grand_mean) as grand_mean,
             count(*) * (min(config_mean) - min(grand_mean)) ^ 2 as between_ss,
             sum((value - config_mean) ^ 2) as within_ss,
             -- Equal values within 1e-12 (last-bit noise) are no spread, as in the effect views.
             max(value) - min(value) > 1e-12 as has_spread
        from centred
       group by sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay
    ),
    per_family as (
      select sweep_id, variant, metric, epochs,
             count(*) as k, sum(n) as n, min(grand_mean) as grand_mean,
             sum(between_ss) as between_ss, sum(within_ss) as within_ss, bool_or(has_spread) as has_spread
        from per_config
       group by sweep_id, variant, metric, epochs
    ),
    diverged as (
      select sweep_id, variant, epochs, count(*) filter (where diverged) as n_diverged
        from trial_results
       group by sweep_id, variant, epochs
    ),
    tested as (
      select f.*, coalesce(d.n_diverged, 0) as n_diverged,
             (f.k - 1)::integer as df1, (f.n - f.k)::integer as df2,
             case when f.k >= 2 then f.between_ss / (f.k - 1) end as between_ms,
             case when f.n > f.k then f.within_ss / (f.n - f.k) end as within_ms
        from per_family f
        left join diverged d on array[d.sweep_id, d.variant] = array[f.sweep_id, f.variant] and d.epochs = f.epochs
    ),
    with_f as (
      select tested.*,
             case when k >= 2 and df2 >= 1 and has_spread then between_ms / within_ms end as f
        from tested
    )
    select sweep_id, metric, epochs, k::integer as k, n::integer as n, n_diverged::integer as n_diverged,
           grand_mean, between_ms, within_ms, sqrt(within_ms) as seed_sd,
           f, df1, df2, regsweep_f_pvalue(f, df1, df2) as p,
           case when k < 2 then 'fewer than 2 configurations have results: nothing to compare'
                when df2 < 1 then 'every configuration has a single run: no seed variance to compare with (df2 = 0)'
                when not has_spread then 'every configuration''s runs are identical: seed variance is 0, F undefined'
           end as note,
           variant
      from with_f`;

export const activationVarianceView = `
    create view activation_variance as
    select sr.sweep_id, r.id as run_id, m.epoch, l.layer, l.act_var,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           l.layer_dropout,
           (r.dropout1 > 0 or r.dropout2 > 0) as has_dropout,
           l.layer_dropout > 0 as layer_has_dropout,
           ${trialVariant} as variant
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      join (select distinct sweep_id, run_id, regularizer, batch_norm, lr from sweep_trials) v on v.sweep_id = sr.sweep_id and v.run_id = r.id
      join epoch_metrics m on m.run_id = r.id
      cross join lateral (values (1, m.act_var1, r.dropout1), (2, m.act_var2, r.dropout2)) as l(layer, act_var, layer_dropout)`;

export const runProgressView = `
    create view run_progress as
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
           regsweep_binomial_se(e.last_test_acc, e.last_test_count) as test_accuracy_se,
           r.regularizer, r.batch_norm, r.lr, r.eval_dropout_samples,
           ${runVariant} as variant
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
      ) e on true`;

export const epochTestAccuracyView = `
    create view epoch_test_accuracy as
    select sr.sweep_id, r.id as run_id, m.epoch,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           m.diverged, m.test_acc, m.test_count,
           regsweep_binomial_se(m.test_acc, m.test_count) as test_accuracy_se,
           r.regularizer, r.batch_norm, r.lr,
           ${runVariant} as variant
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      join epoch_metrics m on m.run_id = r.id`;

/*
 * The dashboard functions: as before (20261204T1000-main-effect-and-epoch-curves), per variant,
 * with a trailing p_variants (variant labels; null = every variant). Each returns its earlier
 * columns, then `variant`.
 */

const mainEffectColumns = `axis text, level double precision, n bigint, test_acc double precision,
  test_acc_effect double precision, test_acc_effect_ci_low double precision, test_acc_effect_ci_high double precision,
  gap_effect double precision, gap_effect_ci_low double precision, gap_effect_ci_high double precision, variant text`;

const halfWidth = (column: string): string => `regsweep_ci_half_width(stddev_samp(${column}), count(*))`;
const low = (column: string): string => `case when count(*) >= 3 then greatest(-1, avg(${column}) - ${halfWidth(column)}) end`;
const high = (column: string): string => `case when count(*) >= 3 then least(1, avg(${column}) + ${halfWidth(column)}) end`;

export const mainEffectFunction = `
  create function regsweep_main_effect(p_sweep_id text, p_epochs text, p_weight_decays text[] default null, p_variants text[] default null)
  returns table (${mainEffectColumns})
  language sql stable parallel safe as $$
    with cells as (
      select t.variant, t.dropout1, t.dropout2, t.weight_decay, t.seed, t.test_acc, t.gap
        from trial_results as t
       where t.sweep_id = p_sweep_id and t.epochs::text = p_epochs
         and (p_weight_decays is null or t.weight_decay::text = any(p_weight_decays))
         and (p_variants is null or t.variant = any(p_variants))
         and t.test_acc is not null
    ), per_seed as (
      select variant, 'dropout1'::text as axis, dropout1 as level, seed, avg(test_acc) as test_acc, avg(gap) as gap from cells group by variant, dropout1, seed
      union all
      select variant, 'dropout2', dropout2, seed, avg(test_acc), avg(gap) from cells group by variant, dropout2, seed
      union all
      select variant, 'weight_decay', weight_decay, seed, avg(test_acc), avg(gap) from cells group by variant, weight_decay, seed
    ), paired as (
      select p.variant, p.axis, p.level, p.seed, p.test_acc, p.gap,
             p.test_acc - b.test_acc as test_acc_effect, p.gap - b.gap as gap_effect
        from per_seed as p
        join per_seed as b
          on b.variant = p.variant and b.axis = p.axis and b.seed = p.seed
         and b.level = (select min(level) from per_seed as m where m.variant = p.variant and m.axis = p.axis)
    )
    select axis, level, count(*), avg(test_acc),
           avg(test_acc_effect), ${low('test_acc_effect')}, ${high('test_acc_effect')},
           avg(gap_effect), ${low('gap_effect')}, ${high('gap_effect')},
           variant
      from paired
     group by variant, axis, level
     order by variant, axis, level
  $$`;

const curveMetrics = ['train_loss', 'test_loss', 'train_acc_eval', 'test_acc', 'gap'];
const withoutDropout = 'r.dropout1 = 0 and r.dropout2 = 0';
const withDropout = 'r.dropout1 > 0 or r.dropout2 > 0';

const epochCurveColumns = [
  'epoch integer',
  'runs_no_dropout bigint',
  'runs_dropout bigint',
  ...curveMetrics.flatMap((m) => [`${m}_no_dropout double precision`, `${m}_dropout double precision`]),
  'act_var1_dropped_out double precision',
  'act_var1_no_dropout double precision',
  'act_var2_dropped_out double precision',
  'act_var2_no_dropout double precision',
  'variant text',
].join(', ');

/** The runs of a sweep in the selection, with every epoch up to the sweep's largest epochs value. */
const selectedEpochs = `
      from sweep_runs as sr
      join runs as r on r.id = sr.run_id
      join (select distinct run_id, regularizer, batch_norm, lr from sweep_trials where sweep_id = p_sweep_id) as v on v.run_id = r.id
      join epoch_metrics as m on m.run_id = r.id
     where sr.sweep_id = p_sweep_id
       and (p_weight_decays is null or r.weight_decay::text = any(p_weight_decays))
       and (p_seed = 'mean' or r.seed::text = p_seed)
       and (p_variants is null or ${trialVariant} = any(p_variants))
       and m.epoch <= (select max(epochs) from sweep_trials where sweep_id = p_sweep_id)`;

export const epochCurveFunction = `
  create function regsweep_epoch_curve(p_sweep_id text, p_weight_decays text[] default null, p_seed text default 'mean', p_variants text[] default null)
  returns table (${epochCurveColumns})
  language sql stable parallel safe as $$
    select m.epoch,
           count(m.test_acc) filter (where ${withoutDropout}),
           count(m.test_acc) filter (where ${withDropout}),
           ${curveMetrics.flatMap((c) => [`avg(m.${c}) filter (where ${withoutDropout})`, `avg(m.${c}) filter (where ${withDropout})`]).join(',\n           ')},
           avg(m.act_var1) filter (where r.dropout1 > 0),
           avg(m.act_var1) filter (where r.dropout1 = 0),
           avg(m.act_var2) filter (where r.dropout2 > 0),
           avg(m.act_var2) filter (where r.dropout2 = 0),
           ${trialVariant}
    ${selectedEpochs}
     group by ${trialVariant}, m.epoch
     order by ${trialVariant}, m.epoch
  $$`;

export const weightNormCurveFunction = `
  create function regsweep_weight_norm_curve(p_sweep_id text, p_weight_decays text[] default null, p_seed text default 'mean', p_variants text[] default null)
  returns table (weight_decay double precision, epoch integer, runs bigint, w1 double precision, w2 double precision, w3 double precision, variant text)
  language sql stable parallel safe as $$
    select r.weight_decay, m.epoch, count(m.weight_norm1), avg(m.weight_norm1), avg(m.weight_norm2), avg(m.weight_norm3), ${trialVariant}
    ${selectedEpochs}
     group by ${trialVariant}, r.weight_decay, m.epoch
     order by ${trialVariant}, r.weight_decay, m.epoch
  $$`;

export const curveViews = [
  `
    create view main_effect as
    select e.sweep_id, e.epochs, f.*
      from (select distinct sweep_id, epochs from sweep_trials) as e
     cross join lateral regsweep_main_effect(e.sweep_id, e.epochs::text) as f`,
  `
    create view epoch_curve as
    select s.id as sweep_id, f.*
      from sweeps as s
     cross join lateral regsweep_epoch_curve(s.id) as f`,
  `
    create view weight_norm_curve as
    select s.id as sweep_id, f.*
      from sweeps as s
     cross join lateral regsweep_weight_norm_curve(s.id) as f`,
];
