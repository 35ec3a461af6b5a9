import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floorsAt, measureArithmeticFloor } from '../../bench/arithmetic-floor';

test('the floors are a full epoch of GEMM FLOP at the given rate: 72.7 GFLOP training, 37.6 GFLOP evaluating', () => {
  const { trainSecondsAtPeak, evalSecondsAtPeak } = floorsAt(100);
  // 60,000 images x 1,211,392 FLOP (forward and backward products), and 70,000 x 537,600 (forward only).
  assert.ok(Math.abs(trainSecondsAtPeak - 0.7268352) < 1e-9, String(trainSecondsAtPeak));
  assert.ok(Math.abs(evalSecondsAtPeak - 0.37632) < 1e-9, String(evalSecondsAtPeak));
  assert.ok(Math.abs(floorsAt(200).evalSecondsAtPeak - evalSecondsAtPeak / 2) < 1e-12);
});

test('the FMA probe measures this machine, and a bad thread count is reported, not thrown', () => {
  const floor = measureArithmeticFloor(1);
  assert.ok(!('skipped' in floor), JSON.stringify(floor));
  assert.equal(floor.threads, 1);
  assert.equal(floor.fmaRuns, 3, 'the peak is the best of three runs of the FMA loop');
  assert.ok(floor.fmaGflops.oneCore > 1 && floor.sgemmGflops.oneThread > 1, JSON.stringify(floor));
  // A floor can't be beaten: the FMA loop is at least as fast as sgemm on the same core, within the host's noise.
  assert.ok(floor.fmaGflops.oneCore > 0.8 * floor.sgemmGflops.oneThread, JSON.stringify(floor));
  assert.deepEqual(measureArithmeticFloor(0), { skipped: 'bench/cpu-peak.sh failed: cpu-peak: --threads takes a whole number from 1 to 64, got 0' });
});
