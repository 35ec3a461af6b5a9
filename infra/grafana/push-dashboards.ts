import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** The Grafana folder the dashboards go into, the same as the file provider's. */
export const grafanaFolder = { uid: 'regsweep', title: 'regsweep' } as const;

/**
 * Grafana's HTTP API refused a request or could not be reached. `status` is the HTTP status,
 * or null when no answer came; `dashboardUid` names the dashboard being pushed, if any.
 */
export class GrafanaPushError extends Error {
  constructor(
    message: string,
    readonly grafanaUrl: string,
    readonly status: number | null,
    readonly dashboardUid: string | null = null,
  ) {
    super(message);
    this.name = 'GrafanaPushError';
  }
}

export interface PushOptions {
  /** Base URL of Grafana, e.g. `http://127.0.0.1:3000` (a sub-path such as `/grafana` is kept). */
  url: string;
  /** Service account token sent as a bearer token; null sends none (anonymous or basic-auth-less setups). */
  token: string | null;
  /** Per request. @default 15000 */
  timeoutMs?: number;
}

export interface PushedDashboard {
  uid: string;
  /** Grafana's URL path of the dashboard, e.g. `/d/regsweep-overview/…`. */
  url: string;
  version: number;
}

interface GrafanaAnswer {
  status: number;
  body: Record<string, unknown>;
}

function endpoint(base: string, apiPath: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${apiPath}`;
  return u.toString();
}

async function post(options: PushOptions, apiPath: string, payload: unknown, dashboardUid: string | null): Promise<GrafanaAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(endpoint(options.url, apiPath), {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new GrafanaPushError(`cannot reach Grafana at ${options.url} (${cause}); start it, or pass its address to --push`, options.url, null, dashboardUid);
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { message: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

/** One line that says what Grafana refused and what to change. */
function refusal(options: PushOptions, what: string, answer: GrafanaAnswer, dashboardUid: string | null): GrafanaPushError {
  const said = typeof answer.body.message === 'string' && answer.body.message ? `: ${answer.body.message}` : '';
  const hints: Record<number, string> = {
    401: options.token
      ? 'the token is not valid for this Grafana; set GRAFANA_TOKEN to a service account token of this instance'
      : 'no token was sent; set GRAFANA_TOKEN to a service account token',
    403: "the token's service account may not do this; give it the Editor role (or edit rights on the regsweep folder)",
    412: 'another dashboard with the same uid or title is in the way (for example in another folder); move or delete it',
  };
  const hint = hints[answer.status] ?? 'see the Grafana server log';
  return new GrafanaPushError(`Grafana at ${options.url} refused to ${what} (HTTP ${answer.status}${said}); ${hint}`, options.url, answer.status, dashboardUid);
}

/** Creates the regsweep folder; one that already exists (409, or 412 on older Grafana) is fine. */
export async function ensureGrafanaFolder(options: PushOptions): Promise<void> {
  const answer = await post(options, '/api/folders', grafanaFolder, null);
  if (answer.status === 200 || answer.status === 409 || answer.status === 412) return;
  throw refusal(options, `create the folder ${grafanaFolder.uid}`, answer, null);
}

/**
 * Creates or replaces each dashboard in the regsweep folder through Grafana's HTTP API
 * (`POST /api/folders`, then `POST /api/dashboards/db` with `overwrite: true`), so pushing
 * again after a rebuild updates them in place.
 *
 * @throws GrafanaPushError on the first refusal (401, 403, 412, …) or when Grafana is unreachable.
 */
export async function pushDashboards(dashboards: readonly dashboard.Dashboard[], options: PushOptions): Promise<PushedDashboard[]> {
  await ensureGrafanaFolder(options);
  const pushed: PushedDashboard[] = [];
  for (const d of dashboards) {
    const uid = d.uid ?? '';
    const answer = await post(
      options,
      '/api/dashboards/db',
      { dashboard: { ...d, id: null }, folderUid: grafanaFolder.uid, overwrite: true, message: 'regsweep dashboards' },
      uid,
    );
    if (answer.status !== 200) throw refusal(options, `save dashboard ${uid}`, answer, uid);
    pushed.push({ uid, url: String(answer.body.url ?? ''), version: Number(answer.body.version ?? 0) });
  }
  return pushed;
}
