/*
 * The effect views of 20261206T0900-regularizer-variants. Every pair and every group lies within
 * one variant: the control, the swapped setting, the interaction's baseline and the seeds they
 * pair with are all of the row's variant. The Holm families keep their extent, (sweep, metric)
 * and (sweep, metric, epochs value), and so now count the comparisons of every variant.
 * effect_vs_variant compares each variant with the sweep's base variant; test_time_dropout
 * compares test-time dropout with inference mode within each run.
 *
 * Joins match sweep and variant as one clause, `array[a.sweep_id, a.variant] = array[b.sweep_id,
 * b.variant]`: the planner has no statistics for CTE columns and multiplies a default selectivity
 * per clause, so a separate variant clause made it expect single rows and choose nested loops
 * that took over a minute on a 270-run sweep; one clause keeps its estimates as they were.
 */

/** The sd of differences, 0 when they agree within 1e-12 (last-bit noise on the 1e-4 grid). */
const sdOf = (x: string): string => `case when count(${x}) >= 2 then case when max(${x}) - min(${x}) <= 1e-12 then 0 else stddev_samp(${x}) end end`;

/** The t half-width; null with equal differences, where the interval is undefined, not zero-width. */
const hw = (x: string): string => `regsweep_ci_half_width(nullif(${sdOf(x)}, 0), count(*))`;

/** Holm's step-down adjustment of p_used over rows ranked by `rank` among `m` within `partition`. */
const holm = (rank: string, m: string, partition: string): string => `
           case when p_used is not null then
             least(1, max(p_used * (${m} - ${rank} + 1)) over (
               partition by ${partition} order by ${rank} rows between unbounded preceding and current row))
           end`;

/** Both metrics of a trial, a diverged trial kept with a null value so it can be counted. */
const cellWithDiverged = (extra = ''): string => `
    cell as (
      select t.sweep_id, t.variant,${extra} t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, t.diverged,
             case when not t.diverged then v.value end as value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null or t.diverged
    )`;

/** The paired-difference statistics and p-values shared by effect_vs_control and effect_vs_variant. */
const pairedTests = `
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
    )`;

const pairedColumns = `
           r.diff_mean, r.diff_sd,
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
           r.holm_m_epochs::integer as holm_m_epochs`;

/** The tested CTE body over `config g` left-joined to `paired p` on `keys`. */
const pairedAggregates = `
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
             regsweep_sign_flip_p(array_agg(p.diff order by p.seed) filter (where p.diff is not null)) as diff_p_sign_flip`;

/** The control is chosen per variant, by the rule it always had: no regularization, else the lowest value of each axis. */
export const effectVsControlView = `
    create view effect_vs_control as
    with ${cellWithDiverged()},
    control as (
      select sweep_id, variant, min(dropout1) as dropout1, min(dropout2) as dropout2, min(weight_decay) as weight_decay
        from trial_results
       group by sweep_id, variant
    ),
    config as (
      select distinct t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs, mm.metric
        from trial_results t
        cross join (values ('test_acc'::text), ('gap'::text)) as mm(metric)
        join control k on array[k.sweep_id, k.variant] = array[t.sweep_id, t.variant]
       where (t.dropout1, t.dropout2, t.weight_decay) <> (k.dropout1, k.dropout2, k.weight_decay)
    ),
    paired as (
      select x.sweep_id, x.variant, x.metric, x.epochs, x.dropout1, x.dropout2, x.weight_decay, x.seed,
             x.value as config_value, c.value as control_value, x.value - c.value as diff,
             x.diverged or c.diverged as either_diverged
        from cell x
        join control k on array[k.sweep_id, k.variant] = array[x.sweep_id, x.variant]
        join cell c
          on array[c.sweep_id, c.variant] = array[x.sweep_id, x.variant] and c.metric = x.metric and c.epochs = x.epochs and c.seed = x.seed
         and c.dropout1 = k.dropout1 and c.dropout2 = k.dropout2 and c.weight_decay = k.weight_decay
    ),
    tested as (
      select g.sweep_id, g.variant, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay,${pairedAggregates}
        from config g
        left join paired p
          on array[p.sweep_id, p.variant] = array[g.sweep_id, g.variant] and p.metric = g.metric and p.epochs = g.epochs
         and p.dropout1 = g.dropout1 and p.dropout2 = g.dropout2 and p.weight_decay = g.weight_decay
       group by g.sweep_id, g.variant, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay
    ),${pairedTests}
    select r.sweep_id, r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay,
           k.dropout1 as control_dropout1, k.dropout2 as control_dropout2, k.weight_decay as control_weight_decay,
           case when k.dropout1 = 0 and k.dropout2 = 0 and k.weight_decay = 0 then 'no regularization'
                else 'lowest value of each axis' end as control_kind,
           r.n::integer as n, r.n_excluded_diverged::integer as n_excluded_diverged,
           case when r.n >= 2 then (r.n - 1)::integer end as df,
           r.config_mean, r.control_mean,${pairedColumns},
           r.variant
      from ranked r
      join control k on array[k.sweep_id, k.variant] = array[r.sweep_id, r.variant]`;

