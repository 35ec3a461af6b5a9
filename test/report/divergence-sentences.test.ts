import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DivergenceRateView } from '../../db/divergence-rate.view';
import { divergenceSentences } from '../../report/divergence-sentences';

const rate = (over: Partial<DivergenceRateView>): DivergenceRateView => ({
  ...{ sweep_id: 's', variant: 'dropout lr=0.5', dropout1: 0, dropout2: 0, weight_decay: 0, epochs: 20, trials: 3, finished: 3, n_diverged: 0 },
  ...{ rate: 0, rate_ci_low: 0, rate_ci_high: 0.7076, ...over },
});

test('divergenceSentences names each configuration with a diverged run, its rate and exact interval, and skips the others', () => {
  const sentences = divergenceSentences([rate({ n_diverged: 2, rate: 2 / 3, rate_ci_low: 0.0943, rate_ci_high: 0.9916 }), rate({ dropout1: 0.5 })]);
  assert.deepEqual(sentences, [
    'dropout1 0, dropout2 0, weight decay 0: 2 of 3 seeds diverged by 20 epochs (67%, 95% CI 9%–99%, exact binomial); ' +
      'they are left out of every mean, interval and effect.',
  ]);
});

test('divergenceSentences leaves the interval out below 3 finished seeds and says why', () => {
  assert.deepEqual(divergenceSentences([rate({ finished: 2, n_diverged: 1, rate: 0.5, rate_ci_low: 0.0126, rate_ci_high: 0.9874 })]), [
    'dropout1 0, dropout2 0, weight decay 0: 1 of 2 seeds diverged by 20 epochs (50%, with fewer than 3 finished seeds the interval is not ' +
      'informative); they are left out of every mean, interval and effect.',
  ]);
});
