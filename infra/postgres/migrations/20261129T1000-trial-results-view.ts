import { sql, type Kysely } from 'kysely';

/** One row per sweep grid point with its run's metrics at that trial's epoch. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view trial_results as
    select t.sweep_id, t.trial_key, t.run_id,
           t.dropout1, t.dropout2, t.weight_decay, t.epochs, t.seed,
           r.lr, r.batch_size, r.hidden, r.train_subset, r.status as run_status,
           m.train_loss, m.train_acc, m.train_acc_eval, m.test_loss, m.test_acc, m.gap,
           m.act_var1, m.act_var2, m.weight_norm1, m.weight_norm2, m.weight_norm3,
           m.seconds, m.eval_seconds, m.samples_per_sec, m.backend, m.worker
      from sweep_trials t
      join runs r on r.id = t.run_id
      left join epoch_metrics m on m.run_id = t.run_id and m.epoch = t.epochs`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists trial_results`.execute(db);
}
