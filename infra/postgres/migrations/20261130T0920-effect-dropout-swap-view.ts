import { sql, type Kysely } from 'kysely';

/*
 * Does it matter which hidden layer gets the larger dropout rate? For every pair of rates
 * a < b in a sweep, compares dropout1 = a, dropout2 = b with the swapped setting at the same
 * weight decay, epochs and seed: diff = value(a, b) − value(b, a), a paired t-test over the
 * seeds that have both, and Holm's step-down adjustment over every comparison of one
 * sweep, epochs value and metric (the family a person scans in one table or panel).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view effect_dropout_swap as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed, v.metric, v.value
        from sweep_trials t
        join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs
        cross join lateral (values ('test_acc'::text, m.test_acc), ('gap'::text, m.gap)) as v(metric, value)
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
    select sweep_id, metric, epochs, weight_decay, dropout_a, dropout_b, n::integer as n,
           mean_ab, mean_ba, diff_mean, diff_sd,
           diff_mean - half_width as diff_ci_low,
           diff_mean + half_width as diff_ci_high,
           diff_t, diff_p,
           case when diff_p is not null then
             least(1, max(diff_p * (holm_m - holm_rank + 1)) over (
               partition by sweep_id, metric, epochs order by holm_rank rows between unbounded preceding and current row))
           end as diff_p_holm
      from ranked`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists effect_dropout_swap`.execute(db);
}
