import type pg from 'pg';

/** The role that `regsweep sql` runs every statement as; created by migration 20261130T1000. */
export const readerRole = 'regsweep_reader';

/** Predefined roles whose members read or write the server's files, or run programs on it. */
const serverAccessRoles = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'];

const readerFix = `use a login in ${readerRole} (set REGSWEEP_READER_URL, or for the local stack see \`regsweep db url --role reader\`)`;

interface PowerfulRole {
  rolname: string;
  rolsuper: boolean;
  rolcreaterole: boolean;
}

/**
 * Why this connection's login may not run a reader's statement, in one line, or null when it
 * may. The login may not when it is, or is a member of, a superuser, a role that may create
 * roles, or one of the server-access roles: lowering such a login with `SET LOCAL ROLE` is not
 * enough, because `set_config('role', …)` inside the statement itself switches back, and
 * Postgres checks that switch against the session user, who is allowed it. A login without
 * those powers that switches back only gets its own rights, inside a read-only transaction.
 * CREATEROLE counts because before Postgres 16 it may grant itself any non-superuser role,
 * the server-access roles included.
 */
export async function readerSessionProblem(client: pg.ClientBase): Promise<string | null> {
  const powerful = await client.query<PowerfulRole>(
    `select rolname, rolsuper, rolcreaterole from pg_roles
      where (rolsuper or rolcreaterole or rolname = any($1)) and pg_has_role(session_user, oid, 'MEMBER')
      order by rolname = session_user desc, rolsuper desc, rolcreaterole desc, rolname`,
    [serverAccessRoles],
  );
  const { rows } = await client.query<{ login: string; reader_exists: boolean; in_reader: boolean }>(
    `select session_user::text as login,
            exists (select from pg_roles where rolname = $1) as reader_exists,
            exists (select from pg_roles where rolname = $1 and pg_has_role(session_user, oid, 'MEMBER')) as in_reader`,
    [readerRole],
  );
  const { login, reader_exists: readerExists, in_reader: inReader } = rows[0]!;
  const worst = powerful.rows[0];
  if (worst) return `regsweep sql will not run as ${describeLogin(login, worst)}: ${readerFix}`;
  if (!readerExists) return `role ${readerRole} does not exist on this server: run \`regsweep db migrate\` as the database's owner first`;
  if (!inReader) return `regsweep sql runs as ${readerRole}, and login "${login}" is not a member: grant ${readerRole} to "${login}", or ${readerFix}`;
  return null;
}

function describeLogin(login: string, role: PowerfulRole): string {
  const own = role.rolname === login;
  if (role.rolsuper) return own ? `superuser "${login}"` : `"${login}", a member of superuser "${role.rolname}"`;
  if (role.rolcreaterole) return own ? `"${login}", which may create roles` : `"${login}", a member of "${role.rolname}", which may create roles`;
  return `"${login}", a member of ${role.rolname}`;
}
