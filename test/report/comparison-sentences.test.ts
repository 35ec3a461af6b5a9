import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EffectDropoutSwapView } from '../../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../../db/effect-interaction.view';
import type { MainEffectView } from '../../db/main-effect.view';
import type { NoiseDiagnosticView } from '../../db/noise-diagnostic.view';
import { interactionSentence, mainEffectSentences, swapSentence } from '../../report/comparison-sentences';
import { noiseSentence } from '../../report/noise-sentences';

const pColumns = { p_test: 't' as const, p_used: 0.004, p_holm: 0.03, holm_m: 24, p_holm_epochs: 0.012, holm_m_epochs: 8 };

const swap: EffectDropoutSwapView = {
  ...{ sweep_id: 's', variant: 'dropout lr=0.5', metric: 'test_acc', epochs: 20, weight_decay: 0, dropout_a: 0.2, dropout_b: 0.5, n: 3, n_excluded_diverged: 0 },
  ...{ mean_ab: 0.862, mean_ba: 0.85, diff_mean: 0.012, diff_sd: 0.002, diff_ci_low: 0.007, diff_ci_high: 0.017 },
  ...{ diff_t: 10.4, diff_p: 0.004, diff_p_holm: 0.012, diff_p_sign_flip: 0.25, ...pColumns },
};

test('swapSentence quotes the whole-family Holm p with the test, n and the family size', () => {
  assert.equal(
    swapSentence(swap),
    'dropout1=0.2, dropout2=0.5 vs dropout1=0.5, dropout2=0.2 (weight decay 0), 20 epochs: test accuracy +1.2 points (95% CI +0.7 to +1.7), ' +
      "n=3 seeds; paired t-test p=0.004, Holm-adjusted over the 24 swap comparisons of this sweep's test accuracy at every epochs value: " +
      'p=0.03 — the order matters beyond seed noise.',
  );
  // The narrower per-epochs family is never quoted.
  assert.doesNotMatch(swapSentence(swap), /0\.012/);
  assert.match(swapSentence({ ...swap, p_holm: 0.4 }), /: p=0\.4 — the order is within seed noise\.$/);
});

test('swapSentence says the interval and p-value are not informative below 3 seeds, and counts diverged seeds', () => {
  assert.equal(
    swapSentence({ ...swap, n: 2, n_excluded_diverged: 1, p_holm: 0.01 }),
    'dropout1=0.2, dropout2=0.5 vs dropout1=0.5, dropout2=0.2 (weight decay 0), 20 epochs: test accuracy +1.2 points, n=2 seeds ' +
      '(1 diverged seed left out); with fewer than 3 seeds the interval and p-value are not informative.',
  );
});

