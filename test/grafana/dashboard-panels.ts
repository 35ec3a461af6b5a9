import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { SqlQuery } from '../../infra/grafana/dashboards-src/common';

/** A built dashboard panel as it appears in the JSON: the fields the tests read. */
export type BuiltPanel = Omit<dashboard.Panel, 'targets'> & { targets?: SqlQuery[] };

/** Every panel of a dashboard that shows data (rows excluded, panels inside collapsed rows included). */
export function dataPanels(d: dashboard.Dashboard): BuiltPanel[] {
  return (d.panels ?? []).flatMap((p) => {
    const panel = p as BuiltPanel & { panels?: BuiltPanel[] };
    return panel.type === 'row' ? (panel.panels ?? []) : [panel];
  });
}

/** The dashboard's template variables in their declared order. */
export function variablesOf(d: dashboard.Dashboard): dashboard.VariableModel[] {
  return d.templating?.list ?? [];
}
