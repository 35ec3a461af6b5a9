import type { ConfigIntervalView } from '../../db/config-interval.view';
import { interactionSentence, swapSentence } from '../comparison-sentences';
import { divergenceSentences } from '../divergence-sentences';
import { beyondSeedNoise, effectSentence, epochCount } from '../effect-sentences';
import { studentTCritical } from '../../domain/replicate-stats';
import { clippedFootnote, meanWithInterval, tooFewSeedsFlag } from '../interval-text';
import type { SweepFindingsData } from './findings-data';
import type { FindingSection, Study } from './study-manifest';
import { testTimeDropoutSentence, variantSentence } from './variant-sentences';

/*
 * One study's part of the findings document, in Markdown. Every comparison of the study is
 * listed, at every epochs value; a short "in numbers" list first counts how many are beyond seed
 * noise in their Holm family, so the answer reads at a glance without selecting rows.
 */

/** An image the section cites: its file name (next to the document) and its alt text. */
export interface FindingImage {
  file: string;
  alt: string;
}

export interface StudyImages {
  curves?: FindingImage;
  activationVariance?: FindingImage[];
}

const bullets = (lines: readonly string[]): string[] => lines.map((l) => `- ${l}`);

/**
 * "k of m beyond seed noise" over the rows whose sentence quotes a test (3 or more seeds and a
 * Holm-adjusted p), naming the Holm family size per metric; rows below 3 seeds are counted apart.
 */
function tally(rows: readonly { p_holm: number | null; metric: string; holm_m: number | null; n: number }[], what: string): string | null {
  if (rows.length === 0) return null;
  const tested = rows.filter((r) => r.p_holm !== null && r.n >= 3);
  const beyond = tested.filter((r) => beyondSeedNoise(r.p_holm!)).length;
  const families = [...new Set(tested.map((r) => `${r.metric === 'test_acc' ? 'test accuracy' : 'train−test gap'}: ${r.holm_m}`))].join('; ');
  const untested = rows.length - tested.length;
  const verdict =
    tested.length === 0
      ? 'none has 3 seeds and a test, so none is called beyond or within seed noise'
      : `${beyond} of the ${tested.length} with 3 or more seeds and a test are beyond seed noise at 5% after Holm adjustment over the sweep's family per metric (family sizes — ${families}), ${tested.length - beyond} within seed noise`;
  return `${rows.length} ${what}; ${verdict}${untested > 0 && tested.length > 0 ? `; ${untested} without an informative test` : ''}.`;
}

function configsTable(rows: readonly ConfigIntervalView[], manyVariants: boolean): string[] {
  const keyOf = (r: ConfigIntervalView) => [r.variant, r.dropout1, r.dropout2, r.weight_decay, r.epochs].join('|');
  const byKey = new Map<string, Partial<Record<ConfigIntervalView['metric'], ConfigIntervalView>>>();
  for (const r of rows) byKey.set(keyOf(r), { ...(byKey.get(keyOf(r)) ?? {}), [r.metric]: r });
  const entries = [...byKey.values()]
    .map((m) => m.test_acc ?? m.gap ?? m.train_acc_eval!)
    .sort(
      (a, b) =>
        a.variant.localeCompare(b.variant) || a.epochs - b.epochs || a.dropout1 - b.dropout1 || a.dropout2 - b.dropout2 || a.weight_decay - b.weight_decay,
    );
  const head = `| ${manyVariants ? 'variant | ' : ''}dropout1 | dropout2 | weight decay | epochs | seeds | diverged | test accuracy (95% CI) | train−test gap (95% CI) |`;
  const rule = `|${manyVariants ? ' --- |' : ''} ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |`;
  const shown = (v: ConfigIntervalView | undefined) => (v === undefined || v.mean === null ? '–' : meanWithInterval(v));
  const lines = entries.map((e) => {
    const m = byKey.get(keyOf(e))!;
    return `| ${manyVariants ? `${e.variant} | ` : ''}${e.dropout1} | ${e.dropout2} | ${e.weight_decay} | ${e.epochs} | ${e.n} | ${e.n_diverged} | ${shown(m.test_acc)} | ${shown(m.gap)} |`;
  });
  return [
    head,
    rule,
    ...lines,
    '',
    `Means over the seeds that did not diverge, with 95% t-intervals over those seeds (per row, not adjusted); "${tooFewSeedsFlag}" marks rows with fewer than 3. ${clippedFootnote}`,
  ];
}

/** The Markdown of one study (or of a sweep that is not a shipped study, with `study` null). */
export function studyMarkdown(study: Study | null, d: SweepFindingsData, sections: readonly FindingSection[], images: StudyImages, continued = false): string {
  const manyVariants = new Set(d.intervals.map((r) => r.variant)).size > 1;
  const title = study ? `## Exercise ${study.exercise}${continued ? ', continued' : ''}: ${study.title}` : `## Sweep ${d.sweep.id}`;
  const out: string[] = [title, ''];
  if (study) out.push(`**Question.** ${study.question}`, '');
  const epochsValues = [...new Set(d.intervals.map((r) => r.epochs))].sort((a, b) => a - b);
  const later = d.runCounts.diverged - divergedWithinSweep(d);
  const laterNote =
    later > 0
      ? `; ${later === 1 ? 'one of them' : `${later} of them`} diverged only after epoch ${epochsValues.at(-1)}, in the longer training of another study that ` +
        `shares ${later === 1 ? 'it' : 'them'}, and ${later === 1 ? 'counts' : 'count'} here as trained to epoch ${epochsValues.at(-1)}`
      : '';
  out.push(
    `Sweep \`${d.sweep.id}\`: ${d.runCounts.total} runs (${d.runCounts.completed} completed, ${d.runCounts.diverged} diverged, ${d.runCounts.failed} failed${laterNote}), ` +
      `read at ${epochsValues.map(epochCount).join(', ')}.`,
    '',
  );
  for (const section of sections) out.push(...sectionMarkdown(section, d, manyVariants, images));
  return out.join('\n');
}

