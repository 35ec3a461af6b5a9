import { sql, type Kysely } from 'kysely';

/*
 * regsweep_writer: what a worker needs and nothing more — read and write rows of every
 * table (including Kysely's migration bookkeeping, so a worker can confirm the schema is
 * current at start), but no DDL and no role management. Workers log in as their own roles
 * that are members of it; an administrator runs `regsweep db migrate` for schema changes.
 * Created like regsweep_reader: cluster-wide, tolerant of other databases creating it first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    do $$
    begin
      if exists (select from pg_roles where rolname = 'regsweep_writer') then
        return;
      end if;
      if not exists (select from pg_roles where rolname = current_user and (rolsuper or rolcreaterole)) then
        raise exception 'role regsweep_writer does not exist and % may not create roles', current_user
          using hint = 'create it once per server as a superuser (create role regsweep_writer nologin), then migrate again';
      end if;
      begin
        create role regsweep_writer nologin;
      exception when duplicate_object or unique_violation then
        null;
      end;
    end
    $$`.execute(db);
  await sql`
    do $$
    begin
      execute format('grant connect on database %I to regsweep_writer', current_database());
    end
    $$`.execute(db);
  await sql`grant usage on schema public to regsweep_writer`.execute(db);
  await sql`grant select, insert, update, delete on all tables in schema public to regsweep_writer`.execute(db);
  await sql`grant execute on all functions in schema public to regsweep_writer`.execute(db);
  await sql`alter default privileges in schema public grant select, insert, update, delete on tables to regsweep_writer`.execute(db);
  await sql`alter default privileges in schema public grant execute on functions to regsweep_writer`.execute(db);
}

// The role itself stays: other databases on the same server may still grant to it.
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter default privileges in schema public revoke execute on functions from regsweep_writer`.execute(db);
  await sql`alter default privileges in schema public revoke select, insert, update, delete on tables from regsweep_writer`.execute(db);
  await sql`revoke execute on all functions in schema public from regsweep_writer`.execute(db);
  await sql`revoke select, insert, update, delete on all tables in schema public from regsweep_writer`.execute(db);
  await sql`revoke usage on schema public from regsweep_writer`.execute(db);
  await sql`
    do $$
    begin
      execute format('revoke connect on database %I from regsweep_writer', current_database());
    end
    $$`.execute(db);
}
