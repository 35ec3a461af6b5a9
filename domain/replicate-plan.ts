/**
 * Which configurations get which new seeds in the next round of an adaptive-seed sweep.
 * Deterministic: the same observations and unresolved comparisons always give the same plan,
 * which Temporal's replay of the sweep workflow relies on. Pure code.
 */
import { usedSeeds, type Comparison, type ReplicateObservations } from './replicate-comparisons';
import type { ReplicateSpec } from './replicate-spec';

/** New seeds for one configuration, ascending. */
export interface PlannedSeeds {
  config: string;
  seeds: number[];
}

/** The `count` smallest integers ≥ 1 not in `taken`, ascending. */
export function nextUnusedSeeds(taken: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let s = 1; out.length < count; s++) if (!taken.has(s)) out.push(s);
  return out;
}

function intersect(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  return new Set([...a].filter((s) => b.has(s)));
}

export interface PlanInput {
  spec: Pick<ReplicateSpec, 'minSeeds' | 'maxSeeds' | 'seedsPerRound' | 'maxRuns'>;
  /** Every configuration of the sweep, in the sweep's order (it breaks ties when runs are short). */
  configs: readonly string[];
  comparisons: readonly Comparison[];
  observations: ReplicateObservations;
  /** Ids of the comparisons that still need seeds. */
  unresolved: ReadonlySet<string>;
}

/**
 * The next round. While any configuration has fewer than minSeeds seeds, the round tops every
 * configuration up to minSeeds and nothing else. After that, each unresolved comparison asks
 * for the next seedsPerRound seeds its two sides do not yet share (the next unused integers, so
 * a configuration that is ahead gives its existing seeds to the pair and only the one behind
 * trains); a configuration gets the union of what its comparisons ask for. Then the caps:
 * each configuration keeps its smallest new seeds up to maxSeeds in all, and the sweep keeps
 * its new runs up to maxRuns in all, seed by seed (every configuration's seed 4 before any
 * seed 5, configurations in the order given). A seed that no longer completes a pair after
 * the caps is dropped, so no run is trained that no comparison can use. An empty plan means
 * the sweep is done.
 */
export function planReplicateRound(input: PlanInput): PlannedSeeds[] {
  const { spec, configs, comparisons, observations, unresolved } = input;
  const used = new Map(configs.map((c) => [c, usedSeeds(observations, c)]));
  const usedOf = (c: string): ReadonlySet<number> => used.get(c) ?? new Set<number>();
  const wanted = new Map(configs.map((c) => [c, new Set<number>()]));
  const want = (c: string, seeds: readonly number[]): void => seeds.forEach((s) => usedOf(c).has(s) || wanted.get(c)?.add(s));

  const filling = configs.some((c) => usedOf(c).size < spec.minSeeds);
  if (filling) {
    for (const c of configs) want(c, nextUnusedSeeds(usedOf(c), Math.max(0, spec.minSeeds - usedOf(c).size)));
  } else {
    for (const cmp of comparisons) {
      if (!unresolved.has(cmp.id)) continue;
      const shared = cmp.other === null ? usedOf(cmp.config) : intersect(usedOf(cmp.config), usedOf(cmp.other));
      const next = nextUnusedSeeds(shared, spec.seedsPerRound);
      want(cmp.config, next);
      if (cmp.other !== null) want(cmp.other, next);
    }
  }

  // maxSeeds per configuration, smallest seeds first.
  for (const c of configs) {
    const room = Math.max(0, spec.maxSeeds - usedOf(c).size);
    wanted.set(c, new Set([...(wanted.get(c) ?? [])].sort((x, y) => x - y).slice(0, room)));
  }
  if (!filling) dropUnpaired(wanted, usedOf, comparisons, unresolved);

  // maxRuns over the sweep, seed level by seed level.
  let room = Math.max(0, spec.maxRuns - configs.reduce((sum, c) => sum + usedOf(c).size, 0));
  const levels = [...new Set(configs.flatMap((c) => [...(wanted.get(c) ?? [])]))].sort((x, y) => x - y);
  const kept = new Map(configs.map((c) => [c, new Set<number>()]));
  for (const s of levels) {
    for (const c of configs) {
      if (room > 0 && wanted.get(c)?.has(s)) {
        kept.get(c)?.add(s);
        room--;
      }
    }
  }
  if (!filling) dropUnpaired(kept, usedOf, comparisons, unresolved);

  return configs.map((config) => ({ config, seeds: [...(kept.get(config) ?? [])].sort((x, y) => x - y) })).filter((p) => p.seeds.length > 0);
}

/** Whether `seed` gives the comparison a pair it does not have yet, once every seed `has` reports is trained. */
export function completesPair(
  cmp: Comparison,
  seed: number,
  has: (config: string, seed: number) => boolean,
  usedOf: (c: string) => ReadonlySet<number>,
): boolean {
  if (cmp.other === null) return !usedOf(cmp.config).has(seed) && has(cmp.config, seed);
  const newPair = !(usedOf(cmp.config).has(seed) && usedOf(cmp.other).has(seed));
  return newPair && has(cmp.config, seed) && has(cmp.other, seed);
}

function dropUnpaired(
  planned: Map<string, Set<number>>,
  usedOf: (c: string) => ReadonlySet<number>,
  comparisons: readonly Comparison[],
  unresolved: ReadonlySet<string>,
): void {
  const has = (c: string, s: number): boolean => usedOf(c).has(s) || (planned.get(c)?.has(s) ?? false);
  const keep = new Map([...planned.keys()].map((c) => [c, new Set<number>()]));
  for (const cmp of comparisons) {
    if (!unresolved.has(cmp.id)) continue;
    const candidates = new Set([...(planned.get(cmp.config) ?? []), ...(cmp.other === null ? [] : (planned.get(cmp.other) ?? []))]);
    for (const s of candidates) {
      if (!completesPair(cmp, s, has, usedOf)) continue;
      if (planned.get(cmp.config)?.has(s)) keep.get(cmp.config)?.add(s);
      if (cmp.other !== null && planned.get(cmp.other)?.has(s)) keep.get(cmp.other)?.add(s);
    }
  }
  for (const [c, seeds] of keep) planned.set(c, seeds);
}
