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

/** The sentence for one row of effect_vs_control. */
export function effectSentence(r: EffectVsControlView): string {
  const head = `${configLabel(r)} vs ${controlLabel(r)}, ${r.epochs} ${r.epochs === 1 ? 'epoch' : 'epochs'}: ${metricNames[r.metric]}`;
  if (r.n === 0 || r.diff_mean === null) return `${head}: no seed has results for both yet.`;
  const seeds = `n=${r.n} ${r.n === 1 ? 'seed' : 'seeds'}`;
  const change = `${signedPoints(r.diff_mean)} points`;
  if (r.n < 3) return `${head} ${change}, ${seeds}; with fewer than 3 seeds the interval and p-value are not informative.`;
  const interval =
    r.diff_ci_low !== null && r.diff_ci_high !== null
      ? ` (95% CI ${signedPoints(r.diff_ci_low)} to ${signedPoints(r.diff_ci_high)}${r.diff_ci_clipped ? ', clipped to the possible range' : ''})`
      : ' (every seed shows the same difference, so there is no t-interval)';
  if (r.p_used === null || r.p_holm === null) return `${head} ${change}${interval}, ${seeds}; no test applies to more than 12 equal differences.`;
  const test = r.p_test === 't' ? `paired t-test p${formatP(r.p_used)}` : `exact sign-flip test p${formatP(r.p_used)}`;
  const family = `Holm-adjusted over the ${r.holm_m} comparisons of this sweep's ${metricNames[r.metric]} at every epochs value: p${formatP(r.p_holm)}`;
  const verdict = r.p_holm < significanceLevel ? 'beyond seed noise' : 'within seed noise';
  return `${head} ${change}${interval}, ${seeds}; ${test}, ${family} — ${verdict}.`;
}

/** One sentence per row, or one saying why there is nothing to compare. */
export function effectSentences(rows: readonly EffectVsControlView[]): string[] {
  if (rows.length === 0) return ['The grid has a single configuration at its largest epochs value, so there is no effect to compare.'];
  return rows.map(effectSentence);
}
