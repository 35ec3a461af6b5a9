import type { RegsweepConfig } from '../../config';
import { buildDashboards } from './dashboards-src/index';
import { pushDashboards } from './push-dashboards';
import { writeDashboards } from './write-dashboards';

/**
 * What a finished sweep does for Grafana: refresh the dashboard files that a provisioning
 * file provider reads and, when GRAFANA_URL is set, push them through the HTTP API.
 * Returns where they went; a Grafana outage is reported, never fatal to the sweep.
 */
export function createDashboardPublisher(config: Pick<RegsweepConfig, 'dashboardsDir' | 'grafanaUrl' | 'grafanaToken'>, warn: (line: string) => void) {
  return async function publishDashboards(): Promise<string[]> {
    const places = await writeDashboards(config.dashboardsDir);
    if (config.grafanaUrl) {
      try {
        const pushed = await pushDashboards(buildDashboards(), { url: config.grafanaUrl, token: config.grafanaToken });
        places.push(...pushed.map((d) => new URL(d.url, config.grafanaUrl!).toString()));
      } catch (err) {
        warn(`dashboards not pushed: ${(err as Error).message}`);
      }
    }
    return places;
  };
}
