import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EffectVsControlView } from '../../db/effect-vs-control.view';
import { describeEffects } from '../../report/describe-effects';
import { effectSentence, effectSentences } from '../../report/effect-sentences';
import { loadNoZeroSweep } from '../db/control-fixture';
import { openFixtureDatabase, type FixtureDatabase } from '../db/fixture-database';

const base: EffectVsControlView = {
  sweep_id: 's',
  variant: 'dropout lr=0.5',
  metric: 'test_acc',
  epochs: 4,
  dropout1: 0.5,
  dropout2: 0.5,
  weight_decay: 0,
  control_dropout1: 0,
  control_dropout2: 0,
  control_weight_decay: 0,
  control_kind: 'no regularization',
  n: 3,
  n_excluded_diverged: 0,
  df: 2,
  config_mean: 0.85,
  control_mean: 0.838,
  diff_mean: 0.012,
  diff_sd: 0.003,
  diff_ci_low: 0.004,
  diff_ci_high: 0.02,
  diff_ci_clipped: false,
  diff_t: 6.9,
  diff_p: 0.012,
  diff_p_sign_flip: 0.25,
  p_test: 't',
  p_used: 0.012,
  p_holm: 0.036,
  holm_m: 6,
  p_holm_epochs: 0.024,
  holm_m_epochs: 3,
};

test('effectSentence states the change, interval, n, test, Holm family and verdict', () => {
  assert.equal(
    effectSentence(base),
    "dropout1=0.5, dropout2=0.5 vs no regularization, 4 epochs: test accuracy +1.2 points (95% CI +0.4 to +2.0), n=3 seeds; " +
      "paired t-test p=0.012, Holm-adjusted over the 6 comparisons of this sweep's test accuracy at every epochs value: p=0.036 — beyond seed noise.",
  );
  assert.match(effectSentence({ ...base, p_holm: 0.2 }), /p=0\.2 — within seed noise\.$/);
});

test('effectSentence names only the axes that differ from the control, and a control that is not zero', () => {
  const r = { ...base, dropout1: 0.3, dropout2: 0.25, weight_decay: 0.001, control_dropout1: 0.1, control_dropout2: 0.25, control_weight_decay: 0.001 };
  assert.match(
    effectSentence({ ...r, control_kind: 'lowest value of each axis' }),
    /^dropout1=0\.3 vs the lowest grid values \(dropout1=0\.1, dropout2=0\.25, weight decay=0\.001\), 4 epochs: /,
  );
});

test('effectSentence says the interval and p-value are not informative below 3 seeds', () => {
  const s = effectSentence({ ...base, n: 2, df: 1, diff_mean: -0.004, p_holm: 0.01 });
  assert.equal(s, 'dropout1=0.5, dropout2=0.5 vs no regularization, 4 epochs: test accuracy −0.4 points, n=2 seeds; with fewer than 3 seeds the interval and p-value are not informative.');
  assert.doesNotMatch(s, /CI|p=|beyond/);
  assert.match(effectSentence({ ...base, n: 0, diff_mean: null }), /no seed has results for both yet\.$/);
});

test('effectSentence names the sign-flip test when every seed shows the same difference, and a clipped interval', () => {
  const tie = effectSentence({ ...base, metric: 'gap', diff_sd: 0, diff_ci_low: null, diff_ci_high: null, diff_t: null, diff_p: null, p_test: 'sign-flip', p_used: 0.25, p_holm: 1 });
  assert.match(tie, /train−test gap \+1\.2 points \(every seed shows the same difference, so there is no t-interval\), n=3 seeds; exact sign-flip test p=0\.25, /);
  assert.match(tie, /comparisons of this sweep's train−test gap at every epochs value: p=1 — within seed noise\.$/);
  assert.match(effectSentence({ ...base, diff_ci_low: -1, diff_ci_clipped: true }), /\(95% CI −100\.0 to \+2\.0, clipped to the possible range\)/);
  assert.match(effectSentence({ ...base, p_used: 0.0001, p_holm: 0.0004 }), /p<0\.001, .*p<0\.001 — beyond/);
});

test('effectSentences explains an empty comparison instead of returning nothing', () => {
  assert.deepEqual(effectSentences([]), ['The grid has a single configuration at its largest epochs value, so there is no effect to compare.']);
});

let fx: FixtureDatabase;
before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
});
after(async () => {
  await fx?.close();
});

test('describeEffects gives one sentence per configuration and metric at the largest epochs value', async () => {
  const quick = await describeEffects(fx.handle.db, 'quick');
  // quick: dropout1 ∈ {0, 0.5} × dropout2 ∈ {0, 0.2}, two seeds, one epochs value: 3 configurations × 2 metrics.
  assert.equal(quick.length, 6);
  assert.ok(quick.slice(0, 3).every((s) => s.includes(': test accuracy ') && s.includes('n=2 seeds; with fewer than 3 seeds')));
  assert.ok(quick.slice(3).every((s) => s.includes(': train−test gap ')));
  const main = await describeEffects(fx.handle.db, 'd2l-dropout');
  assert.equal(main.length, 17 * 2);
  assert.ok(main.every((s) => s.includes(' 4 epochs: ')));
  assert.ok(main.some((s) => s.includes("Holm-adjusted over the 34 comparisons of this sweep's test accuracy") && s.endsWith('— beyond seed noise.')));
  const noZero = await describeEffects(fx.handle.db, 'no-zero');
  assert.ok(noZero[0]!.startsWith('dropout1=0.2 vs the lowest grid values (dropout1=0.1, dropout2=0.25, weight decay=0.001), 1 epoch: test accuracy +1.0 points'));
  assert.match(noZero[0]!, /exact sign-flip test p=0\.25/);
  assert.deepEqual(await describeEffects(fx.handle.db, 'no-such-sweep'), [effectSentences([])[0]]);
});
