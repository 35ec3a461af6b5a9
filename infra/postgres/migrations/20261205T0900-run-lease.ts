import { sql, type Kysely } from 'kysely';

/*
 * The run's lease: which attempt of which trainRun activity owns the run's row. An attempt
 * records its lease when it starts training the run; every later write of that attempt first
 * checks, in the same transaction, that the row still carries it. `lease_owner` names the
 * activity (its workflow execution's run id and activity id), `lease_attempt` its Temporal
 * attempt number. A run that never trained has neither.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table runs add column lease_owner text, add column lease_attempt integer`.execute(db);
  await sql`alter table runs add constraint runs_lease_whole check ((lease_owner is null) = (lease_attempt is null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table runs drop constraint runs_lease_whole, drop column lease_owner, drop column lease_attempt`.execute(db);
}
