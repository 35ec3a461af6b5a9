import { sql, type Kysely } from 'kysely';
// Only for down(): the view as the previous migration defined it.
import { interactionViewSql } from './20261203T0910-effect-families';

/*
 * effect_interaction no longer needs zeros in the grid. Its 2×2 design per seed is built on a
 * baseline chosen by the rule effect_vs_control uses for its control: no regularization
 * (dropout1 = dropout2 = weight_decay = 0) when the grid has it, else the lowest value of each
 * axis. Every dropout setting other than the baseline's, with every weight decay above the
 * baseline's, is compared:
 *   dropout_effect      = value(d, w0) − value(d0, w0)
 *   weight_decay_effect = value(d0, w) − value(d0, w0)
 *   combined_effect     = value(d, w)  − value(d0, w0)
 *   interaction         = value(d, w) − value(d, w0) − value(d0, w) + value(d0, w0)
 * where (d0, w0) is the baseline. With zeros on every axis the baseline is (0, 0, 0) and every
 * row and value is what the previous definition gave. A grid with a zero on some axes only
 * takes the zero there and the lowest value elsewhere; the previous definition gave no rows.
 *
 * Appended columns name the baseline: baseline_dropout1, baseline_dropout2,
 * baseline_weight_decay and baseline_kind ('no regularization' or 'lowest value of each axis',
 * the words of effect_vs_control's control_kind). The earlier columns keep their names, types,
 * positions and meaning. Nothing depends on the view, so it is dropped and created; the column
 * comments go with it and are set again.
 */

const cell = `
    cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    flag as (
      select sweep_id, dropout1, dropout2, weight_decay, epochs, seed, diverged from trial_results
    ),
    baseline as (
      select sweep_id, min(dropout1) as dropout1, min(dropout2) as dropout2, min(weight_decay) as weight_decay
        from sweep_trials
       group by sweep_id
    )`;

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

