import { sql, type Kysely } from 'kysely';

/*
 * effect_dropout_swap and effect_interaction get the families people read and the small-n test
 * effect_vs_control has. Appended columns, same names and meanings as in effect_vs_control:
 *   <p>_sign_flip  exact paired sign-flip p (n ≤ 12), defined when every difference is equal;
 *   p_test         't' or 'sign-flip': which test p_used comes from;
 *   p_used         the t-test p, or the sign-flip p where t is undefined because every
 *                  difference is equal; a single seed (n = 1, sign-flip p = 1) tests nothing and
 *                  stays out of the families, as these views' Holm columns always had it;
 *   p_holm         Holm over the whole (sweep, metric) family: every row of the view at every
 *                  epochs value (Holm holds under any dependence, so also between epochs of one run);
 *   holm_m         that family's size;
 *   p_holm_epochs  Holm within (sweep, metric, epochs value), the old diff_p_holm /
 *                  interaction_p_holm, which keep their names and now also adjust p_used;
 *   holm_m_epochs  that family's size.
 * Equal differences within 1e-12 (last-bit noise of subtracting accuracies on a 1e-4 grid) count
 * as equal: sd 0, t and interval undefined, as in effect_vs_control. Every existing column keeps
 * its name, type and position, so `create or replace` keeps dependents and grants.
 *
 * Both the new and the previous definition are built here from one text, so down() restores the
 * earlier views exactly.
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
    )`;

/** The sd of differences: 0 when they agree within 1e-12 (new), or plain stddev_samp (old). */
const sdOf = (x: string, families: boolean): string =>
  families ? `case when count(${x}) >= 2 then case when max(${x}) - min(${x}) <= 1e-12 then 0 else stddev_samp(${x}) end end` : `stddev_samp(${x})`;

/** Holm's step-down adjustment of `p` over rows ranked by `rank` among `m` within `partition`. */
const holm = (p: string, rank: string, m: string, partition: string): string => `
           case when ${p} is not null then
             least(1, max(${p} * (${m} - ${rank} + 1)) over (
               partition by ${partition} order by ${rank} rows between unbounded preceding and current row))
           end`;

/** The ranked CTE and the appended columns shared by both views, for a p-value named `prefix`_p. */
function familyParts(prefix: string, families: boolean): { withP: string; ranked: string; columns: string; epochsHolm: string } {
  const p = families ? 'p_used' : `${prefix}_p`;
  return {
    withP: families
      ? `regsweep_t_pvalue(${prefix}_t, (n - 1)::integer) as ${prefix}_p,
             coalesce(regsweep_t_pvalue(${prefix}_t, (n - 1)::integer), case when n >= 2 then ${prefix}_p_sign_flip end) as p_used`
      : `regsweep_t_pvalue(${prefix}_t, (n - 1)::integer) as ${prefix}_p`,
    ranked: families
      ? `row_number() over (partition by sweep_id, metric, epochs order by p_used nulls last) as holm_rank,
             count(p_used) over (partition by sweep_id, metric, epochs) as holm_m,
             row_number() over (partition by sweep_id, metric order by p_used nulls last) as holm_rank_all,
             count(p_used) over (partition by sweep_id, metric) as holm_m_all`
      : `row_number() over (partition by sweep_id, metric, epochs order by ${prefix}_p nulls last) as holm_rank,
             count(${prefix}_p) over (partition by sweep_id, metric, epochs) as holm_m`,
    epochsHolm: holm(p, 'holm_rank', 'holm_m', 'sweep_id, metric, epochs'),
    columns: families
      ? `,
           ${prefix}_p_sign_flip,
           case when ${prefix}_p is not null then 't' when ${prefix}_p_sign_flip is not null then 'sign-flip' end as p_test,
           p_used,${holm('p_used', 'holm_rank_all', 'holm_m_all', 'sweep_id, metric')} as p_holm,
           holm_m_all::integer as holm_m,${holm('p_used', 'holm_rank', 'holm_m', 'sweep_id, metric, epochs')} as p_holm_epochs,
           holm_m::integer as holm_m_epochs`
      : '',
  };
}

