import path from 'node:path';
import type { Command } from 'commander';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { GrafanaPushError, pushDashboards } from '../../infra/grafana/push-dashboards';
import { writeDashboards } from '../../infra/grafana/write-dashboards';
import { UsageError } from '../cli-errors';
import type { CommandContext } from '../command-context';

export interface DashboardsCommandOptions {
  /** Folder for the dashboard JSON files. */
  out: string;
  /** Grafana base URL; `true` (the flag without a value) means GRAFANA_URL; undefined = do not push. */
  push?: string | true;
}

function grafanaUrlFrom(ctx: CommandContext, push: string | true): string {
  const url = push === true ? ctx.config.grafanaUrl : push;
  if (!url) throw new UsageError('--push needs the Grafana address: --push http://127.0.0.1:3000, or set GRAFANA_URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--push must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--push must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  return url;
}

/** Writes the dashboards' JSON, then pushes them to Grafana when asked. */
export async function runDashboardsCommand(ctx: CommandContext, options: DashboardsCommandOptions): Promise<void> {
  const url = options.push === undefined ? null : grafanaUrlFrom(ctx, options.push);
  for (const file of await writeDashboards(path.resolve(options.out))) ctx.out(`wrote ${path.relative(process.cwd(), file) || file}`);
  if (url === null) return;
  try {
    const pushed = await pushDashboards(buildDashboards(), { url, token: ctx.config.grafanaToken });
    for (const d of pushed) ctx.out(`pushed ${d.uid} (version ${d.version}): ${new URL(d.url, url).toString()}`);
  } catch (err) {
    // Refusals the person can fix (token, permissions, a dashboard in the way, the address) are bad input.
    if (err instanceof GrafanaPushError && (err.status === null || [401, 403, 412].includes(err.status))) throw new UsageError(err.message);
    throw err;
  }
}

export function registerDashboardsCommand(program: Command, ctx: CommandContext): void {
  program
    .command('dashboards')
    .description('write the Grafana dashboards as JSON, and optionally create or update them in a Grafana (token from GRAFANA_TOKEN)')
    .option('--out <dir>', 'folder for the dashboard JSON files', 'infra/grafana/dashboards')
    .option('--push [url]', 'also push them to this Grafana (default: GRAFANA_URL) into the folder "regsweep"')
    .action(async (opts: DashboardsCommandOptions) => runDashboardsCommand(ctx, opts));
}
