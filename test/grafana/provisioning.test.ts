import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { postgresDatasource } from '../../infra/grafana/dashboards-src/common';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { grafanaFolder } from '../../infra/grafana/push-dashboards';
import { generatedDashboardsDir } from '../../infra/grafana/write-dashboards';
import { sweepSearchAttributes } from '../../infra/temporal/search-attributes';
import { createTestDatabase } from '../helpers/test-database';

// Docker does not run where these tests run: the files are checked for what Grafana and
// Compose would read from them, not started.

const infra = path.resolve('infra');
const provisioning = path.join(infra, 'grafana', 'provisioning');
const readYaml = (file: string): any => parse(readFileSync(file, 'utf8'));

const datasourceFile = readYaml(path.join(provisioning, 'datasources', 'regsweep-postgres.yaml'));
const providerFile = readYaml(path.join(provisioning, 'dashboards', 'regsweep.yaml'));
const compose = readYaml(path.join(infra, 'compose.yaml'));
const grafana = compose.services.grafana;

/** Compose bind mounts of a service as {source (absolute), target}. */
function bindMounts(service: { volumes: string[] }): Array<{ source: string; target: string }> {
  return service.volumes
    .map((v) => v.split(':'))
    .filter(([source]) => source!.startsWith('.'))
    .map(([source, target]) => ({ source: path.resolve(infra, source!), target: target! }));
}

const envReference = /^\$\{([A-Z0-9_]+)\}$/;

test('the data source is the PostgreSQL plugin with the uid the dashboards use, credentials from the environment', () => {
  assert.equal(datasourceFile.apiVersion, 1);
  assert.equal(datasourceFile.datasources.length, 1);
  const ds = datasourceFile.datasources[0];
  assert.equal(ds.type, postgresDatasource.type);
  assert.equal(ds.uid, postgresDatasource.uid);
  for (const value of [ds.url, ds.user, ds.jsonData.database, ds.secureJsonData.password]) assert.match(value, envReference);
  assert.equal(ds.password, undefined, 'the password belongs in secureJsonData');
  // Every variable the file reads is set on the Grafana service.
  const used = JSON.stringify(ds)
    .match(/\$\{[A-Z0-9_]+\}/g)!
    .map((m) => m.slice(2, -1));
  for (const name of used) assert.ok(name in grafana.environment, `compose does not set ${name} for Grafana`);
  assert.equal(grafana.environment.REGSWEEP_GRAFANA_DB_USER, 'grafana');
});

test('the dashboard provider reads the generated dashboards from where compose mounts them', () => {
  assert.equal(providerFile.apiVersion, 1);
  const provider = providerFile.providers[0];
  assert.equal(provider.type, 'file');
  assert.equal(provider.folderUid, grafanaFolder.uid, 'provisioning and --push should use the same folder');
  const mounts = bindMounts(grafana);
  const dashboards = mounts.find((m) => m.target === provider.options.path);
  assert.ok(dashboards, `no volume of the grafana service is mounted at ${provider.options.path}`);
  assert.equal(dashboards.source, generatedDashboardsDir);
  const files = readdirSync(dashboards.source)
    .filter((f) => f.endsWith('.json'))
    .sort();
  assert.deepEqual(
    files,
    buildDashboards()
      .map((d) => `${d.uid}.json`)
      .sort(),
  );
  assert.ok(mounts.some((m) => m.source === provisioning && m.target === '/etc/grafana/provisioning'));
});

test("compose starts Postgres, the Temporal dev server with regsweep's search attributes, and Grafana", () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['grafana', 'postgres', 'temporal']);
  const command: string[] = compose.services.temporal.command;
  assert.deepEqual(command.slice(0, 2), ['server', 'start-dev']);
  for (const [name, type] of Object.entries(sweepSearchAttributes)) assert.ok(command.includes(`${name}=${type}`), `missing search attribute ${name}`);
  assert.equal(grafana.depends_on.postgres.condition, 'service_healthy');
  for (const m of [...bindMounts(grafana), ...bindMounts(compose.services.postgres)]) assert.ok(existsSync(m.source), `${m.source} does not exist`);
});

test('the Postgres init script creates a Grafana login role that belongs to regsweep_reader', async () => {
  const script = readFileSync(path.join(infra, 'grafana', 'postgres-init', '10-grafana-reader.sh'), 'utf8');
  const sql = /<<'SQL'\n([\s\S]*?)\nSQL/.exec(script)?.[1];
  assert.ok(sql, 'the script holds its SQL in a heredoc');
  // Roles are global to the server: run the SQL in a transaction that is rolled back.
  const db = await createTestDatabase('regsweep_init');
  try {
    const out = execFileSync('psql', [db.url, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-v', 'password=test-only'], {
      input: `begin;\n${sql}\nselect pg_has_role('grafana', 'regsweep_reader', 'member') and rolcanlogin from pg_roles where rolname = 'grafana';\nrollback;\n`,
      encoding: 'utf8',
    });
    assert.equal(out.trim(), 't');
  } finally {
    await db.drop();
  }
});