export function swapViewSql(families: boolean): string {
  const f = familyParts('diff', families);
  return `
    create or replace view effect_dropout_swap as
    with ${cell},
    paired as (
      select ab.sweep_id, ab.metric, ab.epochs, ab.weight_decay, ab.seed,
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
             ${sdOf('diff', families)} as diff_sd${families ? `,
             regsweep_sign_flip_p(array_agg(diff order by seed)) as diff_p_sign_flip` : ''}
        from paired
       group by sweep_id, metric, epochs, weight_decay, dropout_a, dropout_b
    ),
    with_t as (
      select tested.*,
             regsweep_ci_half_width(${families ? 'nullif(diff_sd, 0)' : 'diff_sd'}, n) as half_width,
             regsweep_t_stat(diff_mean, diff_sd, n) as diff_t
        from tested
    ),
    with_p as (
      select with_t.*, ${f.withP}
        from with_t
    ),
    ranked as (
      select with_p.*,
             ${f.ranked}
        from with_p
    )
    select sweep_id, r.metric, epochs, weight_decay, dropout_a, dropout_b, r.n::integer as n,
           coalesce(x.n_excluded_diverged, 0)::integer as n_excluded_diverged,
           mean_ab, mean_ba, diff_mean, diff_sd,
           diff_mean - half_width as diff_ci_low,
           diff_mean + half_width as diff_ci_high,
           diff_t, diff_p,${f.epochsHolm} as diff_p_holm${f.columns}
      from ranked r
      left join excluded x using (sweep_id, epochs, weight_decay, dropout_a, dropout_b)`;
}

export function interactionViewSql(families: boolean): string {
  const f = familyParts('interaction', families);
  const hw = (x: string): string => `regsweep_ci_half_width(${families ? `nullif(${sdOf(x, true)}, 0)` : `stddev_samp(${x})`}, count(*))`;
  return `
    create or replace view effect_interaction as
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
             ${hw('dropout_effect')} as dropout_effect_hw,
             avg(weight_decay_effect) as weight_decay_effect_mean,
             ${hw('weight_decay_effect')} as weight_decay_effect_hw,
             avg(combined_effect) as combined_effect_mean,
             ${hw('combined_effect')} as combined_effect_hw,
             avg(interaction) as interaction_mean,
             ${sdOf('interaction', families)} as interaction_sd,
             ${hw('interaction')} as interaction_hw${families ? `,
             regsweep_sign_flip_p(array_agg(interaction order by seed)) as interaction_p_sign_flip` : ''}
        from per_seed
       group by sweep_id, metric, epochs, dropout1, dropout2, weight_decay
    ),
    with_t as (
      select tested.*, regsweep_t_stat(interaction_mean, interaction_sd, n) as interaction_t
        from tested
    ),
    with_p as (
      select with_t.*, ${f.withP}
        from with_t
    ),
    ranked as (
      select with_p.*,
             ${f.ranked}
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
           interaction_t, interaction_p,${f.epochsHolm} as interaction_p_holm${f.columns}
      from ranked
      left join excluded x using (sweep_id, epochs, dropout1, dropout2, weight_decay)`;
}

const comments = [
  `comment on column effect_dropout_swap.p_holm is 'Holm over every row of the sweep and metric, at every epochs value'`,
  `comment on column effect_dropout_swap.p_holm_epochs is 'Holm within the sweep, metric and epochs value; equals diff_p_holm'`,
  `comment on column effect_interaction.p_holm is 'Holm over every row of the sweep and metric, at every epochs value'`,
  `comment on column effect_interaction.p_holm_epochs is 'Holm within the sweep, metric and epochs value; equals interaction_p_holm'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(swapViewSql(true)).execute(db);
  await sql.raw(interactionViewSql(true)).execute(db);
  for (const c of comments) await sql.raw(c).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The appended columns cannot be removed by `create or replace`: drop and build the old views.
  await sql`drop view if exists effect_dropout_swap`.execute(db);
  await sql`drop view if exists effect_interaction`.execute(db);
  await sql.raw(swapViewSql(false)).execute(db);
  await sql.raw(interactionViewSql(false)).execute(db);
}
