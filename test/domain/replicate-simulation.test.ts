import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicateComparisons, pairedValues, type Comparison } from '../../domain/replicate-comparisons';
import { evaluateReplicate, type ComparisonResult } from '../../domain/replicate-rule';
import type { ReplicateSpec } from '../../domain/replicate-spec';
import { studentTCritical, studentTTwoSidedP } from '../../domain/replicate-stats';

/*
 * Simulated sweeps: no training, each configuration's metric at a seed is drawn from
 * N(mean, sigma²) and rounded to a step of 1e-4, as test accuracy over 10,000 images is. The
 * sweep loop is the one the workflow will run: evaluate, train the planned seeds, repeat until
 * the plan is empty. A seeded PRNG keeps every rate below exact and repeatable.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Monte-Carlo bound on an observed rate whose true value is at most alpha: alpha + 3 standard errors. */
const mcBound = (alpha: number, n: number): number => alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / n);

interface SweepOutcome {
  results: ComparisonResult[];
  comparisons: Comparison[];
  seedsPerConfig: Map<string, number>;
  runs: number;
  rounds: number;
  /** Every configuration's value at seeds 1..maxSeeds, drawn up front so other rules can replay the same data. */
  table: Map<string, number[]>;
}

function simulateSweep(
  spec: ReplicateSpec,
  means: Record<string, number>,
  sigma: number,
  rand: () => number,
  control?: string,
  noise: (rand: () => number) => number = normal,
): SweepOutcome {
  const configs = Object.keys(means);
  const table = new Map(configs.map((c) => [c, Array.from({ length: spec.maxSeeds }, () => Math.round(((means[c] ?? 0) + sigma * noise(rand)) * 1e4) / 1e4)]));
  const comparisons = replicateComparisons(spec.compare, configs, control);
  const observations = new Map(configs.map((c) => [c, new Map<number, number | null>()]));
  let rounds = 0;
  for (;;) {
    const { results, plan } = evaluateReplicate({ spec, configs, comparisons, observations });
    if (plan.length === 0) {
      const seedsPerConfig = new Map(configs.map((c) => [c, observations.get(c)?.size ?? 0]));
      const runs = [...seedsPerConfig.values()].reduce((a, b) => a + b, 0);
      return { results, comparisons, seedsPerConfig, runs, rounds, table };
    }
    rounds++;
    for (const { config, seeds } of plan) for (const s of seeds) observations.get(config)?.set(s, table.get(config)?.[s - 1] ?? null);
  }
}

/** The rule this replaces: after every round, stop and declare a difference as soon as the paired t-test gives p < alpha. */
function naiveDeclares(table: Map<string, number[]>, config: string, control: string, looks: readonly number[], alpha: number): boolean {
  const a = table.get(config) ?? [];
  const b = table.get(control) ?? [];
  return looks.some((n) => {
    const d = a.slice(0, n).map((x, i) => x - (b[i] ?? 0));
    const mean = d.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    return sd > 0 && studentTTwoSidedP((mean * Math.sqrt(n)) / sd, n - 1) < alpha;
  });
}

