import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { createSweepRecordActivities } from '../../activities/sweep-records';
import { runReportCommand } from '../../cli/commands/report-command';
import type { CommandContext } from '../../cli/command-context';
import { loadConfig } from '../../config';
import { writeReport } from '../../report/write-report';
import { openRealSweepDatabase, type RealSweepDatabase } from '../helpers/real-sweep-fixture';

/*
 * The report of a real small sweep, opened in headless Chromium (Debian's `chromium`) with a
 * fresh profile: every chart draws something, the library reports data in every series, the
 * console stays clean, and the page asks for nothing but itself.
 */

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const expectedCharts = [
  'effects-vs-control',
  'accuracy-matrix-1',
  'accuracy-matrix-2',
  'gap-matrix-1',
  'gap-matrix-2',
  'interaction-bars',
  'interaction-terms',
  'dropout-swap',
  'loss-curves',
  'accuracy-curves',
  'gap-curves',
  'activation-variance',
  'weight-norms',
];

interface ChartState {
  id: string;
  width: number;
  height: number;
  canvases: number;
  inkedShare: number;
  series: Array<{ type: string; name: string; points: number }>;
}

let fx: RealSweepDatabase;
let dir: string;
let reportFile: string;

before(async () => {
  fx = await openRealSweepDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-report-'));
  reportFile = await writeReport(fx.handle.db, fx.sweepId, path.join(dir, 'out', 'report.html'));
});
after(async () => {
  await fx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('writeReport writes one self-contained HTML file with the charting library inlined', () => {
  assert.equal(reportFile, path.join(dir, 'out', 'report.html'));
  const html = readFileSync(reportFile, 'utf8');
  assert.doesNotMatch(html, /<script[^>]*\ssrc=/i, 'no external scripts');
  assert.doesNotMatch(html, /<link[^>]*>/i, 'no external stylesheets or preloads');
  assert.doesNotMatch(html, /<(img|iframe)[^>]*\ssrc="?https?:/i);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.ok(html.includes('echarts'), 'the ECharts build is inlined');
  assert.match(html, /<h1>Sweep real-mini<\/h1>/);
  assert.match(html, /16 runs \(16 done, 0 running, 0 failed, 0 diverged, 0 waiting\)/);
});

async function launch(): Promise<BrowserContext> {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`);
  return chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
  });
}

test('the report draws every chart in headless Chromium with no console errors and no network requests', async () => {
  const context = await launch();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const pageUrl = pathToFileURL(reportFile).toString();
    await context.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.request().url() === pageUrl ? route.continue() : route.abort();
    });
    await page.goto(pageUrl);
    await page.waitForSelector(`body[data-charts-rendered="${expectedCharts.length}"]`, { timeout: 20_000 });

    // Runs in the page; typed loosely because this project compiles without the DOM library.
    const charts = await page.evaluate((): ChartState[] => {
      const page = globalThis as any;
      return [...page.document.querySelectorAll('.chart')].map((el: any) => {
        // ECharts may add layers (hover, marks) as further canvases; the chart is drawn on the first.
        const canvases = [...el.querySelectorAll('canvas')];
        const canvas = canvases[0];
        const pixels: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked++;
        const option = page.echarts.getInstanceByDom(el).getOption();
        return {
          id: el.id,
          width: el.clientWidth,
          height: el.clientHeight,
          canvases: canvases.length,
          inkedShare: inked / (canvas.width * canvas.height),
          series: option.series.map((s: any) => ({ type: s.type, name: s.name, points: (s.data ?? []).length })),
        };
      });
    });
    const states = charts;
    assert.deepEqual(
      states.map((c) => c.id),
      expectedCharts,
    );
    for (const c of states) {
      assert.ok(c.width > 200 && c.height > 200, `${c.id}: ${c.width}×${c.height}`);
      assert.ok(c.canvases >= 1, `${c.id}: no canvas`);
      assert.ok(c.inkedShare > 0.01, `${c.id}: only ${(c.inkedShare * 100).toFixed(2)}% of the canvas is drawn`);
      assert.ok(c.series.length > 0, `${c.id}: no series`);
      for (const s of c.series) assert.ok(s.points > 0, `${c.id}: series ${s.name} has no data`);
    }
    // Two seeds give no informative interval: no error bar is drawn anywhere.
    for (const id of ['effects-vs-control', 'interaction-terms', 'dropout-swap']) {
      assert.ok(
        states.find((c) => c.id === id)!.series.every((s) => s.type !== 'custom'),
        `${id}: error bars from two seeds`,
      );
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [pageUrl]);

  } finally {
    await context.close();
  }
});

test("the report's accuracy matrices hold the sweep's means over seeds", async () => {
  const html = readFileSync(reportFile, 'utf8');
  const json = /<script type="application\/json" id="report-charts">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const charts = JSON.parse(json) as Array<{
    id: string;
    option: { series: Array<{ data: number[][] }>; xAxis: { data: string[] }; yAxis: { data: string[] } };
  }>;
  const summary = await fx.handle.db.selectFrom('config_summary').selectAll().where('epochs', '=', 3).execute();
  for (const [i, wd] of [0, 0.001].entries()) {
    const chart = charts.find((c) => c.id === `accuracy-matrix-${i + 1}`)!;
    for (const [x, y, value, n] of chart.option.series[0]!.data) {
      const row = summary.find(
        (s) => s.weight_decay === wd && String(s.dropout1) === chart.option.yAxis.data[y!] && String(s.dropout2) === chart.option.xAxis.data[x!],
      )!;
      assert.equal(value, Number(row.test_acc_mean!.toPrecision(6)));
      assert.equal(n, 2);
    }
  }
});

/** The sentences (list items) of the report section titled `title`, HTML entities left as written. */
function sectionSentences(html: string, title: string): string[] {
  const section = new RegExp(`<h2>${title.replace(/[?()]/g, '\\$&')}</h2>([\\s\\S]*?)</section>`).exec(html);
  assert.ok(section, `no section ${title}`);
  return [...section[1]!.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!);
}

test('the report says in words that two seeds give no informative interval or p-value', () => {
  const html = readFileSync(reportFile, 'utf8');
  const sentences = sectionSentences(html, 'What the sweep shows');
  // 2 × 2 dropout × 2 weight decays, minus the control, × 2 metrics.
  assert.equal(sentences.length, 7 * 2);
  for (const s of sentences) {
    assert.match(s, / vs no regularization, 3 epochs: (test accuracy|train−test gap) [+−]\d+\.\d points, n=2 seeds; with fewer than 3 seeds the interval and p-value are not informative\.$/);
  }
  assert.match(html, /<td>\d+\.\d% \(n&lt;3: no interval\)<\/td><td>too few seeds<\/td>/);
  assert.doesNotMatch(html, /\d%\]/, 'no interval is shown as a result');
});

test('the report says each swap and interaction with its n, and below 3 seeds that interval and p-value are not informative', () => {
  const html = readFileSync(reportFile, 'utf8');
  const swaps = sectionSentences(html, 'Does swapping dropout1 and dropout2 matter?');
  // One pair (0, 0.5) ↔ (0.5, 0) per weight decay, two metrics.
  assert.equal(swaps.length, 2 * 2);
  for (const s of swaps)
    assert.match(
      s,
      /^dropout1=0, dropout2=0\.5 vs dropout1=0\.5, dropout2=0 \(weight decay 0(\.001)?\), 3 epochs: (test accuracy|train−test gap) [+−]\d+\.\d points, n=2 seeds; with fewer than 3 seeds the interval and p-value are not informative\.$/,
    );
  const interactions = sectionSentences(html, 'Are dropout and weight decay additive?');
  // Three dropout settings other than (0, 0) with weight decay 0.001, two metrics.
  assert.equal(interactions.length, 3 * 2);
  for (const s of interactions)
    assert.match(
      s,
      /^dropout1=0(\.5)?, dropout2=0(\.5)? with weight decay 0\.001, 3 epochs: (test accuracy|train−test gap) together [+−]\d+\.\d, dropout alone [+−]\d+\.\d, weight decay alone [+−]\d+\.\d points, interaction [+−]\d+\.\d points, n=2 seeds; with fewer than 3 seeds the interval and p-value are not informative\.$/,
    );
  assert.match(html, /Holm-adjusted over every swap comparison of this sweep&#39;s metric at every epochs value\./);
});

test("the report's main effects and curves come from the views main_effect and epoch_curve", async () => {
  const html = readFileSync(reportFile, 'utf8');
  const view = await fx.handle.db.selectFrom('main_effect').selectAll().where('sweep_id', '=', fx.sweepId).where('epochs', '=', 3).execute();
  const dropout1 = view.find((r) => r.axis === 'dropout1' && r.level === 0.5)!;
  const points = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`;
  assert.deepEqual(sectionSentences(html, 'Main effect of each axis'), [
    ...['dropout1', 'dropout2', 'weight_decay'].map((axis) => {
      const r = view.find((v) => v.axis === axis && v.level > 0)!;
      const name = axis === 'weight_decay' ? 'weight decay' : axis;
      return (
        `${name}=${r.level} vs ${name}=0, averaged over the other axes, 3 epochs: test accuracy ${points(r.test_acc_effect)} points, ` +
        `train−test gap ${points(r.gap_effect)} points, n=2 seeds; with fewer than 3 seeds the intervals are not informative.`
      );
    }),
  ]);
  assert.equal(dropout1.n, 2);
  const json = /<script type="application\/json" id="report-charts">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const charts = JSON.parse(json) as Array<{ id: string; option: { series: Array<{ name: string; data: number[][] }> } }>;
  const gap = charts.find((c) => c.id === 'gap-curves')!.option.series.find((s) => s.name === 'gap, dropout')!;
  const curves = await fx.handle.db.selectFrom('epoch_curve').select(['epoch', 'gap_dropout']).where('sweep_id', '=', fx.sweepId).orderBy('epoch').execute();
  assert.deepEqual(
    gap.data.map(([epoch]) => epoch),
    curves.map((c) => c.epoch),
  );
  gap.data.forEach(([, v], i) => assert.ok(Math.abs(v! - curves[i]!.gap_dropout!) < 1e-5, `gap at epoch ${i + 1}: ${v} vs ${curves[i]!.gap_dropout}`));
});

test('the report has a seed-noise section with F, its degrees of freedom and p per metric and epochs value', async () => {
  const html = readFileSync(reportFile, 'utf8');
  const noise = await fx.handle.db.selectFrom('noise_diagnostic').selectAll().where('sweep_id', '=', fx.sweepId).orderBy('epochs', 'desc').orderBy('metric', 'desc').execute();
  assert.equal(noise.length, 4);
  const sentences = sectionSentences(html, 'Do configurations differ by more than seed noise?');
  assert.equal(sentences.length, 4);
  noise.forEach((r, i) => {
    assert.ok(
      sentences[i]!.startsWith(
        `${r.metric === 'test_acc' ? 'test accuracy' : 'train−test gap'}, ${r.epochs} epochs: F=${r.f!.toFixed(2)} on 7 and 8 df, p`,
      ),
      sentences[i],
    );
    assert.match(sentences[i]!, /\(F test over 8 configurations, 16 runs, seed sd \d+\.\d\d points; one test per metric and epochs value, not adjusted across them\) — the configurations /);
  });
  assert.match(html, /<p>One-way analysis of variance \(F test\) per metric and epochs value over the runs that did not diverge: /);
});

test("the report's matrices colour every cell by its comparison with the best, not by its value", () => {
  const html = readFileSync(reportFile, 'utf8');
  const json = /<script type="application\/json" id="report-charts">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const charts = JSON.parse(json) as Array<{ id: string; option: { visualMap: { type: string; dimension: number }; series: Array<{ data: unknown[][] }> } }>;
  for (const chart of charts.filter((c) => c.id.includes('matrix'))) {
    assert.deepEqual([chart.option.visualMap.type, chart.option.visualMap.dimension], ['piecewise', 4]);
    // Two seeds: only the best is named; every other cell is "too few seeds" (class 3).
    for (const cell of chart.option.series[0]!.data) assert.ok(cell[4] === 0 || (cell[4] === 3 && cell[5] === 'too few seeds'), JSON.stringify(cell));
  }
});

test('writeReport explains each empty section for a sweep that has not trained anything yet', async () => {
  const spec = { ...fx.spec, name: 'not-started', grid: { ...fx.spec.grid, dropout1: [0.1], dropout2: [0.2] } };
  await createSweepRecordActivities(fx.handle.db).registerSweep({ sweepId: 'not-started', spec });
  const html = readFileSync(await writeReport(fx.handle.db, 'not-started', path.join(dir, 'empty.html')), 'utf8');
  assert.match(html, /8 trials · 4 runs \(0 done, 0 running, 0 failed, 0 diverged, 4 waiting\)/);
  assert.match(html, /No configuration has results yet\./);
  assert.match(html, /No run has reached the last epochs value yet\./);
  assert.match(html, /No epoch has been recorded yet\./);
  // Why each comparison has no rows, in the words of comparison_availability.
  assert.match(html, /<p class="empty">No comparison with the control: no run has reached an epochs value of the grid yet\.<\/p>/);
  assert.match(
    html,
    /<p class="empty">No dropout swap: dropout_swap needs both \(a, b\) and \(b, a\) in the dropout grid for two rates a ≠ b; this grid has dropout1 ∈ \{0\.1\}, dropout2 ∈ \{0\.2\}\.<\/p>/,
  );
  assert.match(html, /<p class="empty">No dropout × weight decay interaction: interaction needs at least two dropout settings; [^<]*\.<\/p>/);
  assert.match(html, /<script type="application\/json" id="report-charts">\[\]<\/script>/);
});

test('regsweep report writes the file, and refuses an unknown sweep as bad input', async () => {
  const lines: string[] = [];
  const ctx: CommandContext = { config: loadConfig({ DATABASE_URL: fx.url }, dir), out: (l) => lines.push(l), err: (l) => lines.push(l) };
  const out = path.join(dir, 'cli.html');
  await runReportCommand(ctx, fx.sweepId, out);
  assert.deepEqual(lines, [`wrote ${path.relative(process.cwd(), out)}`]);
  assert.ok(readFileSync(out, 'utf8').startsWith('<!doctype html>'));
  await assert.rejects(runReportCommand(ctx, 'no-such-sweep', out), { name: 'UsageError', message: 'no sweep with id "no-such-sweep" in the database' });
});
