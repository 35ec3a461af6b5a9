import { sql, type Kysely } from 'kysely';

/*
 * The analyses the report and the dashboards both show, written once: the paired main effect of
 * each grid axis, and the per-epoch curves with and without dropout (losses, accuracies, gap,
 * hidden activation variance) and of the weight norms per weight decay.
 *
 * Each is a function of the selection the dashboards offer (weight decays and, for curves, one
 * seed or the mean over seeds), because an average over a chosen subset of weight decays is not
 * an average of per-weight-decay rows; each view is its function applied to the whole sweep,
 * which is what the report shows. Weight decays, epochs and seeds are passed as text, as the
 * dashboards' variables give them (the strings Postgres prints for those columns); a null
 * weight-decay list means every weight decay, seed 'mean' every seed.
 *
 * Main effect of an axis at one epochs value: per seed, the mean over the other axes at each
 * level minus the mean at the axis' lowest level; then the mean of that difference over seeds
 * and its 95% t-interval, clipped to [−1, 1] (the range a difference of two fractions can take)
 * and null below 3 seeds, where it would not inform. Trials without a metric (not there yet, or
 * diverged) are left out.
 *
 * Curves: "dropout" pools every run with any dropout, "no dropout" the dropout1 = dropout2 = 0
 * runs; for activations, layer l is "dropped out" when its own rate is above 0. Every epoch up to
 * the sweep's largest epochs value (a run shared with a sweep that trained it further has more).
 */

const mainEffectColumns = `axis text, level double precision, n bigint, test_acc double precision,
  test_acc_effect double precision, test_acc_effect_ci_low double precision, test_acc_effect_ci_high double precision,
  gap_effect double precision, gap_effect_ci_low double precision, gap_effect_ci_high double precision`;

const halfWidth = (column: string): string => `regsweep_ci_half_width(stddev_samp(${column}), count(*))`;
const low = (column: string): string => `case when count(*) >= 3 then greatest(-1, avg(${column}) - ${halfWidth(column)}) end`;
const high = (column: string): string => `case when count(*) >= 3 then least(1, avg(${column}) + ${halfWidth(column)}) end`;

const mainEffectFunction = `
  create function regsweep_main_effect(p_sweep_id text, p_epochs text, p_weight_decays text[] default null)
  returns table (${mainEffectColumns})
  language sql stable parallel safe as $$
    with cells as (
      select t.dropout1, t.dropout2, t.weight_decay, t.seed, t.test_acc, t.gap
        from trial_results as t
       where t.sweep_id = p_sweep_id and t.epochs::text = p_epochs
         and (p_weight_decays is null or t.weight_decay::text = any(p_weight_decays))
         and t.test_acc is not null
    ), per_seed as (
      select 'dropout1'::text as axis, dropout1 as level, seed, avg(test_acc) as test_acc, avg(gap) as gap from cells group by dropout1, seed
      union all
      select 'dropout2', dropout2, seed, avg(test_acc), avg(gap) from cells group by dropout2, seed
      union all
      select 'weight_decay', weight_decay, seed, avg(test_acc), avg(gap) from cells group by weight_decay, seed
    ), paired as (
      select p.axis, p.level, p.seed, p.test_acc, p.gap,
             p.test_acc - b.test_acc as test_acc_effect, p.gap - b.gap as gap_effect
        from per_seed as p
        join per_seed as b
          on b.axis = p.axis and b.seed = p.seed
         and b.level = (select min(level) from per_seed as m where m.axis = p.axis)
    )
    select axis, level, count(*), avg(test_acc),
           avg(test_acc_effect), ${low('test_acc_effect')}, ${high('test_acc_effect')},
           avg(gap_effect), ${low('gap_effect')}, ${high('gap_effect')}
      from paired
     group by axis, level
     order by axis, level
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
].join(', ');

/** The runs of a sweep in the selection, with every epoch up to the sweep's largest epochs value. */
const selectedEpochs = `
      from sweep_runs as sr
      join runs as r on r.id = sr.run_id
      join epoch_metrics as m on m.run_id = r.id
     where sr.sweep_id = p_sweep_id
       and (p_weight_decays is null or r.weight_decay::text = any(p_weight_decays))
       and (p_seed = 'mean' or r.seed::text = p_seed)
       and m.epoch <= (select max(epochs) from sweep_trials where sweep_id = p_sweep_id)`;

const epochCurveFunction = `
  create function regsweep_epoch_curve(p_sweep_id text, p_weight_decays text[] default null, p_seed text default 'mean')
  returns table (${epochCurveColumns})
  language sql stable parallel safe as $$
    select m.epoch,
           count(m.test_acc) filter (where ${withoutDropout}),
           count(m.test_acc) filter (where ${withDropout}),
           ${curveMetrics.flatMap((c) => [`avg(m.${c}) filter (where ${withoutDropout})`, `avg(m.${c}) filter (where ${withDropout})`]).join(',\n           ')},
           avg(m.act_var1) filter (where r.dropout1 > 0),
           avg(m.act_var1) filter (where r.dropout1 = 0),
           avg(m.act_var2) filter (where r.dropout2 > 0),
           avg(m.act_var2) filter (where r.dropout2 = 0)
    ${selectedEpochs}
     group by m.epoch
     order by m.epoch
  $$`;

const weightNormCurveFunction = `
  create function regsweep_weight_norm_curve(p_sweep_id text, p_weight_decays text[] default null, p_seed text default 'mean')
  returns table (weight_decay double precision, epoch integer, runs bigint, w1 double precision, w2 double precision, w3 double precision)
  language sql stable parallel safe as $$
    select r.weight_decay, m.epoch, count(m.weight_norm1), avg(m.weight_norm1), avg(m.weight_norm2), avg(m.weight_norm3)
    ${selectedEpochs}
     group by r.weight_decay, m.epoch
     order by r.weight_decay, m.epoch
  $$`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(mainEffectFunction).execute(db);
  await sql.raw(epochCurveFunction).execute(db);
  await sql.raw(weightNormCurveFunction).execute(db);
  await sql`
    create view main_effect as
    select e.sweep_id, e.epochs, f.*
      from (select distinct sweep_id, epochs from sweep_trials) as e
     cross join lateral regsweep_main_effect(e.sweep_id, e.epochs::text) as f`.execute(db);
  await sql`
    create view epoch_curve as
    select s.id as sweep_id, f.*
      from sweeps as s
     cross join lateral regsweep_epoch_curve(s.id) as f`.execute(db);
  await sql`
    create view weight_norm_curve as
    select s.id as sweep_id, f.*
      from sweeps as s
     cross join lateral regsweep_weight_norm_curve(s.id) as f`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists weight_norm_curve`.execute(db);
  await sql`drop view if exists epoch_curve`.execute(db);
  await sql`drop view if exists main_effect`.execute(db);
  await sql`drop function if exists regsweep_weight_norm_curve(text, text[], text)`.execute(db);
  await sql`drop function if exists regsweep_epoch_curve(text, text[], text)`.execute(db);
  await sql`drop function if exists regsweep_main_effect(text, text, text[])`.execute(db);
}