const decideSpec = (over: Partial<ReplicateSpec> = {}): ReplicateSpec => ({
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

test('the decide rule declares a null comparison different at most alpha of the time under a look every round, while stopping at the first t-test p < alpha does not', () => {
  const rand = mulberry32(20261201);
  const spec = decideSpec();
  const sweeps = 2000;
  const looks = [3, 5, 7, 9, 11, 13, 15, 17, 19, 20];
  let declared = 0;
  let naive = 0;
  for (let i = 0; i < sweeps; i++) {
    const out = simulateSweep(spec, { control: 0.85, config: 0.85 }, 0.003, rand, 'control');
    assert.equal(out.results.length, 1);
    if (out.results[0]?.status === 'resolved') declared++;
    // An undecided comparison runs to maxSeeds and is looked at after every round.
    else assert.deepEqual([out.rounds, out.results[0]?.status], [looks.length, 'stopped-at-cap']);
    if (naiveDeclares(out.table, 'config', 'control', looks, 0.05)) naive++;
  }
  const bound = mcBound(0.05, sweeps);
  const rate = declared / sweeps;
  const naiveRate = naive / sweeps;
  console.log(
    `null, 1 comparison, ${sweeps} sweeps, ${looks.length} looks: decide rule ${rate.toFixed(4)}, naive t-test ${naiveRate.toFixed(4)}, bound ${bound.toFixed(4)}`,
  );
  assert.ok(rate <= bound, `decide rule declared ${rate} of null comparisons, above ${bound}`);
  assert.ok(naiveRate > bound, `the naive rule declared ${naiveRate}, not above ${bound}: this test could not tell a sound rule from an unsound one`);
});

test('the decide rule keeps the family-wise rate of any false declaration at most alpha over several comparisons', () => {
  const rand = mulberry32(7);
  const sweeps = 600;
  const bound = mcBound(0.05, sweeps);
  const cases: { spec: ReplicateSpec; means: Record<string, number>; control: string | undefined }[] = [
    { spec: decideSpec(), means: { control: 0.85, a: 0.85, b: 0.85, c: 0.85, d: 0.85 }, control: 'control' },
    { spec: decideSpec({ compare: 'all-pairs' }), means: { a: 0.85, b: 0.85, c: 0.85 }, control: undefined },
  ];
  for (const { spec, means, control } of cases) {
    let anyDeclared = 0;
    for (let i = 0; i < sweeps; i++) {
      const out = simulateSweep(spec, means, 0.003, rand, control);
      if (out.results.some((r) => r.status === 'resolved')) anyDeclared++;
    }
    const rate = anyDeclared / sweeps;
    console.log(
      `null, ${spec.compare} over ${Object.keys(means).length} configurations, ${sweeps} sweeps: family-wise rate ${rate.toFixed(4)}, bound ${bound.toFixed(4)}`,
    );
    assert.ok(rate <= bound, `${spec.compare}: family-wise rate ${rate} above ${bound}`);
  }
});

test('the decide rule stays at most alpha when the seed noise is heavy-tailed (Laplace) rather than normal', () => {
  // The guarantee is proved for normal differences; this checks that it does not hinge on thin tails.
  const rand = mulberry32(11);
  const laplace = (r: () => number): number => {
    const u = r() - 0.5;
    return (-Math.sign(u) * Math.log(1 - 2 * Math.abs(u))) / Math.SQRT2;
  };
  const sweeps = 2000;
  let declared = 0;
  for (let i = 0; i < sweeps; i++) {
    if (simulateSweep(decideSpec(), { control: 0.85, config: 0.85 }, 0.003, rand, 'control', laplace).results[0]?.status === 'resolved') declared++;
  }
  console.log(`null with Laplace noise, ${sweeps} sweeps: decide rule ${(declared / sweeps).toFixed(4)}, bound ${mcBound(0.05, sweeps).toFixed(4)}`);
  assert.ok(declared / sweeps <= mcBound(0.05, sweeps));
});

test('the anytime interval covers the true difference at the end of a sweep at least 1 - alpha/m of the time', () => {
  const rand = mulberry32(99);
  const sweeps = 1000;
  let covered = 0;
  for (let i = 0; i < sweeps; i++) {
    const out = simulateSweep(decideSpec(), { control: 0.85, config: 0.853 }, 0.003, rand, 'control');
    const r = out.results[0];
    if (r?.low !== null && r?.high !== null && r !== undefined && r.low <= 0.003 && 0.003 <= r.high) covered++;
  }
  console.log(`anytime interval coverage at the stopping seed, small effect: ${(covered / sweeps).toFixed(4)}`);
  assert.ok(covered / sweeps >= 1 - mcBound(0.05, sweeps));
});

test('a large planted effect is decided on minSeeds seeds', () => {
  const rand = mulberry32(3);
  const sims = 200;
  let atMin = 0;
  for (let i = 0; i < sims; i++) {
    const out = simulateSweep(decideSpec(), { control: 0.8, config: 0.88 }, 0.003, rand, 'control');
    const r = out.results[0];
    assert.equal(r?.status, 'resolved');
    if (r?.n === 3 && out.runs === 6 && out.rounds === 1) atMin++;
  }
  console.log(`large effect (0.08, sigma 0.003): decided on 3 seeds in ${atMin} of ${sims}`);
  assert.ok(atMin >= 0.95 * sims, `decided at minSeeds in only ${atMin} of ${sims}`);
});

test('a half-width target on a quiet comparison is met on minSeeds seeds', () => {
  const rand = mulberry32(4);
  for (let i = 0; i < 50; i++) {
    const out = simulateSweep(decideSpec({ target: { halfWidth: 0.01 } }), { control: 0.85, config: 0.86 }, 0.001, rand, 'control');
    assert.equal(out.results[0]?.status, 'resolved');
    assert.equal(out.results[0]?.n, 3);
    assert.ok((out.results[0]?.halfWidth ?? 1) <= 0.01);
  }
});

test('a small planted effect takes more seeds than a large one and is still decided within maxSeeds', () => {
  const rand = mulberry32(5);
  const sims = 300;
  const seedsFor = (effect: number): { mean: number; decided: number } => {
    let total = 0;
    let decided = 0;
    for (let i = 0; i < sims; i++) {
      const out = simulateSweep(decideSpec(), { control: 0.85, config: 0.85 + effect }, 0.003, rand, 'control');
      total += out.seedsPerConfig.get('config') ?? 0;
      if (out.results[0]?.status === 'resolved') decided++;
    }
    return { mean: total / sims, decided: decided / sims };
  };
  const large = seedsFor(0.03);
  const small = seedsFor(0.006);
  console.log(
    `seeds used: effect 0.03 -> ${large.mean.toFixed(2)} (decided ${large.decided}), effect 0.006 -> ${small.mean.toFixed(2)} (decided ${small.decided})`,
  );
  assert.ok(small.mean >= large.mean + 3, `small effect used ${small.mean} seeds, large ${large.mean}`);
  assert.ok(small.decided >= 0.8, `small effect decided in only ${small.decided} of sweeps`);
});

test('a narrower half-width target takes more seeds', () => {
  const rand = mulberry32(6);
  const mean = (halfWidth: number): number => {
    let total = 0;
    for (let i = 0; i < 200; i++) {
      const out = simulateSweep(decideSpec({ target: { halfWidth }, compare: 'each-config' }), { a: 0.85 }, 0.003, rand);
      assert.notEqual(out.results[0]?.status, 'unresolved');
      total += out.seedsPerConfig.get('a') ?? 0;
    }
    return total / 200;
  };
  const wide = mean(0.006);
  const narrow = mean(0.002);
  console.log(`each-config, sigma 0.003: half-width 0.006 -> ${wide.toFixed(2)} seeds, 0.002 -> ${narrow.toFixed(2)} seeds`);
  assert.ok(narrow > wide + 3);
});

test('the t-interval of a half-width target covers less than the nominal 95% where sampling stopped, but more than 85%', () => {
  // Stopping once the interval is narrow favours seeds whose sd came out small, so coverage at
  // the stopping seed is below the nominal 95%; docs/adaptive-seeds.md reports this number.
  const rand = mulberry32(8);
  const sims = 2000;
  let covered = 0;
  for (let i = 0; i < sims; i++) {
    const out = simulateSweep(decideSpec({ target: { halfWidth: 0.004 } }), { control: 0.85, config: 0.851 }, 0.003, rand, 'control');
    const r = out.results[0];
    if (r?.low !== null && r?.high !== null && r !== undefined && r.low <= 0.001 && 0.001 <= r.high) covered++;
  }
  const rate = covered / sims;
  console.log(`half-width 0.004, sigma 0.003: t-interval coverage at the stopping seed ${rate.toFixed(4)}`);
  assert.ok(rate >= 0.85 && rate <= 0.97, `coverage ${rate}`);
});

test('pairedValues and the interval agree with a hand-computed t-interval', () => {
  const observations = new Map([
    [
      'control',
      new Map<number, number | null>([
        [1, 0.8],
        [2, 0.81],
        [3, 0.79],
        [4, null],
      ]),
    ],
    [
      'config',
      new Map<number, number | null>([
        [1, 0.82],
        [2, 0.84],
        [3, 0.8],
        [4, 0.9],
      ]),
    ],
  ]);
  const [cmp] = replicateComparisons('vs-control', ['control', 'config'], 'control');
  assert.ok(cmp);
  const { seeds, values } = pairedValues(observations, cmp);
  assert.deepEqual(seeds, [1, 2, 3]);
  const spec = decideSpec({ target: { halfWidth: 0.5 } });
  const { results } = evaluateReplicate({ spec, configs: ['control', 'config'], comparisons: [cmp], observations });
  const mean = values.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
  const half = (studentTCritical(0.05, 2) * sd) / Math.sqrt(3);
  assert.ok(Math.abs((results[0]?.mean ?? 0) - 0.02) < 1e-12);
  assert.ok(Math.abs((results[0]?.halfWidth ?? 0) - half) < 1e-12);
  assert.equal(results[0]?.status, 'resolved');
});
