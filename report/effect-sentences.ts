import type { EffectVsControlView } from '../db/effect-vs-control.view';

/*
 * One plain sentence per effect_vs_control row, for a reader who has not met a t-test:
 * what the configuration does against the control, the interval, n, the test, the Holm
 * family, and whether that is beyond seed noise. Below 3 seeds the sentence says the
 * interval and p-value are not informative instead of quoting them.
 */

/** Holm-adjusted p below this is called "beyond seed noise". */
export const significanceLevel = 0.05;

const metricNames: Record<EffectVsControlView['metric'], string> = { test_acc: 'test accuracy', gap: 'train−test gap' };

/** A difference of fractions as signed percentage points: +1.2, −0.4. */
export const signedPoints = (diff: number): string => `${diff >= 0 ? '+' : '−'}${Math.abs(diff * 100).toFixed(1)}`;

/** A p-value with two significant digits, or `<0.001`. */
export const formatP = (p: number): string => (p < 0.001 ? '<0.001' : `=${Number(p.toPrecision(2))}`);

const axes = [
  ['dropout1', 'control_dropout1', 'dropout1'],
  ['dropout2', 'control_dropout2', 'dropout2'],
  ['weight_decay', 'control_weight_decay', 'weight decay'],
] as const;

/** The axes where the configuration differs from its control, e.g. `dropout1=0.5, dropout2=0.5`. */
export function configLabel(r: EffectVsControlView): string {
  return axes
    .filter(([axis, control]) => r[axis] !== r[control])
    .map(([axis, , name]) => `${name}=${r[axis]}`)
    .join(', ');
}

export function controlLabel(r: EffectVsControlView): string {
  if (r.control_kind === 'no regularization') return 'no regularization';
  return `the lowest grid values (${axes.map(([, control, name]) => `${name}=${r[control]}`).join(', ')})`;
}

/** `n=3 seeds`, `n=1 seed`. */
export const seedCount = (n: number): string => `n=${n} ${n === 1 ? 'seed' : 'seeds'}`;

/** `4 epochs`, `1 epoch`. */
export const epochCount = (epochs: number): string => `${epochs} ${epochs === 1 ? 'epoch' : 'epochs'}`;

/** What the sentences say instead of an interval and a p-value below 3 seeds. */
export const tooFewSeedsClause = 'with fewer than 3 seeds the interval and p-value are not informative';

/** A 95% interval of a difference as ` (95% CI +0.4 to +2.0)`, or why there is none. */
export function intervalClause(low: number | null, high: number | null, clipped: boolean): string {
  if (low === null || high === null) return ' (every seed shows the same difference, so there is no t-interval)';
  return ` (95% CI ${signedPoints(low)} to ${signedPoints(high)}${clipped ? ', clipped to the possible range' : ''})`;
}

/** The p-value columns an effect sentence quotes, as every effect view has them. */
export type TestedEffect = Pick<EffectVsControlView, 'metric' | 'p_test' | 'p_used' | 'p_holm' | 'holm_m'>;

/**
 * `paired t-test p=0.012, Holm-adjusted over the 6 comparisons of this sweep's test accuracy at
 * every epochs value: p=0.036`: the test, its p, the whole (sweep, metric) Holm family with its
 * size, and the adjusted p; null when no test applies (more than 12 equal differences).
 */
export function testClause(r: TestedEffect, comparisons = 'comparisons'): string | null {
  if (r.p_used === null || r.p_holm === null) return null;
  const test = r.p_test === 't' ? `paired t-test p${formatP(r.p_used)}` : `exact sign-flip test p${formatP(r.p_used)}`;
  return `${test}, Holm-adjusted over the ${r.holm_m} ${comparisons} of this sweep's ${metricNames[r.metric]} at every epochs value: p${formatP(r.p_holm)}`;
}

/** Whether a whole-family Holm p is beyond seed noise. */
export const beyondSeedNoise = (pHolm: number): boolean => pHolm < significanceLevel;

export const metricName = (metric: EffectVsControlView['metric']): string => metricNames[metric];

/** The sentence for one row of effect_vs_control. */
export function effectSentence(r: EffectVsControlView): string {
  const head = `${configLabel(r)} vs ${controlLabel(r)}, ${epochCount(r.epochs)}: ${metricNames[r.metric]}`;
  if (r.n === 0 || r.diff_mean === null) return `${head}: no seed has results for both yet.`;
  const seeds = seedCount(r.n);
  const change = `${signedPoints(r.diff_mean)} points`;
  if (r.n < 3) return `${head} ${change}, ${seeds}; ${tooFewSeedsClause}.`;
  const interval = intervalClause(r.diff_ci_low, r.diff_ci_high, r.diff_ci_clipped);
  const tested = testClause(r);
  if (tested === null || r.p_holm === null) return `${head} ${change}${interval}, ${seeds}; no test applies to more than 12 equal differences.`;
  const verdict = beyondSeedNoise(r.p_holm) ? 'beyond seed noise' : 'within seed noise';
  return `${head} ${change}${interval}, ${seeds}; ${tested} — ${verdict}.`;
}

/** One sentence per row, or one saying why there is nothing to compare. */
export function effectSentences(rows: readonly EffectVsControlView[]): string[] {
  if (rows.length === 0) return ['The grid has a single configuration at its largest epochs value, so there is no effect to compare.'];
  return rows.map(effectSentence);
}
