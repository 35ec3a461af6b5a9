import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { describeTorchBlas, runPytorchComparison } from '../../bench/pytorch-comparison';
import { selectBackend } from '../../training/backends';
import { loadDatasetCached, type Dataset } from '../../training/fashion-mnist';
import { realDatasetDir } from '../helpers/fashion-mnist-fixture';

let data: Dataset;

before(async () => {
  await selectBackend('native');
  data = loadDatasetCached(realDatasetDir());
});

const torchInstalled = ['python3', '/usr/bin/python3'].some((python) => spawnSync(python, ['-c', 'import torch']).status === 0);

// The benchmark runs with or without PyTorch: where it is installed the comparison must train
// and say which BLAS it used; where it is not, the benchmark must say so instead of failing.
test('the PyTorch comparison trains the same MLP and names its BLAS, or says PyTorch is missing', () => {
  const result = runPytorchComparison(data, { seeds: [1], epochs: 1, threads: 1 });
  if (!torchInstalled) {
    assert.deepEqual(result, { skipped: 'PyTorch is not installed (Debian: apt-get install python3-torch libopenblas0)' });
    return;
  }
  assert.ok(!('skipped' in result), JSON.stringify(result));
  assert.equal(result.blas.openblasThreads, 1);
  assert.ok(result.threads >= 1);
  assert.equal(result.epochSeconds.length, 1);
  assert.ok(result.secondsPerEpoch > 0 && result.evalSecondsPerEpoch > 0);
  // One epoch of the d2l config from regsweep's own initial weights leaves chance level well behind.
  assert.ok(result.testAcc[0]! > 0.5, `test accuracy after one epoch: ${result.testAcc[0]}`);
  assert.equal(result.blas.kind, 'OpenBLAS', describeTorchBlas(result.blas));
  assert.match(describeTorchBlas(result.blas), /^OpenBLAS \(\/.*libblas\.so\.3, OpenBLAS \w+ kernels, 1 thread\)$/);
});