/** Runs that diverged by the largest epochs value their configuration is read at (the divergence rows count by epochs). */
function divergedWithinSweep(d: SweepFindingsData): number {
  const byConfig = new Map<string, number>();
  for (const r of d.divergence) {
    const key = `${r.variant}|${r.dropout1}|${r.dropout2}|${r.weight_decay}`;
    byConfig.set(key, Math.max(byConfig.get(key) ?? 0, r.n_diverged));
  }
  return [...byConfig.values()].reduce((a, b) => a + b, 0);
}

function sectionMarkdown(section: FindingSection, d: SweepFindingsData, manyVariants: boolean, images: StudyImages): string[] {
  switch (section) {
    case 'configs':
      return d.intervals.length === 0 ? [] : ['### Every configuration', '', ...configsTable(d.intervals, manyVariants), ''];
    case 'curves':
      return images.curves ? ['### Test accuracy over the epochs', '', `![${images.curves.alt}](${images.curves.file})`, ''] : [];
    case 'activation-variance':
      return images.activationVariance?.length
        ? [
            '### Hidden-activation variance over the epochs',
            '',
            ...images.activationVariance.flatMap((i) => [`![${i.alt}](${i.file})`, '']),
            ...activationTable(d),
            '',
          ]
        : [];
    case 'vs-control': {
      if (d.effects.length === 0) return [];
      return [
        '### Against the control (paired by seed)',
        '',
        tally(d.effects, 'comparisons with the control') ?? '',
        '',
        ...bullets(d.effects.map(withVariant(manyVariants, effectSentence))),
        '',
      ];
    }
    case 'swap':
      if (d.swaps.length === 0) return ['### Swapped dropout rates', '', 'The grid has no pair (a, b) and (b, a) of dropout rates.', ''];
      return [
        '### Swapped dropout rates (paired by seed)',
        '',
        tally(d.swaps, 'swap comparisons') ?? '',
        '',
        ...bullets(d.swaps.map(withVariant(manyVariants, swapSentence))),
        '',
      ];
    case 'interaction':
      if (d.interactions.length === 0) return [];
      return [
        '### Dropout × weight decay (interaction contrasts, paired by seed)',
        '',
        'The interaction is (both − weight decay alone) − (dropout alone − neither) per seed: 0 means the two add up, negative that together they do less than the sum (diminishing or cancelling), positive more.',
        '',
        tally(d.interactions, 'interaction contrasts') ?? '',
        '',
        ...bullets(d.interactions.map(withVariant(manyVariants, interactionSentence))),
        '',
      ];
    case 'vs-variant':
      if (d.variants.length === 0) return [];
      return [
        '### Variants against the base variant (paired by seed)',
        '',
        tally(d.variants, 'variant comparisons') ?? '',
        '',
        ...bullets(d.variants.map(variantSentence)),
        '',
      ];
    case 'test-time-dropout':
      if (d.testTimeDropout.length === 0) return [];
      return ['### Test-time dropout', '', ...bullets(d.testTimeDropout.map(testTimeDropoutSentence)), ''];
    case 'divergence': {
      const diverged = d.divergence.flatMap((r) => divergenceSentences([r]).map((s) => (manyVariants ? `${r.variant}: ${s}` : s)));
      const finished = d.divergence.filter((r) => r.finished > 0);
      if (diverged.length === 0) {
        return finished.length === 0 ? [] : ['### Divergence', '', `No run of this sweep diverged (${d.runCounts.total} runs).`, ''];
      }
      return ['### Divergence (exact binomial intervals)', '', ...bullets(diverged), ''];
    }
  }
}

function withVariant<T extends { variant: string }>(manyVariants: boolean, sentence: (r: T) => string): (r: T) => string {
  return (r) => (manyVariants ? `${r.variant}: ${sentence(r)}` : sentence(r));
}

/** A mean with its 95% t-interval over `n` seeds, or the mean alone and the too-few flag below 3 seeds. */
function varianceWithInterval(mean: number | null, sd: number | null, n: number): string {
  if (mean === null) return '–';
  if (sd === null || n < 3) return `${mean.toPrecision(3)} (${tooFewSeedsFlag})`;
  const half = (studentTCritical(0.05, n - 1) * sd) / Math.sqrt(n);
  return `${mean.toPrecision(3)} [${(mean - half).toPrecision(3)}, ${(mean + half).toPrecision(3)}]`;
}

function activationTable(d: SweepFindingsData): string[] {
  const epochs = [...new Set(d.intervals.map((r) => r.epochs))].sort((a, b) => a - b);
  const rows = d.epochMeans.filter((r) => epochs.includes(r.epoch));
  if (rows.length === 0) return [];
  return [
    '| variant | dropout1 | dropout2 | epoch | seeds | variance, layer 1 (95% CI) | variance, layer 2 (95% CI) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.dropout1} | ${r.dropout2} | ${r.epoch} | ${r.n} | ${varianceWithInterval(r.act_var1, r.act_var1_sd, r.n)} | ${varianceWithInterval(r.act_var2, r.act_var2_sd, r.n)} |`,
    ),
    '',
    `Population variance of each hidden layer's inference-mode activations on the 1,000-image probe: means over the seeds that did not diverge, with 95% t-intervals over those seeds (per row, not adjusted; "${tooFewSeedsFlag}" below 3 seeds). They describe training; no comparison between rows is tested.`,
  ];
}
