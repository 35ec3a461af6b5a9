import { sql, type Kysely } from 'kysely';

/*
 * noise_diagnostic answers "do configurations differ by more than seed noise?" with a one-way
 * ANOVA per (sweep, metric, epochs value): k configurations with n_i runs each (N in all),
 *   F = [Σ n_i (mean_i − grand)² / (k − 1)] / [Σ (n_i − 1) s_i² / (N − k)],
 * on df1 = k − 1 and df2 = N − k, p = P(F_{df1,df2} > F) = I_{df2/(df2 + df1·F)}(df2/2, df1/2).
 * Only runs that did not diverge count (a diverged run has no metric); they are counted in
 * n_diverged. This replaces the rule "sd of config means ≈ seed sd means noise", which ignored
 * that the sd of a mean of n seeds is σ/√n: the F ratio puts n back.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function regsweep_f_pvalue(f double precision, df1 integer, df2 integer) returns double precision
    language plpgsql immutable strict parallel safe as $$
    begin
      if df1 < 1 or df2 < 1 or f < 0 or f = 'NaN'::float8 then
        return null;
      end if;
      if f = 'Infinity'::float8 then
        return 0;
      end if;
      return least(1, regsweep_beta_inc(df2 / (df2 + df1 * f), df2 / 2.0, df1 / 2.0));
    end
    $$`.execute(db);

  await sql`
    create view noise_diagnostic as
    with cell as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs, v.metric, v.value
        from trial_results t
        cross join lateral (values ('test_acc'::text, t.test_acc), ('gap'::text, t.gap)) as v(metric, value)
       where v.value is not null and not t.diverged
    ),
    centred as (
      select cell.*,
             avg(value) over (partition by sweep_id, metric, epochs, dropout1, dropout2, weight_decay) as config_mean,
             avg(value) over (partition by sweep_id, metric, epochs) as grand_mean
        from cell
    ),
    per_config as (
      select sweep_id, metric, epochs, dropout1, dropout2, weight_decay,
             count(*) as n, min(grand_mean) as grand_mean,
             count(*) * (min(config_mean) - min(grand_mean)) ^ 2 as between_ss,
             sum((value - config_mean) ^ 2) as within_ss,
             -- Equal values within 1e-12 (last-bit noise) are no spread, as in the effect views.
             max(value) - min(value) > 1e-12 as has_spread
        from centred
       group by sweep_id, metric, epochs, dropout1, dropout2, weight_decay
    ),
    per_family as (
      select sweep_id, metric, epochs,
             count(*) as k, sum(n) as n, min(grand_mean) as grand_mean,
             sum(between_ss) as between_ss, sum(within_ss) as within_ss, bool_or(has_spread) as has_spread
        from per_config
       group by sweep_id, metric, epochs
    ),
    diverged as (
      select sweep_id, epochs, count(*) filter (where diverged) as n_diverged
        from trial_results
       group by sweep_id, epochs
    ),
    tested as (
      select f.*, coalesce(d.n_diverged, 0) as n_diverged,
             (f.k - 1)::integer as df1, (f.n - f.k)::integer as df2,
             case when f.k >= 2 then f.between_ss / (f.k - 1) end as between_ms,
             case when f.n > f.k then f.within_ss / (f.n - f.k) end as within_ms
        from per_family f
        left join diverged d on d.sweep_id = f.sweep_id and d.epochs = f.epochs
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
           end as note
      from with_f`.execute(db);
  await sql`comment on view noise_diagnostic is 'one-way ANOVA across configurations per sweep, metric and epochs value, over runs that did not diverge'`.execute(db);
  await sql`comment on column noise_diagnostic.p is 'P(F(df1, df2) > f): below 0.05, differences between configurations exceed seed noise'`.execute(db);
  await sql`comment on column noise_diagnostic.note is 'why f and p are null, or null when they are defined'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists noise_diagnostic`.execute(db);
  await sql`drop function if exists regsweep_f_pvalue(double precision, integer, integer)`.execute(db);
}
