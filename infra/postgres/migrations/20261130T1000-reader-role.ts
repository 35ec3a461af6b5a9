import { sql, type Kysely } from 'kysely';

/*
 * regsweep_reader: a NOLOGIN role that may read every table and view of this database and
 * nothing else. Grafana and analysts log in as their own roles that are members of it
 * (docs/sql.md shows how), so no password lives in a migration.
 *
 * Roles are cluster-wide: several regsweep databases (and tests migrating databases in
 * parallel) share one. Creating it therefore tolerates both "already there" and losing a
 * race with a concurrent migration of another database. Grants and default privileges are
 * per database, so each database's migration adds its own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    do $$
    begin
      if exists (select from pg_roles where rolname = 'regsweep_reader') then
        return;
      end if;
      if not exists (select from pg_roles where rolname = current_user and (rolsuper or rolcreaterole)) then
        raise exception 'role regsweep_reader does not exist and % may not create roles', current_user
          using hint = 'create it once per server as a superuser (create role regsweep_reader nologin), then migrate again';
      end if;
      begin
        create role regsweep_reader nologin;
      exception when duplicate_object or unique_violation then
        null;
      end;
    end
    $$`.execute(db);

  await sql`
    do $$
    begin
      execute format('grant connect on database %I to regsweep_reader', current_database());
    end
    $$`.execute(db);
  await sql`grant usage on schema public to regsweep_reader`.execute(db);
  await sql`grant select on all tables in schema public to regsweep_reader`.execute(db);
  await sql`grant execute on all functions in schema public to regsweep_reader`.execute(db);
  // Default privileges apply to objects later created by the role running this migration,
  // which is the role that runs every later migration too.
  await sql`alter default privileges in schema public grant select on tables to regsweep_reader`.execute(db);
  await sql`alter default privileges in schema public grant execute on functions to regsweep_reader`.execute(db);
}

// The role itself stays: other databases on the same server may still grant to it.
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter default privileges in schema public revoke execute on functions from regsweep_reader`.execute(db);
  await sql`alter default privileges in schema public revoke select on tables from regsweep_reader`.execute(db);
  await sql`revoke execute on all functions in schema public from regsweep_reader`.execute(db);
  await sql`revoke select on all tables in schema public from regsweep_reader`.execute(db);
  await sql`revoke usage on schema public from regsweep_reader`.execute(db);
  await sql`
    do $$
    begin
      execute format('revoke connect on database %I from regsweep_reader', current_database());
    end
    $$`.execute(db);
}
