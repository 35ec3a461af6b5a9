import { sql, type Kysely } from 'kysely';

/*
 * How precisely one epoch's test accuracy measures the network's accuracy on Fashion-MNIST-like
 * images: it is a share of correct answers over the test images, so its binomial standard error
 * is √(p (1 − p) / n_test).
 *
 * epoch_metrics.test_count is n_test, the number of test images the epoch was evaluated on.
 * Every run so far evaluated the whole Fashion-MNIST test split, which loadDataset accepts only
 * when it holds exactly 10,000 images, and training has no option to evaluate fewer; so the
 * column defaults to 10,000, which is true of every existing row. It is stored per row rather
 * than assumed in the views so that a run evaluated on other data can say so.
 *
 * epoch_test_accuracy lists every recorded epoch of every run of a sweep with that error as
 * test_accuracy_se (null for the epoch in which a run diverged); run_progress appends the latest
 * epoch's test accuracy and its error.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table epoch_metrics
      add column test_count integer not null default 10000
      constraint epoch_metrics_test_count_positive check (test_count > 0)`.execute(db);
  await sql`comment on column epoch_metrics.test_count is 'test images the epoch was evaluated on: the n of test_acc'`.execute(db);

  await sql`
    create function regsweep_binomial_se(p double precision, n integer) returns double precision
    language sql immutable strict parallel safe as $$
      select case when n >= 1 and p >= 0 and p <= 1 then sqrt(p * (1 - p) / n) end
    $$`.execute(db);

  await sql`
    create view epoch_test_accuracy as
    select sr.sweep_id, r.id as run_id, m.epoch,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           m.diverged, m.test_acc, m.test_count,
           regsweep_binomial_se(m.test_acc, m.test_count) as test_accuracy_se
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      join epoch_metrics m on m.run_id = r.id`.execute(db);

  // Appends last_test_acc and test_accuracy_se (create or replace keeps the existing columns).
  await sql`
    create or replace view run_progress as
    select sr.sweep_id, sr.ordinal, r.id as run_id,
           r.dropout1, r.dropout2, r.weight_decay, r.seed,
           r.status, r.epochs_done, r.max_epochs,
           r.epochs_done::float8 / nullif(r.max_epochs, 0) as fraction_done,
           r.attempts, r.worker, r.backend, r.error,
           r.started_at, r.finished_at,
           e.last_recorded_at, e.mean_epoch_seconds, e.last_samples_per_sec,
           case when r.status in ('pending', 'running')
                then greatest(r.max_epochs - r.epochs_done, 0) * e.mean_epoch_seconds end as eta_seconds,
           r.diverged_at_epoch,
           e.last_test_acc,
           regsweep_binomial_se(e.last_test_acc, e.last_test_count) as test_accuracy_se
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      left join lateral (
        select max(m.recorded_at) as last_recorded_at,
               avg(m.seconds + m.eval_seconds) as mean_epoch_seconds,
               (array_agg(m.samples_per_sec order by m.epoch desc))[1] as last_samples_per_sec,
               -- The latest epoch with a result: a diverged run's last row has none.
               (array_agg(m.test_acc order by m.epoch desc) filter (where m.test_acc is not null))[1] as last_test_acc,
               (array_agg(m.test_count order by m.epoch desc) filter (where m.test_acc is not null))[1] as last_test_count
          from epoch_metrics m
         where m.run_id = r.id
      ) e on true`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Columns cannot be removed by create or replace; nothing else depends on run_progress.
  await sql`drop view if exists run_progress`.execute(db);
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
                then greatest(r.max_epochs - r.epochs_done, 0) * e.mean_epoch_seconds end as eta_seconds,
           r.diverged_at_epoch
      from sweep_runs sr
      join runs r on r.id = sr.run_id
      left join lateral (
        select max(m.recorded_at) as last_recorded_at,
               avg(m.seconds + m.eval_seconds) as mean_epoch_seconds,
               (array_agg(m.samples_per_sec order by m.epoch desc))[1] as last_samples_per_sec
          from epoch_metrics m
         where m.run_id = r.id
      ) e on true`.execute(db);
  await sql`drop view if exists epoch_test_accuracy`.execute(db);
  await sql`drop function if exists regsweep_binomial_se(double precision, integer)`.execute(db);
  await sql`alter table epoch_metrics drop column if exists test_count`.execute(db);
}
