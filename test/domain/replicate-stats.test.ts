import { test } from 'node:test';
import assert from 'node:assert/strict';
import { studentTCritical, studentTTwoSidedP, tMixtureCritical, tMixtureLogE, tMixtureScale } from '../../domain/replicate-stats';

const close = (actual: number, expected: number, tol: number): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

test('studentTCritical matches published 97.5% quantiles of t', () => {
  // Table values of t(0.975, df).
  for (const [df, t] of [
    [1, 12.7062],
    [2, 4.3027],
    [4, 2.7764],
    [9, 2.2622],
    [19, 2.093],
    [60, 2.0003],
  ] as const)
    close(studentTCritical(0.05, df), t, 1e-4);
  close(studentTTwoSidedP(2.2622, 9), 0.05, 1e-5);
  assert.equal(studentTTwoSidedP(Number.POSITIVE_INFINITY, 3), 0);
});

/**
 * The Bayes factor the e-process is, by brute-force integration: N(δσ, σ²) with δ ~ N(0, g)
 * against N(0, σ²), the prior dσ/σ on σ under both (integrated over v = ln σ).
 */
function bayesFactorByIntegration(ys: readonly number[], g: number): number {
  const logLik = (sigma: number, mu: number): number => ys.reduce((a, y) => a - Math.log(sigma) - (y - mu) ** 2 / (2 * sigma * sigma), 0);
  const centre = Math.log(Math.sqrt(ys.reduce((a, y) => a + y * y, 0) / ys.length));
  const vs = Array.from({ length: 1600 }, (_, i) => centre - 8 + (16 * (i + 0.5)) / 1600);
  const sdDelta = Math.sqrt(g);
  const ds = Array.from({ length: 1600 }, (_, i) => -8 * sdDelta + (16 * sdDelta * (i + 0.5)) / 1600);
  const prior = (d: number): number => Math.exp((-d * d) / (2 * g)) / Math.sqrt(2 * Math.PI * g);
  let h0 = 0;
  let h1 = 0;
  for (const v of vs) {
    const sigma = Math.exp(v);
    h0 += Math.exp(logLik(sigma, 0));
    for (const d of ds) h1 += Math.exp(logLik(sigma, d * sigma)) * prior(d) * ((16 * sdDelta) / 1600);
  }
  return h1 / h0;
}

test('tMixtureLogE equals the scale-invariant Bayes factor computed by integration', () => {
  for (const [ys, g] of [
    [[0.3, 1.1, 0.7, 0.2], 2],
    [[-0.5, 0.4, 0.1], 30],
    [[0.002, 0.004, 0.001, 0.003, 0.0035], 10],
  ] as const) {
    const n = ys.length;
    const mean = ys.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(ys.reduce((a, y) => a + (y - mean) ** 2, 0) / (n - 1));
    const closed = Math.exp(tMixtureLogE(n, (mean * Math.sqrt(n)) / sd, g));
    const integrated = bayesFactorByIntegration(ys, g);
    assert.ok(Math.abs(closed / integrated - 1) < 1e-3, `closed form ${closed}, integral ${integrated}`);
  }
});

test('tMixtureLogE is 1 for a single observation and grows with |t|', () => {
  assert.equal(tMixtureLogE(1, 5, 10), 0);
  assert.ok(tMixtureLogE(5, 4, 10) > tMixtureLogE(5, 2, 10));
  close(tMixtureLogE(5, 3, 10), tMixtureLogE(5, -3, 10), 1e-15);
  // Every observation equal: the largest value it can take, ((1 + n g)^((n − 1)/2)).
  close(tMixtureLogE(4, Number.POSITIVE_INFINITY, 10), 1.5 * Math.log(41), 1e-12);
});

test('tMixtureCritical is where the e-value reaches 1/level, and is Infinity when it cannot', () => {
  for (const [n, level, g] of [
    [3, 0.05, 33],
    [10, 0.01, 5],
    [20, 0.05 / 36, 100],
  ] as const) {
    const t = tMixtureCritical(n, level, g);
    close(tMixtureLogE(n, t, g), Math.log(1 / level), 1e-9);
  }
  assert.equal(tMixtureCritical(3, 0.05, 1), Number.POSITIVE_INFINITY);
  assert.equal(tMixtureCritical(1, 0.05, 100), Number.POSITIVE_INFINITY);
});

test('tMixtureScale gives the narrowest boundary at the design number of seeds', () => {
  const g = tMixtureScale(3, 0.05);
  const best = tMixtureCritical(3, 0.05, g);
  assert.ok(Number.isFinite(best));
  for (const factor of [0.5, 0.8, 1.25, 2]) assert.ok(tMixtureCritical(3, 0.05, g * factor) >= best - 1e-9);
  // It is wider than the fixed-n quantile, the price of looking after every round.
  assert.ok(best > studentTCritical(0.05, 2));
});
