import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { backendPackages, parseBackendName, selectBackend } from '../../training/backends';
import { BackendUnavailableError } from '../../training/training-errors';

test('parseBackendName accepts the engine names and auto, and lists them when given another', () => {
  assert.equal(parseBackendName('wasm'), 'wasm');
  assert.equal(parseBackendName(' Tensorflow-GPU '), 'tensorflow-gpu');
  assert.equal(parseBackendName('Native'), 'native');
  assert.equal(parseBackendName('auto'), 'auto');
  assert.throws(() => parseBackendName('webgl'), /unknown backend "webgl": it must be one of auto, native, tensorflow-gpu, tensorflow, wasm, cpu/);
});

test('selectBackend names the package and how to install it when the package is missing', async (t) => {
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    if (await import(backendPackages[name]).then(() => true, () => false)) {
      t.diagnostic(`${backendPackages[name]} is installed; its missing-package message is not checked here`);
      continue;
    }
    await assert.rejects(selectBackend(name), (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError);
      assert.equal(error.backend, name);
      assert.match(error.message, new RegExp(`^backend ${name} needs the package ${backendPackages[name]}; install it with npm install ${backendPackages[name]}@4\\.22\\.0`));
      if (name === 'tensorflow-gpu') assert.match(error.message, /CUDA 11\.2 and cuDNN 8\.1/);
      return true;
    });
  }
});

test('selectBackend activates wasm from the installed binaries and can switch to cpu', async () => {
  assert.equal(await selectBackend('wasm'), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(await selectBackend('wasm'), 'wasm');
  const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
  assert.deepEqual(Array.from(await sum.data()), [4, 6]);
  sum.dispose();
  assert.equal(await selectBackend('cpu'), 'cpu');
});
