import type { Command } from 'commander';
import type { ConfigIntervalView, IntervalMetric, VsBest } from '../../db/config-interval.view';
import { listConfigIntervals, listTestAccuracyVsBest } from '../../db/config-interval-repository';
import type { Executor } from '../../db/database';
import { findSweep } from '../../db/sweep-repository';
import { describeSweep, type SweepDescription } from '../../report/describe-effects';
import { clippedFootnote, meanWithInterval, tooFewSeedsFlag } from '../../report/interval-text';
import { noiseTestExplanation } from '../../report/noise-sentences';
import { UsageError } from '../cli-errors';
import { withDatabase, type CommandContext } from '../command-context';
import { parseFormat, renderRows, type OutputFormat } from '../table-output';

interface ConfigResult {
  variant: string;
  dropout1: number;
  dropout2: number;
  weight_decay: number;
  epochs: number;
  n: number;
  /** Seeds whose run diverged by this epochs value: not in n, nor in any mean or interval. */
  nDiverged: number;
  metrics: Partial<Record<IntervalMetric, ConfigIntervalView>>;
  vsBest: VsBest | null;
}

/** One entry per grid point with its metrics from config_interval and its test-accuracy comparison with the best. */
async function loadResults(db: Executor, id: string): Promise<ConfigResult[]> {
  const [intervals, vsBest] = await Promise.all([listConfigIntervals(db, id), listTestAccuracyVsBest(db, id)]);
  const byKey = new Map<string, ConfigResult>();
  const keyOf = (r: { variant: string; dropout1: number; dropout2: number; weight_decay: number; epochs: number }) =>
    [r.variant, r.dropout1, r.dropout2, r.weight_decay, r.epochs].join('|');
  for (const r of intervals) {
    const entry = byKey.get(keyOf(r)) ?? {
      variant: r.variant,
      dropout1: r.dropout1,
      dropout2: r.dropout2,
      weight_decay: r.weight_decay,
      epochs: r.epochs,
      n: r.n,
      nDiverged: r.n_diverged,
      metrics: {},
      vsBest: null,
    };
    entry.metrics[r.metric] = r;
    byKey.set(keyOf(r), entry);
  }
  for (const r of vsBest) {
    const entry = byKey.get(keyOf(r));
    if (entry) entry.vsBest = r.vs_best;
  }
  const acc = (r: ConfigResult) => r.metrics.test_acc?.mean ?? -Infinity;
  return [...byKey.values()].sort((a, b) => b.epochs - a.epochs || a.variant.localeCompare(b.variant) || acc(b) - acc(a));
}

const divergedFootnote =
  "diverged: seeds whose training diverged by that epoch (a minibatch loss NaN, infinite or above 1,000 nats, or a weight NaN or infinite); 'seeds' and every mean and interval count only the seeds that did not diverge, and effects leave out pairs with a diverged side.";

const round4 = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Math.round(v * 1e4) / 1e4);

const bullets = (sentences: readonly string[]): string[] => sentences.map((s) => `- ${s}`);

/** The sections after the table: each effect, the F test of seed noise and the diverged runs, in words. */
function sentenceSections(d: SweepDescription): string[] {
  return [
    ...['', 'Effects against the control:', ...bullets(d.effects)],
    ...['', 'Dropout1 ↔ dropout2 swaps:', ...bullets(d.swaps)],
    ...['', 'Dropout × weight decay interactions:', ...bullets(d.interactions)],
    ...(d.variants.length > 0 ? ['', 'Variants against the base variant:', ...bullets(d.variants)] : []),
    ...(d.testTimeDropout.length > 0 ? ['', 'Test-time dropout:', ...bullets(d.testTimeDropout)] : []),
    ...(d.noise.length > 0 ? ['', 'Seed noise (F test):', noiseTestExplanation, ...bullets(d.noise)] : []),
    ...(d.divergence.length > 0 ? ['', 'Diverged runs:', ...bullets(d.divergence)] : []),
  ];
}

/**
 * Per grid point, over seeds: mean test accuracy, training accuracy (inference mode) and gap.
 * As a table each mean carries its 95% interval (clipped to the metric's range and marked,
 * or flagged below 3 seeds) and how it compares with the best configuration, next to the seeds
 * it rests on and the seeds that diverged (left out of every statistic), followed by one
 * sentence per effect against the control, per dropout swap and per interaction, the F test of
 * seed noise per metric and epochs value, and the configurations with diverged runs. CSV and JSON keep the plain means per column.
 */
export async function printResults(ctx: CommandContext, id: string, format: OutputFormat): Promise<void> {
  const { results, described } = await withDatabase(ctx, 'reader', async ({ db }) => {
    if (!(await findSweep(db, id))) throw new UsageError(`no sweep with id ${JSON.stringify(id)} in the database`);
    return { results: await loadResults(db, id), described: format === 'table' ? await describeSweep(db, id) : null };
  });
  // The variant column appears only when the sweep has several, so one-variant outputs keep their shape.
  const manyVariants = new Set(results.map((r) => r.variant)).size > 1;
  const variantOf = (r: ConfigResult) => (manyVariants ? { variant: r.variant } : {});
  if (format !== 'table') {
    const rows = results.map((r) => ({
      ...variantOf(r),
      ...{ dropout1: r.dropout1, dropout2: r.dropout2, weight_decay: r.weight_decay, epochs: r.epochs, seeds: r.n, diverged: r.nDiverged },
      ...{ test_acc: round4(r.metrics.test_acc?.mean), train_acc_eval: round4(r.metrics.train_acc_eval?.mean), gap: round4(r.metrics.gap?.mean) },
    }));
    ctx.out(renderRows(rows, format));
    return;
  }
  const shown = (r: ConfigResult, m: IntervalMetric) => (r.metrics[m] ? meanWithInterval(r.metrics[m]) : '–');
  const rows = results.map((r) => ({
    ...variantOf(r),
    ...{ dropout1: r.dropout1, dropout2: r.dropout2, 'weight decay': r.weight_decay, epochs: r.epochs, seeds: r.n, diverged: r.nDiverged },
    'test accuracy [95% CI]': shown(r, 'test_acc'),
    'vs best test accuracy': r.vsBest ?? '–',
    'train accuracy [95% CI]': shown(r, 'train_acc_eval'),
    'train−test gap [95% CI]': shown(r, 'gap'),
  }));
  const notes = [
    "95% t-intervals over seeds; 'vs best' is a paired test against the best mean at the same epochs, Holm-adjusted over that epochs value's comparisons.",
    `${tooFewSeedsFlag}: fewer than 3 seeds give no informative interval.`,
    ...(results.some((r) => r.nDiverged > 0) ? [divergedFootnote] : []),
    ...(results.some((r) => Object.values(r.metrics).some((m) => m.ci_clipped && m.interval_informative)) ? [clippedFootnote] : []),
  ];
  ctx.out([renderRows(rows, 'table'), ...notes, ...sentenceSections(described!)].join('\n'));
}

export function registerResultsCommand(program: Command, ctx: CommandContext): void {
  program
    .command('results')
    .description("a sweep's results per grid point over seeds, with 95% intervals and one sentence per effect")
    .argument('<id>', 'sweep id')
    .option('--format <format>', 'table, json or csv', 'table')
    .action(async (id: string, opts: { format: string }) => printResults(ctx, id, parseFormat(opts.format)));
}
