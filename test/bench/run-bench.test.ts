import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from '../../bench/bench-results';
import { blasThreadsPerWorker } from '../../infra/local/training-threads';

const root = fileURLToPath(new URL('../..', import.meta.url));

// CI runs the quick benchmark only to check that it works and writes what docs/performance.md
// describes; its timings are not asserted (the machine is shared and noisy).
test('npm run bench -- --quick writes results with every engine, the accuracy check and the epoch savings', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-bench-'));
  try {
    const out = path.join(dir, 'results.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run-bench.ts', '--quick', '--out', out], {
      cwd: root,
      encoding: 'utf8',
      // Seven short native runs in their own processes (kernel sets, variants, two at once) each load tfjs and the dataset.
      timeout: 240_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /s\/epoch/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    assert.equal(results.version, 1);
    assert.equal(results.mode, 'quick');
    assert.match(results.machine.cpu, /\S/);
    assert.equal(results.loadAverage.start.length, 3);
    assert.ok('start' in results.cpuPressure && 'end' in results.cpuPressure);
    assert.deepEqual(
      results.engines.map((e) => e.name),
      ['native', 'wasm', 'baseline'],
    );
    for (const engine of results.engines) {
      if (engine.unavailable !== null) {
        assert.equal(engine.name, 'native', 'only the native engine may be missing (its addon is optional)');
        continue;
      }
      for (const value of [
        engine.secondsPerEpoch,
        engine.evalSecondsPerEpoch,
        engine.samplesPerSec,
        engine.trainGflops,
        engine.evalGflops,
        engine.speedupOverBaseline,
      ]) {
        assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${engine.name}: ${JSON.stringify(engine)}`);
      }
    }
    assert.equal(results.engines.find((e) => e.name === 'baseline')!.speedupOverBaseline, 1);
    assert.ok(results.accuracy.engines.length >= 1);
    assert.ok(results.accuracy.engines.every((e) => e.testAcc.length === results.workload.seeds.length));
    assert.ok(results.batchPreparation.perBatchUploadSeconds > 0 && results.batchPreparation.residentGatherSeconds > 0);
    if (!('skipped' in results.stepAgreement)) {
      assert.deepEqual(
        results.stepAgreement.checkpoints.map((c) => c.steps),
        [5, 10],
      );
      assert.ok(results.stepAgreement.checkpoints.every((c) => Number.isFinite(c.maxLossDifference) && Number.isFinite(c.maxRelativeParameterDifference)));
    }
    assert.deepEqual(results.sweep, { skipped: 'quick mode' });
    const native = results.engines.find((e) => e.name === 'native')!;
    if (native.unavailable === null) {
      const settings = [...results.nativeKernelSets, ...results.nativeVariants, ...results.sharedMachine.processes];
      assert.ok(results.nativeKernelSets.length >= 1);
      assert.equal(results.nativeKernelSets[0]!.secondsPerEpoch, native.secondsPerEpoch, 'the native row is the first kernel set');
      assert.deepEqual(
        results.nativeVariants.map((v) => v.setting),
        ['regularizer dropconnect', 'regularizer gaussian', 'batch norm'],
      );
      assert.equal(results.sharedMachine.processes.length, 2);
      const each = blasThreadsPerWorker(2, os.availableParallelism())!;
      assert.ok(
        results.sharedMachine.processes.every((p) => p.engine.endsWith(`${each} thread${each === 1 ? '' : 's'})`)),
        `two processes share the cores: ${each} thread(s) each`,
      );
      for (const s of settings) {
        assert.match(s.engine, /^native \(OpenBLAS \w+ kernels, \d threads?\)$/);
        assert.equal(s.epochSeconds.length, results.workload.epochs);
        assert.ok(s.secondsPerEpoch! > 0 && s.evalSecondsPerEpoch! > 0, JSON.stringify(s));
      }
      assert.ok(results.sharedMachine.imagesPerSecond! > 0);
      // The native engine builds with gcc against OpenBLAS, so the FMA probe can always run where it loads.
      const floor = results.arithmeticFloor;
      assert.ok(!('skipped' in floor), JSON.stringify(floor));
      assert.equal(floor.threads, results.machine.openblas && 'threads' in results.machine.openblas ? results.machine.openblas.threads : -1);
      assert.ok(floor.lanes === 8 || floor.lanes === 16, `FMA lanes: ${floor.lanes}`);
      assert.ok(floor.fmaGflops.oneCore > 0 && floor.fmaGflops.threads > 0 && floor.sgemmGflops.oneThread > 0 && floor.sgemmGflops.threads > 0);
      assert.ok(floor.trainSecondsAtPeak > 0 && floor.evalSecondsAtPeak > 0);
      assert.match(run.stdout, /arithmetic floor at this CPU's float32 FMA peak \(\d+ GFLOPS on \d threads?/);
    }
    assert.deepEqual(results.pytorch, { skipped: 'quick mode (PyTorch trains on all 60,000 images only)' });
    assert.match(run.stdout, /PyTorch: not measured \(quick mode/);
    assert.deepEqual(results.epochSharing.epochs, [5, 10, 20]);
    assert.equal(results.epochSharing.saved, results.epochSharing.naive - results.epochSharing.trained);
    assert.equal(results.workload.gemmFlopPerTrainImage, 1211392);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