test('swapSentence names the sign-flip test when every seed agrees, and clips the interval to [−1, 1]', () => {
  const tie = swapSentence({ ...swap, metric: 'gap', diff_sd: 0, diff_ci_low: null, diff_ci_high: null, p_test: 'sign-flip', p_used: 0.25, p_holm: 1 });
  assert.match(
    tie,
    /train−test gap \+1\.2 points \(every seed shows the same difference, so there is no t-interval\), n=3 seeds; exact sign-flip test p=0\.25, /,
  );
  assert.match(tie, /over the 24 swap comparisons of this sweep's train−test gap at every epochs value: p=1 — the order is within seed noise\.$/);
  assert.match(swapSentence({ ...swap, diff_ci_low: -1.3 }), /\(95% CI −100\.0 to \+1\.7, clipped to the possible range\)/);
});

const interaction: EffectInteractionView = {
  ...{ sweep_id: 's', variant: 'dropout lr=0.5', metric: 'test_acc', epochs: 20, dropout1: 0.5, dropout2: 0.5, weight_decay: 0.001, n: 3, n_excluded_diverged: 0 },
  ...{ baseline_mean: 0.84, dropout_effect_mean: 0.02, dropout_effect_ci_low: 0.01, dropout_effect_ci_high: 0.03 },
  ...{ weight_decay_effect_mean: 0.01, weight_decay_effect_ci_low: 0, weight_decay_effect_ci_high: 0.02 },
  ...{ combined_effect_mean: 0.015, combined_effect_ci_low: 0.01, combined_effect_ci_high: 0.02 },
  ...{ interaction_mean: -0.015, interaction_sd: 0.002, interaction_ci_low: -0.02, interaction_ci_high: -0.01, interaction_t: -13 },
  ...{ interaction_p: 0.004, interaction_p_holm: 0.012, interaction_p_sign_flip: 0.25, ...pColumns },
  ...{ baseline_dropout1: 0, baseline_dropout2: 0, baseline_weight_decay: 0, baseline_kind: 'no regularization' },
};

test('interactionSentence gives the parts, the interaction, n, the test and the whole-family Holm p', () => {
  assert.equal(
    interactionSentence(interaction),
    'dropout1=0.5, dropout2=0.5 with weight decay 0.001, 20 epochs: test accuracy together +1.5, dropout alone +2.0, weight decay alone +1.0 ' +
      'points, interaction −1.5 points (95% CI −2.0 to −1.0), n=3 seeds; paired t-test p=0.004, Holm-adjusted over the 24 interaction ' +
      "contrasts of this sweep's test accuracy at every epochs value: p=0.03 — less than additive, beyond seed noise.",
  );
  assert.match(interactionSentence({ ...interaction, p_holm: 0.2 }), /: p=0\.2 — additive within seed noise\.$/);
  assert.match(interactionSentence({ ...interaction, interaction_mean: 0.015 }), /— more than additive, beyond seed noise\.$/);
  assert.match(interactionSentence({ ...interaction, n: 1 }), /, n=1 seed; with fewer than 3 seeds the interval and p-value are not informative\.$/);
});

test('noiseSentence gives F, its degrees of freedom, p, the test and what it rests on; or why there is no F', () => {
  const row: NoiseDiagnosticView = {
    ...{ sweep_id: 's', variant: 'dropout lr=0.5', metric: 'test_acc', epochs: 20, k: 27, n: 80, n_diverged: 1, grand_mean: 0.85 },
    ...{ between_ms: 0.0009, within_ms: 0.0001, seed_sd: 0.01, f: 9, df1: 26, df2: 53, p: 0.00001, note: null },
  };
  assert.equal(
    noiseSentence(row),
    'test accuracy, 20 epochs: F=9.00 on 26 and 53 df, p<0.001 (F test over 27 configurations, 80 runs, 1 diverged left out, seed sd 1.00 points; ' +
      'one test per metric and epochs value, not adjusted across them) — the configurations differ by more than seed noise.',
  );
  assert.match(noiseSentence({ ...row, f: 1.1, p: 0.36 }), /p=0\.36 .* — the configurations are not distinguishable from seed noise at this n\.$/);
  assert.equal(
    noiseSentence({ ...row, metric: 'gap', epochs: 1, k: 4, n: 4, n_diverged: 0, f: null, p: null, df2: 0, note: 'every configuration has one run (df2 = 0)' }),
    'train−test gap, 1 epoch: no F test (4 configurations, 4 runs): every configuration has one run (df2 = 0).',
  );
});

const effect = (axis: MainEffectView['axis'], level: number, n: number, acc: number, gap: number): MainEffectView => ({
  ...{ sweep_id: 's', variant: 'dropout lr=0.5', epochs: 20, axis, level, n, test_acc: 0.85 + acc, test_acc_effect: acc, gap_effect: gap },
  ...{ test_acc_effect_ci_low: n >= 3 ? acc - 0.005 : null, test_acc_effect_ci_high: n >= 3 ? acc + 0.005 : null },
  ...{ gap_effect_ci_low: n >= 3 ? gap - 0.002 : null, gap_effect_ci_high: n >= 3 ? gap + 0.002 : null },
});

test('mainEffectSentences skips each axis at its lowest level and flags intervals below 3 seeds', () => {
  const rows = [
    effect('dropout1', 0, 3, 0, 0),
    effect('dropout1', 0.5, 3, 0.02, -0.03),
    effect('weight_decay', 0, 2, 0, 0),
    effect('weight_decay', 0.001, 2, 0.004, -0.01),
  ];
  assert.deepEqual(mainEffectSentences(rows), [
    'dropout1=0.5 vs dropout1=0, averaged over the other axes, 20 epochs: test accuracy +2.0 points (95% CI +1.5 to +2.5), train−test gap −3.0 points ' +
      '(95% CI −3.2 to −2.8), n=3 seeds; paired t-intervals for this row alone, not adjusted for the other rows.',
    'weight decay=0.001 vs weight decay=0, averaged over the other axes, 20 epochs: test accuracy +0.4 points, train−test gap −1.0 points, n=2 seeds; ' +
      'with fewer than 3 seeds the intervals are not informative.',
  ]);
});
