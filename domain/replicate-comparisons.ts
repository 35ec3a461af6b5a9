/**
 * The comparisons an adaptive-seed sweep resolves, and the per-seed observations they are
 * computed from. Pure code (docs/adaptive-seeds.md).
 */
import type { ReplicateCompare } from './replicate-spec';

/**
 * One comparison: the per-seed difference value(config) − value(other), paired by seed, or
 * for `each-config` (other = null) the per-seed values of `config` itself. Configurations are
 * named by keys the caller chooses; the rule only needs them to be distinct.
 */
export interface Comparison {
  id: string;
  config: string;
  other: string | null;
}

/**
 * What a sweep has trained so far, per configuration key: seed → the metric at the replicate
 * epochs value, or null when the run has no value there (it diverged or failed). A seed present
 * here counts as used, with or without a value; a seed absent has not been scheduled.
 */
export type ReplicateObservations = ReadonlyMap<string, ReadonlyMap<number, number | null>>;

/**
 * The comparisons of a sweep, in a stable order: `vs-control` pairs every configuration other
 * than the control with it (difference config − control, as in `effect_vs_control`),
 * `all-pairs` every two configurations in the order given (earlier − later), `each-config`
 * each configuration alone.
 * @throws Error when `vs-control` is asked for without a control among the configurations.
 */
export function replicateComparisons(compare: ReplicateCompare, configs: readonly string[], control?: string): Comparison[] {
  if (new Set(configs).size !== configs.length) throw new Error(`configuration keys must be distinct, got ${configs.join(', ')}`);
  if (compare === 'each-config') return configs.map((config) => ({ id: config, config, other: null }));
  if (compare === 'vs-control') {
    if (control === undefined || !configs.includes(control)) throw new Error(`vs-control needs the control among the configurations, got ${control ?? 'none'}`);
    return configs.filter((c) => c !== control).map((config) => ({ id: `${config} vs ${control}`, config, other: control }));
  }
  const pairs: Comparison[] = [];
  configs.forEach((config, i) => configs.slice(i + 1).forEach((other) => pairs.push({ id: `${config} vs ${other}`, config, other })));
  return pairs;
}

/** Seeds with a value on every side of the comparison, ascending, with the value or difference at each. */
export function pairedValues(observations: ReplicateObservations, comparison: Comparison): { seeds: number[]; values: number[] } {
  const mine = observations.get(comparison.config) ?? new Map<number, number | null>();
  const theirs = comparison.other === null ? null : (observations.get(comparison.other) ?? new Map<number, number | null>());
  const seeds: number[] = [];
  const values: number[] = [];
  for (const seed of [...mine.keys()].sort((x, y) => x - y)) {
    const v = mine.get(seed);
    if (v === null || v === undefined) continue;
    if (theirs === null) {
      seeds.push(seed);
      values.push(v);
      continue;
    }
    const w = theirs.get(seed);
    if (w === null || w === undefined) continue;
    seeds.push(seed);
    values.push(v - w);
  }
  return { seeds, values };
}

/** Seeds a configuration has used (scheduled), with or without a value. */
export function usedSeeds(observations: ReplicateObservations, config: string): ReadonlySet<number> {
  return new Set(observations.get(config)?.keys() ?? []);
}
