import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { activeMaskFill, selectBackend } from '../../training/backends';
import { fillDropoutMask } from '../../training/dropout-mask';
import { BackendUnavailableError } from '../../training/training-errors';
import { nativeSkipReason } from './kernel-comparison';

const unbuilt = () => ({ ok: false as const, reason: 'the @regsweep/native-kernels addon is not available (simulated)' });

test('auto falls back to wasm with a one-line warning when the addon cannot be loaded', async () => {
  const warnings: string[] = [];
  const active = await selectBackend('auto', { loadNative: unbuilt, warn: (line) => warnings.push(line) });
  assert.equal(active, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.split('\n').length, 1);
  assert.match(warnings[0]!, /^regsweep: backend native is unavailable: .*simulated.*; training on wasm instead/);
  assert.equal(activeMaskFill(), fillDropoutMask);
});

test('native throws BackendUnavailableError with the reason when the addon cannot be loaded', async () => {
  await assert.rejects(selectBackend('native', { loadNative: unbuilt }), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.equal(error.backend, 'native');
    assert.match(error.message, /simulated/);
    return true;
  });
});

test('auto picks native without a warning when the addon loads', { skip: nativeSkipReason() }, async () => {
  const warnings: string[] = [];
  assert.equal(await selectBackend('auto', { warn: (line) => warnings.push(line) }), 'native');
  assert.deepEqual(warnings, []);
  assert.notEqual(activeMaskFill(), fillDropoutMask);
  // The stock cpu backend stays as tfjs ships it, for comparisons.
  assert.equal(await selectBackend('cpu'), 'cpu');
  assert.equal(activeMaskFill(), fillDropoutMask);
  assert.notEqual(tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc, tf.getKernel('BatchMatMul', 'native')!.kernelFunc);
  assert.equal(tf.getKernel('Transpose', 'cpu')!.kernelFunc, tf.getKernel('Transpose', 'native')!.kernelFunc);
});
