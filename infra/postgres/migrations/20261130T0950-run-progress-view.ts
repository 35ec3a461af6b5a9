import { sql, type Kysely } from 'kysely';

/*
 * Where each run of a sweep stands, for progress tables and ETA panels. The estimate of
 * time left uses the run's own mean epoch time (training plus evaluation) and is null
 * before its first epoch and once it is no longer pending or running.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view run_progress as
    select sr.sweep_id, sr.ordinal, r.id as run_id,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           r.status, r.epochs_done, r.max_epochs,
           r.epochs_done::float8 / nullif(r.max_epochs, 0) as fraction_done,
           r.attempts, r.worker, r.backend, r.error,
           r.started_at, r.finished_at,
           e.last_recorded_at, e.mean_epoch_seconds, e.last_samples_per_sec,
           case when r.status in ('pending', 'running')
                then greatest(r.max_epochs - r.epochs_done, 0) * e.mean_epoch_seconds end as eta_seconds
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      left join lateral (
        select max(m.recorded_at) as last_recorded_at,
               avg(m.seconds + m.eval_seconds) as mean_epoch_seconds,
               (array_agg(m.samples_per_sec order by m.epoch desc))[1] as last_samples_per_sec
          from epoch_metrics m
         where m.run_id = r.id
      ) e on true`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists run_progress`.execute(db);
}
