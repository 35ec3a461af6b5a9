import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { clippedFootnote, meanWithInterval, tooFewSeedsFlag, type ShownInterval } from './interval-text';
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

function bestConfigsTable(data: ReportData): string {
  const accuracy = data.configs.filter((c) => c.metric === 'test_acc');
  type Point = { variant: string; dropout1: number; dropout2: number; weight_decay: number };
  const find = <T extends Point>(rows: readonly T[], c: Point) =>
    rows.find((r) => r.variant === c.variant && r.dropout1 === c.dropout1 && r.dropout2 === c.dropout2 && r.weight_decay === c.weight_decay);
  // The variant column appears only for sweeps with several, so a one-variant report reads as before.
  const manyVariants = data.variants.length > 1;
  const gap = data.configs.filter((c) => c.metric === 'gap');
  const best = [...accuracy].sort((a, b) => b.mean - a.mean).slice(0, 10);
  if (best.length === 0) return '<p class="empty">No configuration has results yet.</p>';
  const shown = (v: ShownInterval | undefined) => escapeHtml(v ? meanWithInterval(v) : '–');
  const rows = best
    .map(
      (c) =>
        `<tr>${manyVariants ? `<td>${escapeHtml(c.variant)}</td>` : ''}<td>${c.dropout1}</td><td>${c.dropout2}</td><td>${c.weight_decay}</td><td>${c.n}</td><td>${c.n_diverged}</td>` +
        `<td>${shown(c)}</td><td>${escapeHtml(c.vs_best)}</td><td>${shown(find(data.trainAccuracy, c))}</td>` +
        `<td>${shown(find(gap, c))}</td></tr>`,
    )
    .join('\n');
  const clipped = best.some((c) => c.ci_clipped && c.interval_informative);
  return `<table class="best">
<thead><tr>${manyVariants ? '<th>variant</th>' : ''}<th>dropout1</th><th>dropout2</th><th>weight decay</th><th>seeds</th><th>diverged</th><th>test accuracy [95% CI]</th><th>vs best</th><th>train accuracy [95% CI]</th><th>train−test gap [95% CI]</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="caption">${escapeHtml(`${tooFewSeedsFlag}: fewer than 3 seeds give no informative interval. diverged: seeds whose training diverged, left out of seeds and of every statistic.`)}${clipped ? ` ${escapeHtml(clippedFootnote)}` : ''}</p>`;
}

function sectionHtml(section: ReportSection): string {
  const body =
    section.charts.length === 0
      ? section.sentences?.length
        ? ''
        : `<p class="empty">${escapeHtml(section.whyEmpty)}</p>`
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
  const sentences = section.sentences?.length ? `<ul class="sentences">\n${section.sentences.map((t) => `<li>${escapeHtml(t)}</li>`).join('\n')}\n</ul>\n` : '';
  return `<section>
<h2>${escapeHtml(section.title)}</h2>
<p>${escapeHtml(section.intro)}</p>
${sentences}${body}
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
ul.sentences li { margin-bottom: 6px; line-height: 1.4; }
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
<p class="meta">Status ${escapeHtml(sweep.status)} · ${sweep.trials} trials · ${sweep.runs} runs (${runCounts.completed} done, ${runCounts.running} running, ${runCounts.failed} failed, ${runCounts.diverged} diverged, ${runCounts.pending} waiting) · results read at ${data.epochs} epochs · generated ${escapeHtml(generatedAt.toISOString())}</p>
<section>
<h2>Best configurations</h2>
<p>Highest mean test accuracy over seeds at ${data.epochs} epochs, with 95% t-intervals over seeds clipped to the metric's range, and each configuration against the best (paired test, Holm-adjusted over this epochs value's comparisons with the best).</p>
${bestConfigsTable(data)}
</section>
${sections.map(sectionHtml).join('\n')}
<script>${echarts}</script>
<script type="application/json" id="report-charts">${scriptJson(charts)}</script>
<script>${reportPageScript}</script>
</body>
</html>
`;
}