const cellAndFlag = `
    cell as (
      select t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    flag as (
      select sweep_id, variant, dropout1, dropout2, weight_decay, epochs, seed, diverged from trial_results
    )`;

/** p_used and the two Holm rankings of effect_dropout_swap and effect_interaction, for a p-value named `prefix`_p. */
const familyRanks = (prefix: string): { withP: string; ranked: string } => ({
  withP: `
      -- A single seed (sign-flip p = 1) tests nothing and stays out of the families.
      select with_t.*,
             regsweep_t_pvalue(${prefix}_t, (n - 1)::integer) as ${prefix}_p,
             coalesce(regsweep_t_pvalue(${prefix}_t, (n - 1)::integer), case when n >= 2 then ${prefix}_p_sign_flip end) as p_used
        from with_t`,
  ranked: `
      select with_p.*,
             row_number() over (partition by sweep_id, metric, epochs order by p_used nulls last) as holm_rank,
             count(p_used) over (partition by sweep_id, metric, epochs) as holm_m,
             row_number() over (partition by sweep_id, metric order by p_used nulls last) as holm_rank_all,
             count(p_used) over (partition by sweep_id, metric) as holm_m_all
        from with_p`,
});

const familyColumns = (prefix: string): string => `
           r.${prefix}_p_sign_flip,
           case when r.${prefix}_p is not null then 't' when r.${prefix}_p_sign_flip is not null then 'sign-flip' end as p_test,
           r.p_used,${holm('holm_rank_all', 'holm_m_all', 'r.sweep_id, r.metric')} as p_holm,
           r.holm_m_all::integer as holm_m,${holm('holm_rank', 'holm_m', 'r.sweep_id, r.metric, r.epochs')} as p_holm_epochs,
           r.holm_m::integer as holm_m_epochs`;

