#!/bin/sh
# Runs once, when the Postgres container of infra/compose.yaml initialises its data folder.
# Creates regsweep_reader (the migrations grant it SELECT and create it only when it is
# missing) and the login role Grafana connects as, a member of regsweep_reader. The grants
# themselves arrive with `regsweep db migrate` (workers also migrate at start).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="${REGSWEEP_GRAFANA_DB_PASSWORD:-grafana}" <<'SQL'
do $$
begin
  if not exists (select from pg_roles where rolname = 'regsweep_reader') then
    create role regsweep_reader nologin;
  end if;
end
$$;
create role grafana login password :'password' in role regsweep_reader;
SQL
