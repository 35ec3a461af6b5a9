import { readFileSync } from 'node:fs';
import { parseSpecJson } from '../domain/spec-validation';
import type { SweepSpec } from '../domain/sweep-spec';
import { UsageError } from './cli-errors';

/** Reads and validates a spec file; every problem is a one-line error (exit code 2). */
export function loadSpecFile(file: string, maxTrials: number): { spec: SweepSpec; raw: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read spec file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const spec = parseSpecJson(text, { maxTrials });
  return { spec, raw: JSON.parse(text) as unknown };
}