export const effectDropoutSwapView = (): string => {
  const f = familyRanks('diff');
  return `
    create view effect_dropout_swap as
    with ${cellAndFlag},
    paired as (
      select ab.sweep_id, ab.variant, ab.metric, ab.epochs, ab.weight_decay, ab.seed,
             ab.dropout1 as dropout_a, ab.dropout2 as dropout_b,
             ab.value as value_ab, ba.value as value_ba, ab.value - ba.value as diff
        from cell ab
        join cell ba
          on array[ba.sweep_id, ba.variant] = array[ab.sweep_id, ab.variant] and ba.metric = ab.metric and ba.epochs = ab.epochs
         and ba.weight_decay = ab.weight_decay and ba.seed = ab.seed
         and ba.dropout1 = ab.dropout2 and ba.dropout2 = ab.dropout1
       where ab.dropout1 < ab.dropout2
    ),
    excluded as (
      -- Seeds where both settings were trained to this epochs value but either diverged: left out of the pairs, counted.
      select ab.sweep_id, ab.variant, ab.epochs, ab.weight_decay, ab.dropout1 as dropout_a, ab.dropout2 as dropout_b, count(*) as n_excluded_diverged
        from flag ab
        join flag ba
          on array[ba.sweep_id, ba.variant] = array[ab.sweep_id, ab.variant] and ba.epochs = ab.epochs and ba.weight_decay = ab.weight_decay
         and ba.seed = ab.seed and ba.dropout1 = ab.dropout2 and ba.dropout2 = ab.dropout1
       where ab.dropout1 < ab.dropout2 and (ab.diverged or ba.diverged)
       group by ab.sweep_id, ab.variant, ab.epochs, ab.weight_decay, ab.dropout1, ab.dropout2
    ),
    tested as (
      select sweep_id, variant, metric, epochs, weight_decay, dropout_a, dropout_b,
             count(*) as n,
             avg(value_ab) as mean_ab,
             avg(value_ba) as mean_ba,
             avg(diff) as diff_mean,
             ${sdOf('diff')} as diff_sd,
             regsweep_sign_flip_p(array_agg(diff order by seed)) as diff_p_sign_flip
        from paired
       group by sweep_id, variant, metric, epochs, weight_decay, dropout_a, dropout_b
    ),
    with_t as (
      select tested.*,
             regsweep_ci_half_width(nullif(diff_sd, 0), n) as half_width,
             regsweep_t_stat(diff_mean, diff_sd, n) as diff_t
        from tested
    ),
    with_p as (${f.withP}
    ),
    ranked as (${f.ranked}
    )
    select r.sweep_id, r.metric, r.epochs, r.weight_decay, r.dropout_a, r.dropout_b, r.n::integer as n,
           coalesce(x.n_excluded_diverged, 0)::integer as n_excluded_diverged,
           r.mean_ab, r.mean_ba, r.diff_mean, r.diff_sd,
           r.diff_mean - r.half_width as diff_ci_low,
           r.diff_mean + r.half_width as diff_ci_high,
           r.diff_t, r.diff_p,${holm('holm_rank', 'holm_m', 'r.sweep_id, r.metric, r.epochs')} as diff_p_holm,${familyColumns('diff')},
           r.variant
      from ranked r
      left join excluded x on array[x.sweep_id, x.variant] = array[r.sweep_id, r.variant] and x.epochs = r.epochs
       and x.weight_decay = r.weight_decay and x.dropout_a = r.dropout_a and x.dropout_b = r.dropout_b`;
};

