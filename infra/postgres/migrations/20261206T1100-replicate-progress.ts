import { sql, type Kysely } from 'kysely';

/*
 * Where an adaptive-seed sweep stands (docs/adaptive-seeds.md). The decision between rounds runs
 * the anytime-valid rule in the sweep's record activity, and records here what it found, so the
 * CLI, the report and Grafana read one answer instead of recomputing an e-process in SQL.
 *
 * replicate_sweeps: one row per adaptive sweep: rounds trained so far, the runs it has used, and
 * what a fixed list of maxSeeds seeds for every configuration would have cost.
 * replicate_comparisons: one row per comparison as of the latest decision: its interval, seeds
 * and status. A decision replaces the sweep's rows, so comparisons an edited spec dropped go.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table replicate_sweeps (
      sweep_id text primary key references sweeps(id) on delete cascade,
      metric text not null,
      epochs integer not null,
      compare text not null,
      target text not null,
      round integer not null check (round >= 0),
      last_added integer not null check (last_added >= 0),
      last_reused integer not null check (last_reused >= 0),
      configs integer not null check (configs >= 1),
      max_seeds integer not null check (max_seeds >= 1),
      runs integer not null check (runs >= 0),
      fixed_runs integer not null check (fixed_runs >= 0),
      finished boolean not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table replicate_comparisons (
      sweep_id text not null references sweeps(id) on delete cascade,
      comparison_id text not null,
      ordinal integer not null,
      config text not null,
      other text,
      status text not null check (status in ('resolved', 'unresolved', 'stopped-at-cap')),
      n integer not null check (n >= 0),
      config_seeds integer not null check (config_seeds >= 0),
      other_seeds integer check (other_seeds >= 0),
      mean double precision,
      ci_low double precision,
      ci_high double precision,
      half_width double precision,
      interval text not null check (interval in ('t', 'anytime')),
      confidence double precision not null check (confidence > 0 and confidence < 1),
      p_anytime double precision,
      holm_threshold double precision,
      round integer not null,
      primary key (sweep_id, comparison_id),
      unique (sweep_id, ordinal)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists replicate_comparisons`.execute(db);
  await sql`drop table if exists replicate_sweeps`.execute(db);
}