const viewSql = `
    create view effect_interaction as
    with ${cell},
    per_seed as (
      select together.sweep_id, together.metric, together.epochs, together.dropout1, together.dropout2, together.weight_decay,
             together.seed,
             baseline_cell.value as baseline,
             dropout_cell.value - baseline_cell.value as dropout_effect,
             decay_cell.value - baseline_cell.value as weight_decay_effect,
             together.value - baseline_cell.value as combined_effect,
             together.value - dropout_cell.value - decay_cell.value + baseline_cell.value as interaction
        from cell together
        join baseline k on k.sweep_id = together.sweep_id
        join cell baseline_cell
          on baseline_cell.sweep_id = together.sweep_id and baseline_cell.metric = together.metric
         and baseline_cell.epochs = together.epochs and baseline_cell.seed = together.seed
         and baseline_cell.dropout1 = k.dropout1 and baseline_cell.dropout2 = k.dropout2 and baseline_cell.weight_decay = k.weight_decay
        join cell dropout_cell
          on dropout_cell.sweep_id = together.sweep_id and dropout_cell.metric = together.metric
         and dropout_cell.epochs = together.epochs and dropout_cell.seed = together.seed
         and dropout_cell.dropout1 = together.dropout1 and dropout_cell.dropout2 = together.dropout2
         and dropout_cell.weight_decay = k.weight_decay
        join cell decay_cell
          on decay_cell.sweep_id = together.sweep_id and decay_cell.metric = together.metric
         and decay_cell.epochs = together.epochs and decay_cell.seed = together.seed
         and decay_cell.dropout1 = k.dropout1 and decay_cell.dropout2 = k.dropout2
         and decay_cell.weight_decay = together.weight_decay
       where together.weight_decay > k.weight_decay
         and (together.dropout1, together.dropout2) <> (k.dropout1, k.dropout2)
    ),
    excluded as (
      -- Seeds whose four cells were all trained to this epochs value but where any diverged:
      -- left out (every effect of a row rests on the same complete seeds), counted.
      select together.sweep_id, together.epochs, together.dropout1, together.dropout2, together.weight_decay, count(*) as n_excluded_diverged
        from flag together
        join baseline k on k.sweep_id = together.sweep_id
        join flag b on b.sweep_id = together.sweep_id and b.epochs = together.epochs and b.seed = together.seed
         and b.dropout1 = k.dropout1 and b.dropout2 = k.dropout2 and b.weight_decay = k.weight_decay
        join flag d on d.sweep_id = together.sweep_id and d.epochs = together.epochs and d.seed = together.seed
         and d.dropout1 = together.dropout1 and d.dropout2 = together.dropout2 and d.weight_decay = k.weight_decay
        join flag w on w.sweep_id = together.sweep_id and w.epochs = together.epochs and w.seed = together.seed
         and w.dropout1 = k.dropout1 and w.dropout2 = k.dropout2 and w.weight_decay = together.weight_decay
       where together.weight_decay > k.weight_decay
         and (together.dropout1, together.dropout2) <> (k.dropout1, k.dropout2)
         and (together.diverged or b.diverged or d.diverged or w.diverged)
       group by together.sweep_id, together.epochs, together.dropout1, together.dropout2, together.weight_decay
    ),
    tested as (
      select sweep_id, metric, epochs, dropout1, dropout2, weight_decay,
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
       group by sweep_id, metric, epochs, dropout1, dropout2, weight_decay
    ),
    with_t as (
      select tested.*, regsweep_t_stat(interaction_mean, interaction_sd, n) as interaction_t
        from tested
    ),
    with_p as (
      -- A single seed (sign-flip p = 1) tests nothing and stays out of the families.
      select with_t.*,
             regsweep_t_pvalue(interaction_t, (n - 1)::integer) as interaction_p,
             coalesce(regsweep_t_pvalue(interaction_t, (n - 1)::integer), case when n >= 2 then interaction_p_sign_flip end) as p_used
        from with_t
    ),
    ranked as (
      select with_p.*,
             row_number() over (partition by sweep_id, metric, epochs order by p_used nulls last) as holm_rank,
             count(p_used) over (partition by sweep_id, metric, epochs) as holm_m,
             row_number() over (partition by sweep_id, metric order by p_used nulls last) as holm_rank_all,
             count(p_used) over (partition by sweep_id, metric) as holm_m_all
        from with_p
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
           r.interaction_t, r.interaction_p,${holm('holm_rank', 'holm_m', 'r.sweep_id, r.metric, r.epochs')} as interaction_p_holm,
           r.interaction_p_sign_flip,
           case when r.interaction_p is not null then 't' when r.interaction_p_sign_flip is not null then 'sign-flip' end as p_test,
           r.p_used,${holm('holm_rank_all', 'holm_m_all', 'r.sweep_id, r.metric')} as p_holm,
           r.holm_m_all::integer as holm_m,${holm('holm_rank', 'holm_m', 'r.sweep_id, r.metric, r.epochs')} as p_holm_epochs,
           r.holm_m::integer as holm_m_epochs,
           k.dropout1 as baseline_dropout1, k.dropout2 as baseline_dropout2, k.weight_decay as baseline_weight_decay,
           case when k.dropout1 = 0 and k.dropout2 = 0 and k.weight_decay = 0 then 'no regularization'
                else 'lowest value of each axis' end as baseline_kind
      from ranked r
      join baseline k on k.sweep_id = r.sweep_id
      left join excluded x on x.sweep_id = r.sweep_id and x.epochs = r.epochs and x.dropout1 = r.dropout1
       and x.dropout2 = r.dropout2 and x.weight_decay = r.weight_decay`;

const familyComments = [
  `comment on column effect_interaction.p_holm is 'Holm over every row of the sweep and metric, at every epochs value'`,
  `comment on column effect_interaction.p_holm_epochs is 'Holm within the sweep, metric and epochs value; equals interaction_p_holm'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop view effect_interaction`.execute(db);
  await sql.raw(viewSql).execute(db);
  for (const c of familyComments) await sql.raw(c).execute(db);
  await sql`comment on column effect_interaction.baseline_kind is 'no regularization when the grid has dropout1 = dropout2 = weight_decay = 0, else the lowest value of each axis'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists effect_interaction`.execute(db);
  await sql.raw(interactionViewSql(true)).execute(db);
  for (const c of familyComments) await sql.raw(c).execute(db);
}
