import { sql, type Kysely } from 'kysely';

/*
 * Activation variance in long form, one row per sweep, run, epoch and hidden layer, so a
 * time-series panel can split series by layer and by whether that layer is dropped out.
 * A run shared by several sweeps appears once per sweep, with every epoch it has trained
 * (possibly beyond this sweep's largest epochs value when another sweep extended it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view activation_variance as
    select sr.sweep_id, r.id as run_id, m.epoch, l.layer, l.act_var,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           l.layer_dropout,
           (r.dropout1 > 0 or r.dropout2 > 0) as has_dropout,
           l.layer_dropout > 0 as layer_has_dropout
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      join epoch_metrics m on m.run_id = r.id
      cross join lateral (values (1, m.act_var1, r.dropout1), (2, m.act_var2, r.dropout2)) as l(layer, act_var, layer_dropout)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists activation_variance`.execute(db);
}
