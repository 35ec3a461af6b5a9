import fs from 'node:fs';
import path from 'node:path';
import { datasetFileNames, datasetFiles, datasetInstallHint, systemDatasetDir, userDatasetCacheDir } from './dataset-files';
import { classCount, imagePixels, readIdxFile } from './idx-format';
import { createRng, deriveSeed, randomStreams } from './seeded-random';
import { fashionMnistTrainCount, trainingLimits } from '../domain/training-limits';
import { DatasetError, TrainConfigError } from './training-errors';

export const fashionMnistTestCount = 10000;

/** Fashion-MNIST in memory: row-major 28x28 images scaled to [0, 1], labels 0–9. */
export interface Dataset {
  /** trainCount * 784 pixels in [0, 1]. */
  trainImages: Float32Array;
  trainLabels: Uint8Array;
  /** testCount * 784 pixels in [0, 1]. */
  testImages: Float32Array;
  testLabels: Uint8Array;
  trainCount: number;
  testCount: number;
  /** The folder the files were read from. */
  source: string;
}

function missingFiles(dir: string): string[] {
  return datasetFileNames.filter((name) => !fs.existsSync(path.join(dir, name)));
}

/**
 * Finds the folder holding the four Fashion-MNIST files. Searched in order: `dataDir`
 * (the caller passes REGSWEEP_DATA_DIR), the Debian package's folder, then the per-user cache
 * `~/.cache/regsweep/fashion-mnist`.
 *
 * @returns the first folder that holds all four files.
 * @throws DatasetError listing each folder searched with what it lacked, and how to get the data.
 */
export function locateDataset(options: { dataDir?: string | null }): string {
  const candidates = [options.dataDir, systemDatasetDir, userDatasetCacheDir()].filter(
    (dir): dir is string => typeof dir === 'string' && dir !== '',
  );
  return locateDatasetIn(candidates);
}

/** {@link locateDataset} over an explicit list of folders. */
export function locateDatasetIn(candidates: readonly string[]): string {
  const searched: string[] = [];
  for (const dir of candidates) {
    if (!fs.existsSync(dir)) {
      searched.push(`${dir} (no such folder)`);
      continue;
    }
    const missing = missingFiles(dir);
    if (missing.length === 0) {
      return path.resolve(dir);
    }
    searched.push(`${dir} (missing ${missing.join(', ')})`);
  }
  throw new DatasetError(
    `Fashion-MNIST not found; searched ${searched.join(', ')}; ${datasetInstallHint}`,
    candidates.join(path.delimiter),
  );
}

function toUnitFloats(pixels: Uint8Array): Float32Array {
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    scaled[i] = pixels[i]! / 255;
  }
  return scaled;
}

/**
 * Parses the four gz IDX files in `dir` and checks them (magic numbers, 28x28, 60,000 train
 * and 10,000 test items, lengths matching headers, labels below 10).
 *
 * @throws DatasetError naming the missing or damaged file.
 */
export function loadDataset(dir: string): Dataset {
  const file = (name: string): string => path.resolve(dir, name);
  // Fixed counts per file also guarantee image and label counts agree within each split.
  const trainPixels = readIdxFile(file(datasetFiles.trainImages), { kind: 'images', count: fashionMnistTrainCount });
  const trainLabels = readIdxFile(file(datasetFiles.trainLabels), { kind: 'labels', count: fashionMnistTrainCount });
  const testPixels = readIdxFile(file(datasetFiles.testImages), { kind: 'images', count: fashionMnistTestCount });
  const testLabels = readIdxFile(file(datasetFiles.testLabels), { kind: 'labels', count: fashionMnistTestCount });
  return {
    trainImages: toUnitFloats(trainPixels),
    trainLabels: trainLabels.slice(),
    testImages: toUnitFloats(testPixels),
    testLabels: testLabels.slice(),
    trainCount: trainPixels.length / imagePixels,
    testCount: testPixels.length / imagePixels,
    source: path.resolve(dir),
  };
}

const loadedDatasets = new Map<string, Dataset>();

/**
 * {@link loadDataset}, parsed once per process and folder, then shared: parsing takes about a
 * second and the arrays take about 220 MB, so every run of a worker should use the same copy.
 * Callers must not modify the returned arrays. Failures are not cached.
 */
export function loadDatasetCached(dir: string): Dataset {
  const key = path.resolve(dir);
  let dataset = loadedDatasets.get(key);
  if (dataset === undefined) {
    dataset = loadDataset(key);
    loadedDatasets.set(key, dataset);
  }
  return dataset;
}

/**
 * A fixed, class-balanced subset of training indices: size/10 images per class, the remainder
 * given one each to classes picked by a seeded permutation. The same (labels, size, seed)
 * always gives the same indices.
 *
 * @returns sorted indices into `labels`.
 * @throws TrainConfigError when size is not an integer in [10, 60000] or a class has too few images.
 */
export function balancedSubset(labels: Uint8Array, size: number, seed: number): Int32Array {
  const { min, max } = trainingLimits.trainSubset;
  if (!Number.isInteger(size) || size < min || size > max) {
    throw new TrainConfigError(`trainSubset must be an integer in [${min}, ${max}], got ${size}`, 'trainSubset');
  }
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  labels.forEach((label, index) => byClass[label]?.push(index));

  const classOrder = createRng(deriveSeed(seed, randomStreams.subset)).shuffleInPlace(
    Int32Array.from({ length: classCount }, (_, c) => c),
  );
  const quota = new Array<number>(classCount).fill(Math.floor(size / classCount));
  for (let k = 0; k < size % classCount; k++) {
    quota[classOrder[k]!]! += 1;
  }

  const chosen: number[] = [];
  for (let c = 0; c < classCount; c++) {
    const members = Int32Array.from(byClass[c]!);
    const want = quota[c]!;
    if (members.length < want) {
      throw new TrainConfigError(
        `trainSubset ${size} needs ${want} images of class ${c}, but the labels hold only ${members.length}`,
        'trainSubset',
      );
    }
    createRng(deriveSeed(seed, randomStreams.subset, c)).shuffleInPlace(members);
    chosen.push(...members.subarray(0, want));
  }
  return Int32Array.from(chosen).sort();
}
