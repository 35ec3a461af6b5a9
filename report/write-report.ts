import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { loadReportData } from './report-data';
import { echartsSource, renderReportHtml } from './report-html';
import { reportSections } from './report-sections';
import { replicateReportSection } from './replicate-section';

/**
 * Writes a self-contained HTML report of one sweep to `outFile`: accuracy and gap matrices,
 * main effects, the dropout × weight decay interaction and the dropout swap with 95% intervals,
 * and per-epoch curves. The charting library (Apache ECharts) and the data are inlined, so the
 * file opens anywhere without network access. The folder is created when missing.
 *
 * @returns the absolute path written.
 * @throws Error naming the sweep when it is not in the database.
 */
export async function writeReport(db: Kysely<Database>, sweepId: string, outFile: string): Promise<string> {
  const data = await loadReportData(db, sweepId);
  // An adaptive-seed sweep says first how many seeds each comparison needed and where it stands.
  const replicate = await replicateReportSection(db, sweepId);
  const sections = [...(replicate ? [replicate] : []), ...reportSections(data)];
  const html = renderReportHtml(data, sections, await echartsSource(), new Date());
  const target = path.resolve(outFile);
  await mkdir(path.dirname(target), { recursive: true });
  // Written beside the target and renamed, so a browser reloading the file never sees half of it.
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, html);
  await rename(temp, target);
  return target;
}
