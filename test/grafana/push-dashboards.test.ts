import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDashboardsCommand } from '../../cli/commands/dashboards-command';
import type { CommandContext } from '../../cli/command-context';
import { loadConfig } from '../../config';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { GrafanaPushError, pushDashboards } from '../../infra/grafana/push-dashboards';

/*
 * No Grafana server can be installed where these tests run, so a node:http server on
 * 127.0.0.1 stands in for Grafana's HTTP API: POST /api/folders (409 once the folder exists)
 * and POST /api/dashboards/db (create or overwrite, with a version that counts up), both
 * behind a bearer token, answering with Grafana's status codes and JSON shapes.
 */

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: any;
}

const token = 'glsa_test_token';
let server: Server;
let baseUrl: string;
let requests: Recorded[] = [];
let folders = new Set<string>();
let versions = new Map<string, number>();
/** When set, /api/dashboards/db answers with this status and message. */
let dashboardRefusal: { status: number; message: string } | null = null;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = '';
  for await (const chunk of req) text += chunk;
  const body = text ? JSON.parse(text) : null;
  requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
  if (req.headers.authorization === 'Bearer read-only') return reply(res, 403, { message: 'Access denied' });
  if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 401, { message: 'Unauthorized' });
  if (req.method === 'POST' && req.url === '/api/folders') {
    if (folders.has(body.uid)) return reply(res, 409, { message: 'a folder with the same uid already exists' });
    folders.add(body.uid);
    return reply(res, 200, { uid: body.uid, title: body.title, url: `/dashboards/f/${body.uid}/` });
  }
  if (req.method === 'POST' && req.url === '/api/dashboards/db') {
    if (dashboardRefusal) return reply(res, dashboardRefusal.status, { message: dashboardRefusal.message, status: 'name-exists' });
    if (!folders.has(body.folderUid)) return reply(res, 400, { message: 'folder not found' });
    const uid: string = body.dashboard.uid;
    if (versions.has(uid) && body.overwrite !== true)
      return reply(res, 412, { message: 'The dashboard has been changed by someone else', status: 'version-mismatch' });
    const version = (versions.get(uid) ?? 0) + 1;
    versions.set(uid, version);
    return reply(res, 200, { id: version, uid, url: `/d/${uid}/slug`, status: 'success', version });
  }
  reply(res, 404, { message: 'Not found' });
}

before(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function reset(): void {
  requests = [];
  folders = new Set();
  versions = new Map();
  dashboardRefusal = null;
}

test('pushDashboards creates the folder, then creates or overwrites each dashboard in it', async () => {
  reset();
  const dashboards = buildDashboards();
  const first = await pushDashboards(dashboards, { url: baseUrl, token });
  assert.deepEqual(
    first.map((d) => [d.uid, d.version]),
    dashboards.map((d) => [d.uid, 1]),
  );
  assert.deepEqual(
    requests.map((r) => `${r.method} ${r.url}`),
    ['POST /api/folders', ...dashboards.map(() => 'POST /api/dashboards/db')],
  );
  assert.ok(requests.every((r) => r.authorization === `Bearer ${token}`));
  assert.deepEqual(requests[0]!.body, { uid: 'regsweep', title: 'regsweep' });
  for (const [i, r] of requests.slice(1).entries()) {
    assert.equal(r.body.folderUid, 'regsweep');
    assert.equal(r.body.overwrite, true);
    assert.equal(r.body.dashboard.uid, dashboards[i]!.uid);
    assert.equal(r.body.dashboard.id, null);
    assert.deepEqual(r.body.dashboard.panels, JSON.parse(JSON.stringify(dashboards[i]!.panels)));
  }
  // Pushing again: the folder exists (409 is fine) and every dashboard is updated in place.
  const second = await pushDashboards(dashboards, { url: baseUrl, token });
  assert.deepEqual(
    second.map((d) => d.version),
    [2, 2, 2],
  );
});

const refusals: Array<[string, () => void, string | null, RegExp]> = [
  [
    'the token is wrong (401)',
    () => undefined,
    'wrong',
    /^Grafana at http:\/\/127\.0\.0\.1:\d+ refused to create the folder regsweep \(HTTP 401: Unauthorized\); the token is not valid for this Grafana; set GRAFANA_TOKEN/,
  ],
  ['no token is set (401)', () => undefined, null, /\(HTTP 401: Unauthorized\); no token was sent; set GRAFANA_TOKEN/],
  ['the token may not write (403)', () => undefined, 'read-only', /\(HTTP 403: Access denied\); .*give it the Editor role/],
  [
    'another dashboard is in the way (412)',
    () => {
      dashboardRefusal = { status: 412, message: 'A dashboard with the same name in the folder already exists' };
    },
    token,
    /refused to save dashboard regsweep-overview \(HTTP 412: A dashboard with the same name in the folder already exists\); another dashboard with the same uid or title/,
  ],
];

for (const [what, arrange, sentToken, message] of refusals) {
  test(`pushDashboards fails with one clear line when ${what}`, async () => {
    reset();
    arrange();
    const err = await pushDashboards(buildDashboards(), { url: baseUrl, token: sentToken }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GrafanaPushError);
    assert.match(err.message, message);
    assert.equal(err.message.split('\n').length, 1);
  });
}

test('pushDashboards says where it looked when Grafana is not there', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(pushDashboards(buildDashboards(), { url: `http://127.0.0.1:${port}`, token }), {
    name: 'GrafanaPushError',
    message: `cannot reach Grafana at http://127.0.0.1:${port} (ECONNREFUSED); start it, or pass its address to --push`,
  });
});

test('regsweep dashboards --push writes the files, pushes them with GRAFANA_TOKEN and prints each URL', async () => {
  reset();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-push-'));
  const lines: string[] = [];
  // grafanaToken/grafanaUrl are the config fields GRAFANA_TOKEN and GRAFANA_URL fill.
  const config = { ...loadConfig({}), grafanaToken: token, grafanaUrl: null } as CommandContext['config'];
  const ctx: CommandContext = { config, out: (l) => lines.push(l), err: (l) => lines.push(l) };
  try {
    await runDashboardsCommand(ctx, { out: dir, push: baseUrl });
    assert.deepEqual(readdirSync(dir).sort(), ['regsweep-dynamics.json', 'regsweep-effects.json', 'regsweep-overview.json']);
    assert.equal(lines.filter((l) => l.startsWith('wrote ')).length, 3);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('pushed ')),
      ['regsweep-overview', 'regsweep-effects', 'regsweep-dynamics'].map((uid) => `pushed ${uid} (version 1): ${baseUrl}/d/${uid}/slug`),
    );
    await assert.rejects(
      runDashboardsCommand({ ...ctx, config: { ...config, grafanaToken: 'wrong' } as CommandContext['config'] }, { out: dir, push: baseUrl }),
      {
        name: 'UsageError',
        message: /HTTP 401/,
      },
    );
    await assert.rejects(runDashboardsCommand(ctx, { out: dir, push: true }), { name: 'UsageError', message: /--push needs the Grafana address/ });
    await assert.rejects(runDashboardsCommand(ctx, { out: dir, push: 'ftp://grafana' }), {
      name: 'UsageError',
      message: /--push must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/grafana"/,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
