import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeAccuracy } from '../../bench/accuracy-summary';
import type { EngineRuns } from '../../bench/engine-runs';
import type { EpochMetrics } from '../../training/train';

function engine(name: 'native' | 'wasm', testAcc: number[]): EngineRuns {
  return {
    engine: name,
    backend: name,
    unavailable: null,
    runs: testAcc.map((acc, i) => ({ seed: i + 1, metrics: [{ epoch: 1, testAcc: acc, trainLoss: 0.5 } as EpochMetrics] })),
  };
}

test('summarizeAccuracy calls a difference of means within twice its standard error seed noise', () => {
  // bench/results.json of a full run: native 0.8156/0.8344/0.8271, wasm 0.7978/0.8213/0.8175.
  const summary = summarizeAccuracy([engine('native', [0.8156, 0.8344, 0.8271]), engine('wasm', [0.7978, 0.8213, 0.8175])], 60000);
  assert.ok(Math.abs(summary.meanPairedDifference! - 0.0135) < 1e-12);
  // sqrt(0.009478²/3 + 0.012615²/3)
  assert.ok(Math.abs(summary.differenceStdError! - 0.009111) < 1e-5, String(summary.differenceStdError));
  assert.equal(summary.withinSeedNoise, true);
});

test('summarizeAccuracy flags engines whose accuracies differ beyond seed noise, and cannot judge one seed', () => {
  const apart = summarizeAccuracy([engine('native', [0.85, 0.851, 0.852]), engine('wasm', [0.80, 0.801, 0.802])], 60000);
  assert.equal(apart.withinSeedNoise, false);
  const single = summarizeAccuracy([engine('native', [0.85]), engine('wasm', [0.84])], 3000);
  assert.equal(single.differenceStdError, null);
  assert.equal(single.withinSeedNoise, null);
});
