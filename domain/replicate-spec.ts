/**
 * The optional `replicate` block of a sweep spec: how many seeds a sweep trains is decided
 * while it runs (docs/adaptive-seeds.md). Pure code, like the rest of domain/: the sweep
 * workflow will validate and use it inside Temporal's sandbox.
 */
import { SpecError } from './sweep-spec';
import { largestMaxTrials, trainingLimits } from './training-limits';
import { asObject, fail, rejectUnknownKeys } from './spec-fields';

/** The metrics the effect views compare; the rule reads one of them at one epochs value. */
export const replicateMetrics = Object.freeze(['test_acc', 'gap'] as const);
export type ReplicateMetric = (typeof replicateMetrics)[number];

/**
 * What is compared: every configuration with the control (`vs-control`), every pair of
 * configurations (`all-pairs`), or each configuration's own mean (`each-config`).
 */
export const replicateCompares = Object.freeze(['vs-control', 'all-pairs', 'each-config'] as const);
export type ReplicateCompare = (typeof replicateCompares)[number];

/** Resolved when the 95% t-interval's half-width is at most `halfWidth`. */
export interface HalfWidthTarget {
  halfWidth: number;
}

/** Resolved when the comparison is decided at family-wise level `alpha`, valid under repeated looks. */
export interface DecideTarget {
  decide: true;
  alpha: number;
}

export type ReplicateTarget = HalfWidthTarget | DecideTarget;

export interface ReplicateSpec {
  /** @default "test_acc" */
  metric: ReplicateMetric;
  /** The epochs value at which the metric is read; one of the grid's epochs. */
  epochs: number;
  compare: ReplicateCompare;
  target: ReplicateTarget;
  /** Seeds every configuration gets before any comparison is looked at. @default 3 */
  minSeeds: number;
  /** Most seeds any configuration gets. @default 20 */
  maxSeeds: number;
  /** Seeds added per round to each configuration that still needs them. @default 2 */
  seedsPerRound: number;
  /** Most training runs the sweep starts in all, over every configuration. */
  maxRuns: number;
}

export const replicateDefaults = Object.freeze({ metric: 'test_acc' as ReplicateMetric, minSeeds: 3, maxSeeds: 20, seedsPerRound: 2 });

/** A single configuration never needs more seeds than this; the t-interval has long settled. */
export const largestMaxSeeds = 1000;

export function isDecideTarget(target: ReplicateTarget): target is DecideTarget {
  return 'decide' in target;
}

/** What the validator may check beyond the block itself, once the grid is known. */
export interface ReplicateContext {
  /** The grid's epochs values; `epochs` must be one of them. */
  gridEpochs?: readonly number[];
  /** Configurations in the grid (dropout1 × dropout2 × weightDecay). */
  configCount?: number;
  /**
   * Entries of the spec's `seeds`: with a replicate block they are the seeds every configuration
   * trains first, so there may be at most minSeeds of them (the rule adds the rest).
   */
  seedCount?: number;
}

function integerIn(value: unknown, field: string, min: number, max: number, range = `[${min}, ${max}]`): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `an integer in ${range}`, value);
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return value as T;
}

function parseTarget(value: unknown, compare: ReplicateCompare): ReplicateTarget {
  const field = 'replicate.target';
  const t = asObject(value, field);
  if ('halfWidth' in t) {
    rejectUnknownKeys(t, ['halfWidth'], field);
    const h = t.halfWidth;
    if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0 || h > 1) fail(`${field}.halfWidth`, 'a number in (0, 1]', h);
    return { halfWidth: h };
  }
  if ('decide' in t) {
    rejectUnknownKeys(t, ['decide', 'alpha'], field);
    if (t.decide !== true) fail(`${field}.decide`, 'true (or use {"halfWidth": ...})', t.decide);
    if (compare === 'each-config') {
      throw new SpecError(
        `${field}.decide`,
        `${field}.decide needs compare "vs-control" or "all-pairs" (each-config has nothing to decide between), got "each-config"`,
      );
    }
    const a = t.alpha;
    if (typeof a !== 'number' || !Number.isFinite(a) || a <= 0 || a > 0.5) fail(`${field}.alpha`, 'a number in (0, 0.5]', a);
    return { decide: true, alpha: a };
  }
  throw new SpecError(
    field,
    `${field} must be {"halfWidth": h} or {"decide": true, "alpha": a}, got an object with keys ${Object.keys(t).join(', ') || 'none'}`,
  );
}

/**
 * Validates the `replicate` block and fills its defaults.
 * @throws SpecError naming the field, what is required and what was given, in one line.
 */
export function validateReplicate(input: unknown, context: ReplicateContext = {}): ReplicateSpec {
  const r = asObject(input, 'replicate');
  rejectUnknownKeys(r, ['metric', 'epochs', 'compare', 'target', 'minSeeds', 'maxSeeds', 'seedsPerRound', 'maxRuns'], 'replicate');
  const metric = r.metric === undefined ? replicateDefaults.metric : oneOf(r.metric, 'replicate.metric', replicateMetrics);
  const { min: minEpochs, max: maxEpochs } = trainingLimits.epochs;
  const epochs = integerIn(r.epochs, 'replicate.epochs', minEpochs, maxEpochs);
  if (context.gridEpochs && !context.gridEpochs.includes(epochs))
    fail('replicate.epochs', `one of the grid's epochs (${context.gridEpochs.join(', ')})`, epochs);
  const compare = oneOf(r.compare, 'replicate.compare', replicateCompares);
  const target = parseTarget(r.target, compare);
  // Two seeds are the fewest with a standard deviation, so the fewest any interval needs.
  const minSeeds = r.minSeeds === undefined ? replicateDefaults.minSeeds : integerIn(r.minSeeds, 'replicate.minSeeds', 2, largestMaxSeeds);
  const maxSeedsValue = r.maxSeeds ?? Math.max(replicateDefaults.maxSeeds, minSeeds);
  const maxSeeds = integerIn(maxSeedsValue, 'replicate.maxSeeds', minSeeds, largestMaxSeeds, `[minSeeds = ${minSeeds}, ${largestMaxSeeds}]`);
  const seedsPerRound =
    r.seedsPerRound === undefined
      ? replicateDefaults.seedsPerRound
      : integerIn(r.seedsPerRound, 'replicate.seedsPerRound', 1, maxSeeds, `[1, maxSeeds = ${maxSeeds}]`);
  const maxRuns = integerIn(r.maxRuns, 'replicate.maxRuns', 1, largestMaxTrials);
  if (context.configCount !== undefined && maxRuns < context.configCount * minSeeds) {
    const need = context.configCount * minSeeds;
    throw new SpecError(
      'replicate.maxRuns',
      `replicate.maxRuns must be at least configurations × minSeeds = ${context.configCount} × ${minSeeds} = ${need}, got ${maxRuns}`,
    );
  }
  if (context.seedCount !== undefined && context.seedCount > minSeeds) {
    throw new SpecError(
      'seeds',
      `seeds must have at most replicate.minSeeds = ${minSeeds} entries when replicate is given (they are the first seeds; the rule adds the rest), got ${context.seedCount}`,
    );
  }
  return { metric, epochs, compare, target, minSeeds, maxSeeds, seedsPerRound, maxRuns };
}
