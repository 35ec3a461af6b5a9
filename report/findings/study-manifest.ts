import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sections a study's findings can show, in the order a study lists them. */
export const findingSections = Object.freeze([
  'configs',
  'curves',
  'vs-control',
  'swap',
  'interaction',
  'vs-variant',
  'test-time-dropout',
  'activation-variance',
  'divergence',
] as const);
export type FindingSection = (typeof findingSections)[number];

/** One shipped study: the spec it runs and the question of the d2l chapter it answers. */
export interface Study {
  /** The spec file, relative to the manifest. */
  spec: string;
  /** The exercise of the d2l dropout chapter it answers (1–7). */
  exercise: number;
  title: string;
  question: string;
  sections: FindingSection[];
}

/** Where the shipped studies live. */
export const studiesDir = fileURLToPath(new URL('../../examples/studies/', import.meta.url));

/** What the findings say about a sweep that is not a shipped study: every section that has rows. */
export const everySection: readonly FindingSection[] = findingSections;

/**
 * Reads a study manifest (examples/studies/studies.json).
 * @throws Error naming the file and the entry when an entry is malformed.
 */
export function loadStudyManifest(file = path.join(studiesDir, 'studies.json')): Study[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { studies?: unknown };
  if (!Array.isArray(parsed.studies)) throw new Error(`${file}: expected {"studies": [...]}`);
  return parsed.studies.map((entry: unknown, i: number) => {
    const s = entry as Partial<Study>;
    const ok =
      typeof s.spec === 'string' &&
      typeof s.exercise === 'number' &&
      typeof s.title === 'string' &&
      typeof s.question === 'string' &&
      Array.isArray(s.sections) &&
      s.sections.every((x) => (findingSections as readonly string[]).includes(x));
    if (!ok) throw new Error(`${file}: studies[${i}] must have spec, exercise, title, question and sections from ${findingSections.join(', ')}`);
    return s as Study;
  });
}
