import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { d2lRunDefaults } from '../domain/training-limits';
import type { Dataset } from '../training/fashion-mnist';
import { buildMlp } from '../training/mlp';
import { createRng, deriveSeed, randomStreams } from '../training/seeded-random';
import { withTrainDefaults } from '../training/train-config';
import { median } from './engine-report';

/** Which BLAS the PyTorch process mapped, as bench/pytorch_mlp.py reads it from /proc/self/maps. */
export interface TorchBlas {
  libraries: string[];
  /** The file Debian's libblas.so.3 alternative resolved to, and what it is. */
  libblas?: string;
  kind?: string;
  openblasCore?: string;
  openblasThreads?: number;
}

/** PyTorch training the same MLP from the same weights on the same minibatches, timed like train(). */
export interface PytorchRun {
  python: string;
  torch: string;
  /** torch's intra-op threads (its default); OpenBLAS's are in `blas`. */
  threads: number;
  blas: TorchBlas;
  /** LD_LIBRARY_PATH given to the process, so its libblas.so.3 is OpenBLAS whatever the system's alternative says. */
  libraryPath: string | null;
  epochSeconds: number[];
  evalSeconds: number[];
  /** Medians over every epoch, as for the engines. */
  secondsPerEpoch: number;
  evalSecondsPerEpoch: number;
  /** Final-epoch test accuracy per seed. */
  testAcc: number[];
}

export type PytorchComparison = PytorchRun | { skipped: string };

const script = fileURLToPath(new URL('pytorch_mlp.py', import.meta.url));
const evalChunkRows = 5000;
const probeRows = 1000;

/** The first Python 3 here that imports torch (Debian's python3-torch installs into /usr/bin/python3's packages). */
function findTorchPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return candidate;
  }
  return null;
}

/**
 * Debian's OpenBLAS folder holding its own libblas.so.3 (libopenblas0-pthread, -openmp or
 * -serial), or null. Put first on LD_LIBRARY_PATH, it serves torch's BLAS calls even where the
 * system's libblas.so.3 alternative is the reference BLAS, which is about 20x slower.
 */
function openblasLibraryDir(): string | null {
  for (const root of ['/usr/lib', '/lib']) {
    let arches: string[];
    try {
      arches = readdirSync(root).filter((name) => name.endsWith('-linux-gnu'));
    } catch {
      continue;
    }
    for (const arch of arches) {
      for (const flavour of ['openblas-pthread', 'openblas-openmp', 'openblas-serial']) {
        const dir = path.join(root, arch, flavour);
        if (existsSync(path.join(dir, 'libblas.so.3'))) return dir;
      }
    }
  }
  return null;
}

function writeRaw(dir: string, name: string, values: ArrayBufferView): void {
  writeFileSync(path.join(dir, name), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/**
 * Trains the d2l config (dropout 0.2/0.5, lr 0.5, batch 256) in PyTorch on all 60,000 images
 * for each seed, from regsweep's initial weights for that seed and with regsweep's shuffled
 * order for every epoch; only the dropout masks are torch's own. OpenBLAS runs on `threads`
 * threads and torch's own operations on its default intra-op thread count, in this process's
 * environment with `blasEnv` laid over it (OPENBLAS_CORETYPE: the native run's kernel set).
 * Reports why when PyTorch is missing.
 */
export function runPytorchComparison(
  data: Dataset,
  workload: { seeds: readonly number[]; epochs: number; threads: number },
  blasEnv: Record<string, string> = {},
): PytorchComparison {
  const python = findTorchPython();
  if (python === null) {
    return { skipped: 'PyTorch is not installed (Debian: apt-get install python3-torch libopenblas0)' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-pytorch-'));
  try {
    const { batchSize, lr, hidden } = withTrainDefaults({ ...d2lRunDefaults });
    const indices = Int32Array.from({ length: data.trainCount }, (_, i) => i);
    for (const seed of workload.seeds) {
      const mlp = buildMlp(withTrainDefaults({ ...d2lRunDefaults, seed }));
      const weights = mlp.readWeights();
      mlp.dispose();
      const flat = new Float32Array(weights.reduce((total, w) => total + w.data.length, 0));
      let offset = 0;
      for (const w of weights) {
        flat.set(w.data, offset);
        offset += w.data.length;
      }
      writeRaw(dir, `init-${seed}.f32`, flat);
      // The order train() draws for (seed, epoch): the same minibatches on both sides.
      const orders = new Int32Array(workload.epochs * data.trainCount);
      for (let epoch = 1; epoch <= workload.epochs; epoch++) {
        orders.set(createRng(deriveSeed(seed, randomStreams.shuffle, epoch)).shuffleInPlace(indices.slice()), (epoch - 1) * data.trainCount);
      }
      writeRaw(dir, `orders-${seed}.i32`, orders);
    }
    writeRaw(dir, 'train-images.f32', data.trainImages);
    writeRaw(dir, 'train-labels.u8', data.trainLabels);
    writeRaw(dir, 'test-images.f32', data.testImages);
    writeRaw(dir, 'test-labels.u8', data.testLabels);
    const plan = {
      seeds: workload.seeds,
      epochs: workload.epochs,
      threads: workload.threads,
      trainCount: data.trainCount,
      testCount: data.testCount,
      hidden,
      batchSize,
      lr,
      dropout1: d2lRunDefaults.dropout1,
      dropout2: d2lRunDefaults.dropout2,
      evalChunkRows,
      probeRows,
    };
    writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
    const libraryDir = openblasLibraryDir();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...blasEnv,
      // OpenBLAS gets native's thread count; torch keeps its own intra-op default, as people run it.
      OPENBLAS_NUM_THREADS: String(workload.threads),
    };
    if (libraryDir !== null) env.LD_LIBRARY_PATH = [libraryDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const run = spawnSync(python, [script, dir], { encoding: 'utf8', env, timeout: 30 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) {
      return { skipped: `PyTorch run failed (exit ${run.status}): ${(run.stderr || run.error?.message || '').trim().split('\n').at(-1)}` };
    }
    const result = JSON.parse(run.stdout) as {
      torch: string;
      threads: number;
      blas: TorchBlas;
      runs: Array<{ seed: number; epochs: Array<{ seconds: number; evalSeconds: number; testAcc: number }> }>;
    };
    const epochs = result.runs.flatMap((r) => r.epochs);
    return {
      python,
      torch: result.torch,
      threads: result.threads,
      blas: result.blas,
      libraryPath: env.LD_LIBRARY_PATH ?? null,
      epochSeconds: epochs.map((e) => e.seconds),
      evalSeconds: epochs.map((e) => e.evalSeconds),
      secondsPerEpoch: median(epochs.map((e) => e.seconds)),
      evalSecondsPerEpoch: median(epochs.map((e) => e.evalSeconds)),
      testAcc: result.runs.map((r) => r.epochs.at(-1)!.testAcc),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A one-line description of the BLAS PyTorch used, e.g. `OpenBLAS (…/openblas-pthread/libblas.so.3, OpenBLAS SkylakeX kernels, 2 threads)`. */
export function describeTorchBlas(blas: TorchBlas): string {
  const file = blas.libblas ?? blas.libraries.join(', ');
  const threads = blas.openblasThreads === undefined ? '' : `, ${blas.openblasThreads} thread${blas.openblasThreads === 1 ? '' : 's'}`;
  const core = blas.openblasCore === undefined ? '' : `, OpenBLAS ${blas.openblasCore} kernels${threads}`;
  return `${blas.kind ?? 'unknown BLAS'} (${file}${core})`;
}
