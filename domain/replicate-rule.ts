/**
 * The stopping rule of an adaptive-seed sweep: after each round, is each comparison resolved,
 * still unresolved, or stopped at a cap, with its current interval (docs/adaptive-seeds.md).
 * Pure code: the sweep workflow calls it between rounds.
 */
import { pairedValues, type Comparison, type ReplicateObservations } from './replicate-comparisons';
import { completesPair, planReplicateRound, type PlannedSeeds } from './replicate-plan';
import { isDecideTarget, type ReplicateSpec } from './replicate-spec';
import { studentTCritical, tMixtureCritical, tMixtureLogE, tMixtureScale } from './replicate-stats';

/**
 * Test accuracy is a count over the 10,000 Fashion-MNIST test images, so it moves in steps of
 * 1e-4. With a few seeds every difference is often exactly equal, and a sample sd of 0 would
 * make any interval a point; the rule never uses an sd below one such step.
 */
export const defaultResolution = 1e-4;

/** Level of the ordinary interval used by the half-width target, as in the effect views. */
export const halfWidthConfidence = 0.95;

export type ComparisonStatus = 'resolved' | 'unresolved' | 'stopped-at-cap';

export interface ComparisonResult {
  comparison: Comparison;
  status: ComparisonStatus;
  /** Seeds with a value on every side. */
  n: number;
  /** Mean difference (or mean value for each-config); null with no seeds. */
  mean: number | null;
  /** The interval, clipped to the metric's possible range; null below 2 seeds. */
  low: number | null;
  high: number | null;
  /** Half the unclipped width; null when it is not finite (the boundary cannot be crossed yet). */
  halfWidth: number | null;
  /** `t` = ordinary t-interval at `level`; `anytime` = running intersection of the confidence sequence at `level`. */
  interval: 't' | 'anytime';
  level: number;
  /** Decide target only: the anytime-valid p-value of "mean difference is 0" (1 / the largest e-value seen). */
  pAnytime: number | null;
  /** Decide target only: the Holm threshold this comparison's p-value was held to. */
  holmThreshold: number | null;
}

export interface ReplicateEvaluation {
  results: ComparisonResult[];
  /** The next round; empty when every comparison is resolved or stopped at a cap. */
  plan: PlannedSeeds[];
}

function meanSd(xs: readonly number[], resolution: number): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, sd: Math.max(Math.sqrt(ss / (xs.length - 1)), resolution) };
}

function metricRange(spec: ReplicateSpec, paired: boolean): [number, number] {
  const [lo, hi] = spec.metric === 'test_acc' ? [0, 1] : [-1, 1];
  return paired ? [lo - hi, hi - lo] : [lo, hi];
}

/** ln of the e-value against mean 0 after each prefix of `xs` (seed order), largest of them. */
function largestLogE(xs: readonly number[], g: number, resolution: number): number {
  let best = 0;
  for (let k = 2; k <= xs.length; k++) {
    const { mean, sd } = meanSd(xs.slice(0, k), resolution);
    best = Math.max(best, tMixtureLogE(k, (mean * Math.sqrt(k)) / sd, g));
  }
  return best;
}

/**
 * The confidence sequence after each prefix, intersected. Each prefix's interval is
 * mean ± c_k · sd / √k with c_k the |t| at which the e-value reaches 1/level. The intersection
 * is empty only on the event of probability ≤ level that the sequence missed; then the latest
 * interval is reported rather than none.
 */
function anytimeInterval(xs: readonly number[], level: number, g: number, resolution: number): [number, number] {
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  let last: [number, number] = [lo, hi];
  for (let k = 2; k <= xs.length; k++) {
    const { mean, sd } = meanSd(xs.slice(0, k), resolution);
    const half = (tMixtureCritical(k, level, g) * sd) / Math.sqrt(k);
    last = [mean - half, mean + half];
    lo = Math.max(lo, last[0]);
    hi = Math.min(hi, last[1]);
  }
  return lo <= hi ? [lo, hi] : last;
}

/** Holm's step-down thresholds: the i-th smallest p is held to alpha/(m − i), stopping at the first miss. */
function holm(ps: readonly number[], alpha: number): { rejected: boolean[]; thresholds: number[] } {
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p || x.i - y.i);
  const rejected = ps.map(() => false);
  const thresholds = ps.map(() => alpha / ps.length);
  let going = true;
  order.forEach(({ p, i }, rank) => {
    thresholds[i] = alpha / (ps.length - rank);
    going = going && p <= alpha / (ps.length - rank);
    rejected[i] = going;
  });
  return { rejected, thresholds };
}

export interface EvaluateInput {
  spec: ReplicateSpec;
  configs: readonly string[];
  comparisons: readonly Comparison[];
  observations: ReplicateObservations;
  /** Smallest step of the metric; the sd used is never below it. @default defaultResolution */
  resolution?: number;
}

