import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboards } from './dashboards-src/index';

/** Where the committed dashboards live; Grafana's file provider reads this folder. */
export const generatedDashboardsDir = fileURLToPath(new URL('./dashboards', import.meta.url));

/** The file a dashboard is written to: its uid, so renaming a title never orphans a file. */
export function dashboardFileName(d: dashboard.Dashboard): string {
  if (!d.uid) throw new Error(`dashboard ${JSON.stringify(d.title)} has no uid; every regsweep dashboard needs a fixed one`);
  return `${d.uid}.json`;
}

/** The exact text written for a dashboard: stable key order from the builders, two-space indent. */
export function renderDashboard(d: dashboard.Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

async function currentText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Writes every regsweep dashboard as `<uid>.json` into `outDir` (created when missing).
 * Idempotent: a file already holding the same text is left untouched, and a changed one is
 * replaced by rename, so Grafana's file provider never reads a half-written dashboard.
 *
 * @returns the paths of the dashboard files, in build order.
 */
export async function writeDashboards(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const d of buildDashboards()) {
    const file = path.join(outDir, dashboardFileName(d));
    const text = renderDashboard(d);
    if ((await currentText(file)) !== text) {
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, file);
    }
    written.push(file);
  }
  return written;
}
