import type { NoiseDiagnosticView } from '../db/noise-diagnostic.view';
import { epochCount, formatP, metricName, significanceLevel } from './effect-sentences';

/** The F test of noise_diagnostic in one sentence: what it tests, so that its numbers can be read. */
export const noiseTestExplanation =
  'One-way analysis of variance (F test) per metric and epochs value over the runs that did not diverge: F is the ' +
  'variance between configuration means, each weighted by its seeds, over the variance between seeds of one ' +
  'configuration (the seed noise); near 1 is what seed noise alone gives. One test per row, not adjusted across ' +
  'metrics or epochs values; a large p does not show that configurations are alike, only that this many seeds ' +
  'cannot tell them apart.';

/**
 * One sentence per noise_diagnostic row: F on (df1, df2) degrees of freedom, p, the k
 * configurations and n runs it rests on, the seed sd, and what it says; or why there is no F.
 */
export function noiseSentence(r: NoiseDiagnosticView): string {
  const head = `${metricName(r.metric)}, ${epochCount(r.epochs)}`;
  const over = `${r.k} configurations, ${r.n} runs${r.n_diverged > 0 ? `, ${r.n_diverged} diverged left out` : ''}`;
  if (r.f === null || r.p === null) return `${head}: no F test (${over}): ${r.note ?? 'too few runs'}.`;
  const sd = r.seed_sd === null ? '' : `, seed sd ${(r.seed_sd * 100).toFixed(2)} points`;
  const reading =
    r.p < significanceLevel ? 'the configurations differ by more than seed noise' : 'the configurations are not distinguishable from seed noise at this n';
  return `${head}: F=${r.f.toFixed(2)} on ${r.df1} and ${r.df2} df, p${formatP(r.p)} (F test over ${over}${sd}; one test per metric and epochs value, not adjusted across them) — ${reading}.`;
}
