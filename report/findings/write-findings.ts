import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Executor } from '../../db/database';
import { meanWithInterval } from '../interval-text';
import { renderChartSvg } from '../svg-chart';
import { activationVarianceCurveChart, testAccuracyCurveChart } from './findings-charts';
import { loadSweepFindings, type SweepFindingsData } from './findings-data';
import { studyMarkdown, type FindingImage, type StudyImages } from './findings-markdown';
import { everySection, loadStudyManifest, studiesDir, type Study } from './study-manifest';

/** A sweep id that is not in the database; the caller turns it into a one-line error. */
export class UnknownSweepError extends Error {
  constructor(readonly sweepId: string) {
    super(`no sweep with id ${JSON.stringify(sweepId)} in the database`);
    this.name = 'UnknownSweepError';
  }
}

export interface FindingsOptions {
  /** The commands that regenerate the document, quoted in it. */
  commands: string[];
  /** The folder of the shipped studies, to name the sweeps that answer a question. @default examples/studies */
  studies?: string;
  now?: Date;
}

/** The shipped studies by the sweep id their spec launches (the spec's name). */
function studiesBySweepId(dir: string): Map<string, Study> {
  const byId = new Map<string, Study>();
  for (const study of loadStudyManifest(path.join(dir, 'studies.json'))) {
    const spec = JSON.parse(readFileSync(path.join(dir, study.spec), 'utf8')) as { name: string };
    byId.set(spec.name, study);
  }
  return byId;
}

const machine = (): string => {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`;
};

/** The d2l default (dropout 0.2/0.5, no weight decay, lr 0.5, 10 epochs) from whichever sweep has it with the most seeds. */
function d2lDefaultLine(all: readonly SweepFindingsData[]): string {
  const rows = all
    .flatMap((d) => d.intervals)
    .filter(
      (r) =>
        r.metric === 'test_acc' &&
        r.variant === 'dropout lr=0.5' &&
        r.dropout1 === 0.2 &&
        r.dropout2 === 0.5 &&
        r.weight_decay === 0 &&
        r.epochs === 10 &&
        r.mean !== null,
    )
    .sort((a, b) => b.n - a.n);
  const best = rows[0];
  if (!best) return 'None of these sweeps trained the d2l default (dropout1=0.2, dropout2=0.5, weight decay 0, lr 0.5) to 10 epochs.';
  return (
    `**The d2l default** (dropout1=0.2, dropout2=0.5, no weight decay, lr 0.5, batch 256, 10 epochs, all 60,000 training images): ` +
    `final test accuracy ${meanWithInterval(best)} over n=${best.n} seeds (95% t-interval over seeds; sweep \`${best.sweep_id}\`).`
  );
}

/**
 * Writes `<out>/findings.md` and the images it cites under `<out>/findings/`, answering each
 * shipped study's question from the database, for the given sweeps in the given order. Files are
 * written next to their targets and renamed into place, so a failure leaves the old document.
 * @throws UnknownSweepError when a sweep id is not in the database.
 */
export async function writeFindings(db: Executor, sweepIds: readonly string[], outDir: string, options: FindingsOptions): Promise<string> {
  const studies = studiesBySweepId(options.studies ?? studiesDir);
  const data: SweepFindingsData[] = [];
  for (const id of sweepIds) {
    const d = await loadSweepFindings(db, id);
    if (!d) throw new UnknownSweepError(id);
    data.push(d);
  }
  const imageDir = path.join(outDir, 'findings');
  const staging = path.join(outDir, `.findings-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const exercisesSeen = new Set<number>();
    const parts = data.map((d) => {
      const study = studies.get(d.sweep.id) ?? null;
      // A second study of one exercise (7: noise, then batch norm) is headed as its continuation.
      const continued = study !== null && exercisesSeen.has(study.exercise);
      if (study) exercisesSeen.add(study.exercise);
      const sections = study?.sections ?? everySection;
      const images: StudyImages = {};
      const save = (name: string, chart: ReturnType<typeof testAccuracyCurveChart>): FindingImage | undefined => {
        if (!chart) return undefined;
        writeFileSync(path.join(staging, name), renderChartSvg(chart));
        return { file: `findings/${name}`, alt: chart.title };
      };
      if (sections.includes('curves')) images.curves = save(`${d.sweep.id}-test-accuracy.svg`, testAccuracyCurveChart('curves', d.epochMeans));
      if (sections.includes('activation-variance')) {
        images.activationVariance = ([1, 2] as const).flatMap(
          (layer) => save(`${d.sweep.id}-activation-variance-${layer}.svg`, activationVarianceCurveChart(`act${layer}`, d.epochMeans, layer)) ?? [],
        );
      }
      return studyMarkdown(study, d, sections, images, continued);
    });
    const engines = [...new Set(data.flatMap((d) => d.engines.map((e) => e.backend)))];
    const document = [
      "# Findings: the questions of d2l's dropout chapter",
      '',
      `Generated ${(options.now ?? new Date()).toISOString().slice(0, 10)} from ${data.length} sweeps in Postgres by:`,
      '',
      ...options.commands.map((c) => `    ${c}`),
      '',
      `Engine${engines.length === 1 ? '' : 's'} that trained the runs (runs.backend): ${engines.length ? engines.map((e) => `\`${e}\``).join(', ') : 'none recorded'}. Rendered on ${machine()}.`,
      '',
      'How to read the numbers: every effect is a difference paired by seed (the same seed gives both sides the same initial weights and minibatch order); its 95% interval is a t-interval over seeds; "beyond seed noise" means the Holm-adjusted p-value is below 0.05, with the test (paired t-test, or the exact sign-flip test where t is undefined), n and Holm family named in each sentence; "within seed noise" means it is not, which is not evidence of no effect. Below 3 seeds no interval or p-value is quoted. Runs that diverged are left out of every mean and effect, and counted where they happened.',
      '',
      d2lDefaultLine(data),
      '',
      ...parts.flatMap((p) => [p, '']),
    ].join('\n');
    writeFileSync(path.join(staging, 'findings.md'), document);
    mkdirSync(outDir, { recursive: true });
    rmSync(imageDir, { recursive: true, force: true });
    mkdirSync(imageDir, { recursive: true });
    for (const d of data) {
      for (const name of [`${d.sweep.id}-test-accuracy.svg`, `${d.sweep.id}-activation-variance-1.svg`, `${d.sweep.id}-activation-variance-2.svg`]) {
        try {
          renameSync(path.join(staging, name), path.join(imageDir, name));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
    const target = path.join(outDir, 'findings.md');
    renameSync(path.join(staging, 'findings.md'), target);
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