/**
 * Evaluates every comparison on the seeds trained so far and plans the next round.
 *
 * - `{halfWidth}`: resolved when the 95% t-interval, mean ± t(0.975, n−1)·sd/√n, has half-width
 *   ≤ the target (per comparison, no multiplicity: it is a precision goal, not a decision).
 * - `{decide, alpha}`: resolved when Holm's procedure at family-wise level alpha, over the
 *   sweep's comparisons, rejects "mean difference is 0" using anytime-valid p-values; the
 *   interval is the confidence sequence at the Bonferroni level alpha/m, so the m intervals
 *   hold simultaneously at every round with probability ≥ 1 − alpha.
 *
 * Until every configuration has minSeeds seeds, nothing is resolved. An unresolved comparison
 * whose next round would give it no new pair (maxSeeds or maxRuns reached) is `stopped-at-cap`.
 */
export function evaluateReplicate(input: EvaluateInput): ReplicateEvaluation {
  const { spec, configs, comparisons, observations } = input;
  const resolution = input.resolution ?? defaultResolution;
  const filling = configs.some((c) => (observations.get(c)?.size ?? 0) < spec.minSeeds);
  const samples = comparisons.map((c) => pairedValues(observations, c).values);
  const m = comparisons.length;
  const target = spec.target;

  let resolved: boolean[];
  let rows: Omit<ComparisonResult, 'status'>[];
  if (isDecideTarget(target)) {
    const level = target.alpha / Math.max(1, m);
    // g is fixed by the spec alone (never by data), chosen so a clear effect can be decided on minSeeds seeds.
    const g = tMixtureScale(spec.minSeeds, level);
    const ps = samples.map((xs) => Math.min(1, Math.exp(-largestLogE(xs, g, resolution))));
    const { rejected, thresholds } = holm(ps, target.alpha);
    resolved = rejected.map((r) => r && !filling);
    rows = comparisons.map((comparison, i) => {
      const xs = samples[i] ?? [];
      const [lo, hi] = xs.length >= 2 ? anytimeInterval(xs, level, g, resolution) : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
      return row(spec, comparison, xs, lo, hi, 'anytime', level, ps[i] ?? 1, thresholds[i] ?? null, resolution);
    });
  } else {
    rows = comparisons.map((comparison, i) => {
      const xs = samples[i] ?? [];
      if (xs.length < 2) return row(spec, comparison, xs, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 't', halfWidthConfidence, null, null, resolution);
      const { mean, sd } = meanSd(xs, resolution);
      const half = (studentTCritical(1 - halfWidthConfidence, xs.length - 1) * sd) / Math.sqrt(xs.length);
      return row(spec, comparison, xs, mean - half, mean + half, 't', halfWidthConfidence, null, null, resolution);
    });
    resolved = rows.map((r) => !filling && r.halfWidth !== null && r.halfWidth <= target.halfWidth);
  }

  const unresolved = new Set(comparisons.filter((_, i) => !resolved[i]).map((c) => c.id));
  const plan = planReplicateRound({ spec, configs, comparisons, observations, unresolved });
  const planned = new Map(plan.map((p) => [p.config, new Set(p.seeds)]));
  const usedOf = (c: string): ReadonlySet<number> => new Set(observations.get(c)?.keys() ?? []);
  const has = (c: string, s: number): boolean => usedOf(c).has(s) || (planned.get(c)?.has(s) ?? false);
  const results = rows.map((r, i): ComparisonResult => {
    if (resolved[i]) return { ...r, status: 'resolved' };
    const seeds = new Set([...(planned.get(r.comparison.config) ?? []), ...(r.comparison.other === null ? [] : (planned.get(r.comparison.other) ?? []))]);
    const grows = [...seeds].some((s) => completesPair(r.comparison, s, has, usedOf));
    return { ...r, status: grows ? 'unresolved' : 'stopped-at-cap' };
  });
  return { results, plan };
}

function row(
  spec: ReplicateSpec,
  comparison: Comparison,
  xs: readonly number[],
  lo: number,
  hi: number,
  interval: 't' | 'anytime',
  level: number,
  pAnytime: number | null,
  holmThreshold: number | null,
  resolution: number,
): Omit<ComparisonResult, 'status'> {
  const [min, max] = metricRange(spec, comparison.other !== null);
  const finite = xs.length >= 2 && Number.isFinite(hi - lo);
  return {
    comparison,
    n: xs.length,
    mean: xs.length === 0 ? null : meanSd(xs, resolution).mean,
    low: xs.length >= 2 ? Math.max(min, lo) : null,
    high: xs.length >= 2 ? Math.min(max, hi) : null,
    halfWidth: finite ? (hi - lo) / 2 : null,
    interval,
    level,
    pAnytime,
    holmThreshold,
  };
}