/** The baseline is chosen per variant, by the rule of effect_vs_control's control. */
export const effectInteractionView = (): string => {
  const f = familyRanks('interaction');
  return `
    create view effect_interaction as
    with ${cellAndFlag},
    baseline as (
      select sweep_id, variant, min(dropout1) as dropout1, min(dropout2) as dropout2, min(weight_decay) as weight_decay
        from trial_results
       group by sweep_id, variant
    ),
    per_cell as (
      -- Each cell with the values of its seed's baseline, dropout-alone and decay-alone cells, read
      -- by window aggregates over the cells of one seed (each partition has at most one match):
      -- equal to joining the four cells, without a four-way self-join the planner misjudges.
      select c.*, k.dropout1 as k_dropout1, k.dropout2 as k_dropout2, k.weight_decay as k_weight_decay,
             max(c.value) filter (where c.dropout1 = k.dropout1 and c.dropout2 = k.dropout2 and c.weight_decay = k.weight_decay)
               over (partition by c.sweep_id, c.variant, c.metric, c.epochs, c.seed) as baseline_value,
             max(c.value) filter (where c.weight_decay = k.weight_decay)
               over (partition by c.sweep_id, c.variant, c.metric, c.epochs, c.seed, c.dropout1, c.dropout2) as dropout_value,
             max(c.value) filter (where c.dropout1 = k.dropout1 and c.dropout2 = k.dropout2)
               over (partition by c.sweep_id, c.variant, c.metric, c.epochs, c.seed, c.weight_decay) as decay_value
        from cell c
        join baseline k on array[k.sweep_id, k.variant] = array[c.sweep_id, c.variant]
    ),
    per_seed as (
      select sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay, seed,
             baseline_value as baseline,
             dropout_value - baseline_value as dropout_effect,
             decay_value - baseline_value as weight_decay_effect,
             value - baseline_value as combined_effect,
             value - dropout_value - decay_value + baseline_value as interaction
        from per_cell
       where weight_decay > k_weight_decay
         and (dropout1, dropout2) <> (k_dropout1, k_dropout2)
         and baseline_value is not null and dropout_value is not null and decay_value is not null
    ),
    excluded as (
      -- Seeds whose four cells were all trained to this epochs value but where any diverged:
      -- left out (every effect of a row rests on the same complete seeds), counted.
      select together.sweep_id, together.variant, together.epochs, together.dropout1, together.dropout2, together.weight_decay,
             count(*) as n_excluded_diverged
        from flag together
        join baseline k on array[k.sweep_id, k.variant] = array[together.sweep_id, together.variant]
        join flag b on array[b.sweep_id, b.variant] = array[together.sweep_id, together.variant] and b.epochs = together.epochs and b.seed = together.seed
         and b.dropout1 = k.dropout1 and b.dropout2 = k.dropout2 and b.weight_decay = k.weight_decay
        join flag d on array[d.sweep_id, d.variant] = array[together.sweep_id, together.variant] and d.epochs = together.epochs and d.seed = together.seed
         and d.dropout1 = together.dropout1 and d.dropout2 = together.dropout2 and d.weight_decay = k.weight_decay
        join flag w on array[w.sweep_id, w.variant] = array[together.sweep_id, together.variant] and w.epochs = together.epochs and w.seed = together.seed
         and w.dropout1 = k.dropout1 and w.dropout2 = k.dropout2 and w.weight_decay = together.weight_decay
       where together.weight_decay > k.weight_decay
         and (together.dropout1, together.dropout2) <> (k.dropout1, k.dropout2)
         and (together.diverged or b.diverged or d.diverged or w.diverged)
       group by together.sweep_id, together.variant, together.epochs, together.dropout1, together.dropout2, together.weight_decay
    ),
    tested as (
      select sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay,
             count(*) as n,
             avg(baseline) as baseline_mean,
             avg(dropout_effect) as dropout_effect_mean,
             ${hw('dropout_effect')} as dropout_effect_hw,
             avg(weight_decay_effect) as weight_decay_effect_mean,
             ${hw('weight_decay_effect')} as weight_decay_effect_hw,
             avg(combined_effect) as combined_effect_mean,
             ${hw('combined_effect')} as combined_effect_hw,
             avg(interaction) as interaction_mean,
             ${sdOf('interaction')} as interaction_sd,
             ${hw('interaction')} as interaction_hw,
             regsweep_sign_flip_p(array_agg(interaction order by seed)) as interaction_p_sign_flip
        from per_seed
       group by sweep_id, variant, metric, epochs, dropout1, dropout2, weight_decay
    ),
    with_t as (
      select tested.*, regsweep_t_stat(interaction_mean, interaction_sd, n) as interaction_t
        from tested
    ),
    with_p as (${f.withP}
    ),
    ranked as (${f.ranked}
    )
    select r.sweep_id, r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay, r.n::integer as n,
           coalesce(x.n_excluded_diverged, 0)::integer as n_excluded_diverged,
           r.baseline_mean,
           r.dropout_effect_mean,
           r.dropout_effect_mean - r.dropout_effect_hw as dropout_effect_ci_low,
           r.dropout_effect_mean + r.dropout_effect_hw as dropout_effect_ci_high,
           r.weight_decay_effect_mean,
           r.weight_decay_effect_mean - r.weight_decay_effect_hw as weight_decay_effect_ci_low,
           r.weight_decay_effect_mean + r.weight_decay_effect_hw as weight_decay_effect_ci_high,
           r.combined_effect_mean,
           r.combined_effect_mean - r.combined_effect_hw as combined_effect_ci_low,
           r.combined_effect_mean + r.combined_effect_hw as combined_effect_ci_high,
           r.interaction_mean, r.interaction_sd,
           r.interaction_mean - r.interaction_hw as interaction_ci_low,
           r.interaction_mean + r.interaction_hw as interaction_ci_high,
           r.interaction_t, r.interaction_p,${holm('holm_rank', 'holm_m', 'r.sweep_id, r.metric, r.epochs')} as interaction_p_holm,${familyColumns('interaction')},
           k.dropout1 as baseline_dropout1, k.dropout2 as baseline_dropout2, k.weight_decay as baseline_weight_decay,
           case when k.dropout1 = 0 and k.dropout2 = 0 and k.weight_decay = 0 then 'no regularization'
                else 'lowest value of each axis' end as baseline_kind,
           r.variant
      from ranked r
      join baseline k on array[k.sweep_id, k.variant] = array[r.sweep_id, r.variant]
      left join excluded x on array[x.sweep_id, x.variant] = array[r.sweep_id, r.variant] and x.epochs = r.epochs and x.dropout1 = r.dropout1
       and x.dropout2 = r.dropout2 and x.weight_decay = r.weight_decay`;
};

