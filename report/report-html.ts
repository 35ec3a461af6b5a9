import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ConfigSummaryView } from '../db/config-summary.view';
import type { ReportData } from './report-data';
import { reportPageScript } from './report-page-script';
import type { ReportSection } from './report-sections';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that is safe inside a <script> element: no `</script>` or `<!--` can appear. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** ECharts' own minified build, inlined so the page needs no network when opened. */
export async function echartsSource(): Promise<string> {
  const file = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  return (await readFile(file, 'utf8')).replace(/<\/script/gi, '<\\/script');
}

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

function bestConfigsTable(configs: readonly ConfigSummaryView[]): string {
  const best = configs
    .filter((c) => c.test_acc_mean !== null)
    .sort((a, b) => (b.test_acc_mean ?? 0) - (a.test_acc_mean ?? 0))
    .slice(0, 10);
  if (best.length === 0) return '<p class="empty">No configuration has results yet.</p>';
  const rows = best
    .map(
      (c) =>
        `<tr><td>${c.dropout1}</td><td>${c.dropout2}</td><td>${c.weight_decay}</td><td>${c.n}</td>` +
        `<td>${pct(c.test_acc_mean)}</td><td>${pct(c.test_acc_ci_low)} – ${pct(c.test_acc_ci_high)}</td><td>${pct(c.gap_mean)}</td></tr>`,
    )
    .join('\n');
  return `<table class="best">
<thead><tr><th>dropout1</th><th>dropout2</th><th>weight decay</th><th>seeds</th><th>test accuracy</th><th>95% interval</th><th>train−test gap</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function sectionHtml(section: ReportSection): string {
  const body =
    section.charts.length === 0
      ? `<p class="empty">${escapeHtml(section.whyEmpty)}</p>`
      : `<div class="${section.compact ? 'charts compact' : 'charts'}">
${section.charts
  .map(
    (c) => `<figure>
<figcaption><strong>${escapeHtml(c.title)}</strong></figcaption>
<div class="chart" id="${escapeHtml(c.id)}" style="height:${c.height ?? 320}px"></div>
<p class="caption">${escapeHtml(c.caption)}</p>
</figure>`,
  )
  .join('\n')}
</div>`;
  return `<section>
<h2>${escapeHtml(section.title)}</h2>
<p>${escapeHtml(section.intro)}</p>
${body}
</section>`;
}

const styles = `
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 24px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin-top: 40px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; margin-top: 0; }
.charts { display: grid; grid-template-columns: 1fr; gap: 16px; }
.charts.compact { grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
figure { margin: 0; } figcaption { margin-bottom: 4px; }
.chart { width: 100%; }
.caption { color: #555; font-size: 0.9em; margin-top: 4px; }
.empty { color: #777; font-style: italic; }
table.best { border-collapse: collapse; } table.best td, table.best th { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; }
`;

/** The whole report page: text, tables, the inlined charting library and the chart options. */
export function renderReportHtml(data: ReportData, sections: readonly ReportSection[], echarts: string, generatedAt: Date): string {
  const { sweep, runCounts } = data;
  const charts = sections.flatMap((s) => s.charts.map((c) => ({ id: c.id, option: c.option })));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>regsweep report: ${escapeHtml(sweep.id)}</title>
<style>${styles}</style>
</head>
<body>
<h1>Sweep ${escapeHtml(sweep.id)}</h1>
<p class="meta">Status ${escapeHtml(sweep.status)} · ${sweep.trials} trials · ${sweep.runs} runs (${runCounts.completed} done, ${runCounts.running} running, ${runCounts.failed} failed, ${runCounts.pending} waiting) · results read at ${data.epochs} epochs · generated ${escapeHtml(generatedAt.toISOString())}</p>
<section>
<h2>Best configurations</h2>
<p>Highest mean test accuracy over seeds at ${data.epochs} epochs, with 95% t-intervals over seeds.</p>
${bestConfigsTable(data.configs)}
</section>
${sections.map(sectionHtml).join('\n')}
<script>${echarts}</script>
<script type="application/json" id="report-charts">${scriptJson(charts)}</script>
<script>${reportPageScript}</script>
</body>
</html>
`;
}
