import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryKinds, loadNativeKernels } from '../../native/native-addon';
import { nativeSkipReason } from './kernel-comparison';

const skip = nativeSkipReason();

test('npm install built the native addon and it loads', { skip }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok, load.ok ? '' : load.reason);
});

test('the addon reports the OpenBLAS build and thread count it uses', { skip }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  const info = load.kernels.blasInfo();
  assert.match(info.config, /OpenBLAS/);
  assert.ok(info.core.length > 0);
  const before = load.kernels.threads();
  load.kernels.setThreads(1);
  assert.equal(load.kernels.threads(), 1);
  load.kernels.setThreads(before);
});

test('the addon throws a RangeError instead of reading or writing past an array when sizes disagree', { skip }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  const k = load.kernels;
  const four = new Float32Array(4);
  assert.throws(() => k.batchMatMul(four, four, new Float32Array(4), 1, 1, 2, 2, 3, false, false), /batchMatMul sizes disagree/);
  assert.throws(() => k.binary(binaryKinds.add, four, [4], four, [4], new Float32Array(3), [3]), /dimension 0 is 4; it must be 1 or the output's 3/);
  assert.throws(() => k.binary(binaryKinds.add, four, [2, 3], four, [4], four, [4]), RangeError);
  assert.throws(() => k.relu(four, new Float32Array(5)), /x holds 4 values but out holds 5/);
  assert.throws(() => k.sumMiddleAxis(four, 2, 3, 1, new Float32Array(2)), /sum: x holds 4 values/);
  assert.throws(() => k.binary(binaryKinds.add, four, [1, 1, 1, 1, 1, 1, 1, 1, 4], four, [4], four, [4]), /at most 8/);
  assert.throws(() => k.relu(new Int32Array(4) as unknown as Float32Array, four), TypeError);
});

test('the addon reads and writes typed arrays at their byte offset', { skip }, () => {
  const load = loadNativeKernels();
  assert.ok(load.ok);
  const buffer = new Float32Array([9, -1, 2, -3, 9]);
  const view = buffer.subarray(1, 4);
  const out = new Float32Array(5).fill(7);
  load.kernels.relu(view, out.subarray(1, 4));
  assert.deepEqual(Array.from(out), [7, 0, 2, 0, 7]);
});