/**
 * The sweep's base variant: regularizer 'dropout' if the sweep has it, else the first name in
 * byte order; batch_norm false if the sweep has it; lr 0.5 (the chapter's) if the sweep has it,
 * else the lowest. The grid is a product of its axes, so this combination has trials.
 */
export const baseVariantCte = `
    base as (
      select b.sweep_id, b.regularizer, b.batch_norm, b.lr, regsweep_variant_label(b.regularizer, b.batch_norm, b.lr) as variant
        from (
          select sweep_id,
                 case when bool_or(regularizer = 'dropout') then 'dropout' else min(regularizer collate "C") end as regularizer,
                 -- false when any trial has it, true only when every trial uses batch normalization.
                 bool_and(batch_norm) as batch_norm,
                 case when bool_or(lr = 0.5) then 0.5::float8 else min(lr) end as lr
            from sweep_trials
           group by sweep_id
        ) b
    )`;

export const effectVsVariantView = `
    create view effect_vs_variant as
    with ${cellWithDiverged(' t.run_id,')},
    ${baseVariantCte},
    config as (
      select distinct t.sweep_id, t.variant, t.regularizer, t.batch_norm, t.lr, t.dropout1, t.dropout2, t.weight_decay, t.epochs, mm.metric
        from trial_results t
        cross join (values ('test_acc'::text), ('gap'::text)) as mm(metric)
        join base k on k.sweep_id = t.sweep_id
       where t.variant <> k.variant
         -- At dropout rates 0 a regularizer's trials read the base's own run (grid expansion
         -- shares it): the same network against itself is no comparison.
         and not exists (select from sweep_trials b where b.sweep_id = t.sweep_id and b.run_id = t.run_id
                            and regsweep_variant_label(b.regularizer, b.batch_norm, b.lr) = k.variant)
    ),
    paired as (
      select x.sweep_id, x.variant, x.metric, x.epochs, x.dropout1, x.dropout2, x.weight_decay, x.seed,
             x.value as config_value, c.value as control_value, x.value - c.value as diff,
             x.diverged or c.diverged as either_diverged
        from cell x
        join base k on k.sweep_id = x.sweep_id
        join cell c
          on array[c.sweep_id, c.variant] = array[x.sweep_id, k.variant] and c.metric = x.metric and c.epochs = x.epochs and c.seed = x.seed
         and c.dropout1 = x.dropout1 and c.dropout2 = x.dropout2 and c.weight_decay = x.weight_decay
       where x.variant <> k.variant and x.run_id <> c.run_id
    ),
    tested as (
      select g.sweep_id, g.variant, g.regularizer, g.batch_norm, g.lr, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay,${pairedAggregates}
        from config g
        left join paired p
          on array[p.sweep_id, p.variant] = array[g.sweep_id, g.variant] and p.metric = g.metric and p.epochs = g.epochs
         and p.dropout1 = g.dropout1 and p.dropout2 = g.dropout2 and p.weight_decay = g.weight_decay
       group by g.sweep_id, g.variant, g.regularizer, g.batch_norm, g.lr, g.metric, g.epochs, g.dropout1, g.dropout2, g.weight_decay
    ),${pairedTests}
    select r.sweep_id, r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay,
           r.variant, r.regularizer, r.batch_norm, r.lr,
           k.variant as base_variant, k.regularizer as base_regularizer, k.batch_norm as base_batch_norm, k.lr as base_lr,
           r.n::integer as n, r.n_excluded_diverged::integer as n_excluded_diverged,
           case when r.n >= 2 then (r.n - 1)::integer end as df,
           r.config_mean as variant_mean, r.control_mean as base_mean,${pairedColumns},
           r.n >= 3 as interval_informative
      from ranked r
      join base k on k.sweep_id = r.sweep_id`;

