import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicateComparisons } from '../../domain/replicate-comparisons';
import { nextUnusedSeeds, planReplicateRound } from '../../domain/replicate-plan';
import { evaluateReplicate } from '../../domain/replicate-rule';
import type { ReplicateSpec } from '../../domain/replicate-spec';

const spec = (over: Partial<ReplicateSpec> = {}): ReplicateSpec => ({
  metric: 'test_acc',
  epochs: 20,
  compare: 'vs-control',
  target: { decide: true, alpha: 0.05 },
  minSeeds: 3,
  maxSeeds: 20,
  seedsPerRound: 2,
  maxRuns: 10_000,
  ...over,
});

/** Observations with the given seeds trained for each configuration; `value` gives each metric (null = diverged). */
function observed(
  seeds: Record<string, number[]>,
  value: (config: string, seed: number) => number | null = () => 0.85,
): Map<string, Map<number, number | null>> {
  return new Map(Object.entries(seeds).map(([c, ss]) => [c, new Map(ss.map((s) => [s, value(c, s)]))]));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A difference with mean 0 that never resolves: +0.002, −0.002, … against the control. */
const noEffect = (config: string, seed: number): number => (config === 'control' ? 0.85 : 0.85 + (seed % 2 === 0 ? 0.002 : -0.002));

/** Runs the sweep loop with `value` as the training, returning every plan and the final evaluation. */
function runSweep(s: ReplicateSpec, configs: string[], value: (config: string, seed: number) => number | null) {
  const comparisons = replicateComparisons(s.compare, configs, 'control');
  const observations = observed(Object.fromEntries(configs.map((c) => [c, []])));
  const plans = [];
  for (;;) {
    const evaluation = evaluateReplicate({ spec: s, configs, comparisons, observations });
    if (evaluation.plan.length === 0) return { plans, evaluation, observations };
    plans.push(evaluation.plan);
    for (const { config, seeds } of evaluation.plan) for (const seed of seeds) observations.get(config)?.set(seed, value(config, seed));
  }
}

test('nextUnusedSeeds gives the smallest unused integers from 1', () => {
  assert.deepEqual(nextUnusedSeeds(new Set(), 3), [1, 2, 3]);
  assert.deepEqual(nextUnusedSeeds(new Set([1, 2, 4]), 3), [3, 5, 6]);
  assert.deepEqual(nextUnusedSeeds(new Set([1]), 0), []);
});

test('planReplicateRound gives every configuration seeds 1..minSeeds first, then the next unused seeds, the same on every call', () => {
  const configs = ['control', 'a', 'b'];
  const comparisons = replicateComparisons('vs-control', configs, 'control');
  const unresolved = new Set(comparisons.map((c) => c.id));
  const first = planReplicateRound({ spec: spec(), configs, comparisons, observations: observed({ control: [], a: [], b: [] }), unresolved });
  assert.deepEqual(
    first,
    configs.map((config) => ({ config, seeds: [1, 2, 3] })),
  );
  const input = { spec: spec(), configs, comparisons, observations: observed({ control: [1, 2, 3], a: [1, 2, 3], b: [1, 2, 3] }), unresolved };
  const second = planReplicateRound(input);
  assert.deepEqual(
    second,
    configs.map((config) => ({ config, seeds: [4, 5] })),
  );
  assert.deepEqual(planReplicateRound(input), second);
  // A comparison already resolved asks for nothing: b only trains for its own comparison.
  const partly = planReplicateRound({ ...input, unresolved: new Set([comparisons[1]?.id ?? '']) });
  assert.deepEqual(partly, [
    { config: 'control', seeds: [4, 5] },
    { config: 'b', seeds: [4, 5] },
  ]);
  assert.deepEqual(planReplicateRound({ ...input, unresolved: new Set() }), []);
});

test('planReplicateRound trains only the side that is behind when the other already has the seeds', () => {
  const configs = ['control', 'a'];
  const comparisons = replicateComparisons('vs-control', configs, 'control');
  const plan = planReplicateRound({
    spec: spec(),
    configs,
    comparisons,
    observations: observed({ control: range(1, 7), a: [1, 2, 3] }),
    unresolved: new Set([comparisons[0]?.id ?? '']),
  });
  assert.deepEqual(plan, [{ config: 'a', seeds: [4, 5] }]);
});

test('planReplicateRound counts a diverged seed as used and asks for the next one', () => {
  const configs = ['control', 'a'];
  const comparisons = replicateComparisons('vs-control', configs, 'control');
  const observations = observed({ control: [1, 2, 3], a: [1, 2, 3] }, (c, s) => (c === 'a' && s === 2 ? null : 0.85));
  const plan = planReplicateRound({ spec: spec({ seedsPerRound: 1 }), configs, comparisons, observations, unresolved: new Set([comparisons[0]?.id ?? '']) });
  assert.deepEqual(plan, [
    { config: 'control', seeds: [4] },
    { config: 'a', seeds: [4] },
  ]);
});

test('a sweep with no effect gives every configuration exactly maxSeeds seeds and stops at the cap', () => {
  const s = spec({ maxSeeds: 8, seedsPerRound: 2 });
  const { plans, evaluation, observations } = runSweep(s, ['control', 'a', 'b'], noEffect);
  for (const [config, seeds] of observations)
    assert.deepEqual(
      [...seeds.keys()].sort((x, y) => x - y),
      range(1, 8),
      config,
    );
  assert.deepEqual(
    plans.map((p) => p[0]?.seeds),
    [[1, 2, 3], [4, 5], [6, 7], [8]],
  );
  assert.deepEqual(
    evaluation.results.map((r) => [r.status, r.n]),
    [
      ['stopped-at-cap', 8],
      ['stopped-at-cap', 8],
    ],
  );
});

test('a sweep never starts more than maxRuns runs and drops a seed that would complete no pair', () => {
  const configs = ['control', 'a', 'b'];
  for (const maxRuns of [9, 10, 11, 16, 17, 19, 20]) {
    const { plans, evaluation, observations } = runSweep(spec({ maxRuns }), configs, noEffect);
    const runs = [...observations.values()].reduce((a, m) => a + m.size, 0);
    assert.ok(runs <= maxRuns, `maxRuns ${maxRuns}: ${runs} runs`);
    assert.ok(evaluation.results.every((r) => r.status === 'stopped-at-cap'));
    // Every trained seed beyond the first round is one the pair needed: nothing trained alone.
    for (const r of evaluation.results) assert.ok(r.n >= 3);
    if (maxRuns === 10) assert.equal(plans.length, 1, 'a single run of seed 4 for the control pairs with nothing, so it is not trained');
    if (maxRuns === 11)
      assert.deepEqual(plans[1], [
        { config: 'control', seeds: [4] },
        { config: 'a', seeds: [4] },
      ]);
    if (maxRuns === 19) assert.equal(runs, 18, 'the nineteenth run (control seed 7) would pair with nothing');
    if (maxRuns === 20) assert.equal(runs, 20);
  }
});

test('evaluateReplicate gives the same statuses, intervals and plan on two calls with the same observations', () => {
  const configs = ['control', 'a', 'b'];
  const comparisons = replicateComparisons('all-pairs', configs);
  const observations = observed(
    { control: range(1, 5), a: range(1, 5), b: range(1, 3) },
    (c, seed) => 0.8 + 0.01 * configs.indexOf(c) + 0.003 * ((seed * 7 + configs.indexOf(c) * 5) % 3),
  );
  const once = evaluateReplicate({ spec: spec({ compare: 'all-pairs' }), configs, comparisons, observations });
  const twice = evaluateReplicate({ spec: spec({ compare: 'all-pairs' }), configs, comparisons, observations });
  assert.deepEqual(twice, once);
  // control and a share seeds 1..5 and move on to 6, 7; b is behind, and its pairs ask for 4, 5.
  assert.deepEqual(once.plan, [
    { config: 'control', seeds: [6, 7] },
    { config: 'a', seeds: [6, 7] },
    { config: 'b', seeds: [4, 5] },
  ]);
  assert.deepEqual(
    once.results.map((r) => [r.status, r.n]),
    [
      ['unresolved', 5],
      ['unresolved', 3],
      ['unresolved', 3],
    ],
  );
});
