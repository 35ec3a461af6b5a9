import { sql, type Kysely } from 'kysely';

/*
 * One row per sweep grid point, aggregated over seeds. `trials` counts the seeds the grid
 * asks for, `n` those whose run has reached the trial's epoch; statistics use only the n.
 * Standard deviations and confidence intervals are null below two seeds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view config_summary as
    with per_config as (
      select t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs,
             count(*) as trials,
             count(m.run_id) as n,
             avg(m.test_acc) as test_acc_mean,
             stddev_samp(m.test_acc) as test_acc_sd,
             avg(m.train_acc_eval) as train_acc_eval_mean,
             stddev_samp(m.train_acc_eval) as train_acc_eval_sd,
             avg(m.gap) as gap_mean,
             stddev_samp(m.gap) as gap_sd
        from sweep_trials t
        left join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs
       group by t.sweep_id, t.dropout1, t.dropout2, t.weight_decay, t.epochs
    )
    select sweep_id, dropout1, dropout2, weight_decay, epochs,
           trials::integer as trials, n::integer as n,
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists config_summary`.execute(db);
}