const ttdDiff = (name: string, value: string): string => `
           ${name}_mean,
           ${name}_sd,
           case when ${name}_hw is not null then greatest(-1, ${name}_mean - ${name}_hw) end as ${name}_ci_low,
           case when ${name}_hw is not null then least(1, ${name}_mean + ${name}_hw) end as ${name}_ci_high${value}`;

/**
 * Per grid point (variant included) and epochs value of the runs that evaluate with test-time
 * dropout: the mean accuracies in inference mode, with one stochastic pass and with the MC
 * average, and the paired per-run differences with 95% t-intervals over the n seeds.
 */
export const testTimeDropoutView = `
    create view test_time_dropout as
    with cell as (
      select t.sweep_id, t.variant, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, t.diverged, t.eval_dropout_samples,
             t.test_acc, t.test_acc_dropout, t.test_acc_mc_dropout,
             t.test_acc_mc_dropout - t.test_acc as mc_minus_inference,
             t.test_acc_dropout - t.test_acc as one_pass_minus_inference
        from trial_results t
       where t.eval_dropout_samples > 0
    ),
    complete as (
      -- The seeds with all three accuracies at this epoch: every mean and difference is over them.
      select * from cell where mc_minus_inference is not null and one_pass_minus_inference is not null
    ),
    counted as (
      select sweep_id, variant, dropout1, dropout2, weight_decay, epochs,
             count(*) as trials, count(*) filter (where diverged) as n_diverged, max(eval_dropout_samples) as eval_dropout_samples
        from cell
       group by sweep_id, variant, dropout1, dropout2, weight_decay, epochs
    ),
    tested as (
      select sweep_id, variant, dropout1, dropout2, weight_decay, epochs,
             count(*) as n,
             avg(test_acc) as test_acc_mean,
             avg(test_acc_dropout) as test_acc_dropout_mean,
             avg(test_acc_mc_dropout) as test_acc_mc_dropout_mean,
             avg(mc_minus_inference) as mc_minus_inference_mean,
             ${sdOf('mc_minus_inference')} as mc_minus_inference_sd,
             ${hw('mc_minus_inference')} as mc_minus_inference_hw,
             avg(one_pass_minus_inference) as one_pass_minus_inference_mean,
             ${sdOf('one_pass_minus_inference')} as one_pass_minus_inference_sd,
             ${hw('one_pass_minus_inference')} as one_pass_minus_inference_hw
        from complete
       group by sweep_id, variant, dropout1, dropout2, weight_decay, epochs
    )
    select c.sweep_id, c.variant, c.dropout1, c.dropout2, c.weight_decay, c.epochs,
           c.eval_dropout_samples::integer as eval_dropout_samples,
           c.trials::integer as trials, coalesce(t.n, 0)::integer as n, c.n_diverged::integer as n_diverged,
           t.test_acc_mean, t.test_acc_dropout_mean, t.test_acc_mc_dropout_mean,${ttdDiff('mc_minus_inference', ',')}${ttdDiff('one_pass_minus_inference', ',')}
           coalesce(t.n, 0) >= 3 as interval_informative
      from counted c
      left join tested t using (sweep_id, variant, dropout1, dropout2, weight_decay, epochs)`;
