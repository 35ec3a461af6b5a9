import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, test } from 'node:test';
import { datasetFiles, systemDatasetDir } from '../../training/dataset-files';
import { balancedSubset, loadDataset, loadDatasetCached, locateDataset, locateDatasetIn } from '../../training/fashion-mnist';
import { readIdxFile } from '../../training/idx-format';
import { DatasetError, TrainConfigError } from '../../training/training-errors';
import { datasetDirWith, gzipIdx, makeTempDir, realDatasetDir, realIdxBytes } from '../helpers/fashion-mnist-fixture';

const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((cleanup) => cleanup()));

function tempDir(prefix: string): string {
  const temp = makeTempDir(prefix);
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** Asserts a DatasetError whose `file` is `file` and whose message matches every pattern. */
function assertDatasetError(run: () => unknown, file: string, ...patterns: RegExp[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DatasetError, `expected DatasetError, got ${String(error)}`);
    assert.equal(error.file, file);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

const realLabels = realIdxBytes(datasetFiles.testLabels);
const repairHint = /apt-get install --reinstall dataset-fashion-mnist.*regsweep data fetch/;

test('loadDatasetCached returns 60,000 + 10,000 images scaled to [0, 1] with labels below 10 when given the real files', () => {
  const data = loadDatasetCached(realDatasetDir());
  assert.equal(data.trainCount, 60000);
  assert.equal(data.testCount, 10000);
  assert.equal(data.trainImages.length, 60000 * 784);
  assert.equal(data.testImages.length, 10000 * 784);
  assert.equal(data.source, path.resolve(realDatasetDir()));
  let min = Infinity;
  let max = -Infinity;
  for (const v of data.testImages) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.deepEqual([min, max], [0, 1]);
  assert.ok(data.trainLabels.every((label) => label < 10));
  // The first training image of Fashion-MNIST is an ankle boot (9), the first test image too.
  assert.equal(data.trainLabels[0], 9);
  assert.equal(data.testLabels[0], 9);
  assert.equal(loadDatasetCached(realDatasetDir() + path.sep), data, 'parsed once per folder');
});

test('locateDataset returns dataDir first and falls back to the system folder when dataDir lacks the files', () => {
  const own = datasetDirWith('own', {});
  cleanups.push(own.cleanup);
  assert.equal(locateDataset({ dataDir: own.dir }), own.dir);
  if (fs.existsSync(systemDatasetDir)) {
    assert.equal(locateDataset({ dataDir: tempDir('empty') }), systemDatasetDir);
  }
});

test('locateDatasetIn lists each folder searched and how to get the data when no folder holds all files', () => {
  const partial = datasetDirWith('partial', { [datasetFiles.testLabels]: null });
  cleanups.push(partial.cleanup);
  const missing = path.join(partial.dir, 'nowhere');
  assertDatasetError(
    () => locateDatasetIn([missing, partial.dir]),
    [missing, partial.dir].join(path.delimiter),
    new RegExp(`searched ${missing} \\(no such folder\\), ${partial.dir} \\(missing t10k-labels-idx1-ubyte.gz\\)`),
    /apt-get install dataset-fashion-mnist.*regsweep data fetch.*REGSWEEP_DATA_DIR/,
  );
});

test('loadDataset names the missing file when a file or the whole folder is missing', () => {
  const partial = datasetDirWith('missing', { [datasetFiles.trainImages]: null });
  cleanups.push(partial.cleanup);
  const file = path.join(partial.dir, datasetFiles.trainImages);
  assertDatasetError(() => loadDataset(partial.dir), file, /train-images-idx3-ubyte.gz is missing/, /apt-get install/);
  const nowhere = path.join(tempDir('gone'), 'no-folder');
  assertDatasetError(() => loadDataset(nowhere), path.join(nowhere, datasetFiles.trainImages), /is missing/);
});

/** A dataset folder whose train-images file is `bytes`; train-images is read first, so no other file is parsed. */
function withTrainImages(prefix: string, bytes: Buffer): { dir: string; file: string } {
  const corrupt = datasetDirWith(prefix, { [datasetFiles.trainImages]: bytes });
  cleanups.push(corrupt.cleanup);
  return { dir: corrupt.dir, file: path.join(corrupt.dir, datasetFiles.trainImages) };
}

test('loadDataset reports expected vs got when a file has a bad magic number', () => {
  const { dir, file } = withTrainImages('magic', gzipIdx([2049, 60000, 28, 28], new Uint8Array(0)));
  assertDatasetError(() => loadDataset(dir), file, /bad magic number: expected 2051 \(IDX images\), got 2049/, repairHint);
});

test('loadDataset reports expected vs got when a file holds the wrong number of items', () => {
  const corrupt = datasetDirWith('count', {
    [datasetFiles.trainLabels]: gzipIdx([2049, 59999], new Uint8Array(59999)),
  });
  cleanups.push(corrupt.cleanup);
  const file = path.join(corrupt.dir, datasetFiles.trainLabels);
  assertDatasetError(() => loadDataset(corrupt.dir), file, /wrong number of labels: expected 60000, got 59999/, repairHint);
});

test('loadDataset reports a damaged gzip stream when a file is cut short', () => {
  const whole = fs.readFileSync(path.join(realDatasetDir(), datasetFiles.trainImages));
  const { dir, file } = withTrainImages('gzip', whole.subarray(0, 2000));
  assertDatasetError(
    () => loadDataset(dir),
    file,
    /is not a complete gzip file \(unexpected end of file, 2000 bytes on disk\)/,
    repairHint,
  );
});

test('loadDataset reports expected vs got bytes when the payload is shorter than the header says', () => {
  const { dir, file } = withTrainImages('payload', gzipIdx([2051, 60000, 28, 28], new Uint8Array(784 * 100)));
  assertDatasetError(
    () => loadDataset(dir),
    file,
    /payload that does not match its header: expected 47040016 bytes for 60000 images, got 78416/,
    repairHint,
  );
  const other = withTrainImages('size', gzipIdx([2051, 60000, 32, 32], new Uint8Array(0)));
  assertDatasetError(() => loadDataset(other.dir), other.file, /expected 28x28, got 32x32/);
});

test('readIdxFile reports the offending label when a label is 10 or more', () => {
  const bad = Buffer.from(realLabels);
  bad[8 + 17] = 12;
  const dir = tempDir('label');
  const file = path.join(dir, datasetFiles.testLabels);
  fs.writeFileSync(file, zlib.gzipSync(bad));
  assertDatasetError(
    () => readIdxFile(file, { kind: 'labels', count: 10000 }),
    file,
    /invalid label: expected labels in \[0, 9\], got 12 at index 17/,
  );
});

test('balancedSubset takes size/10 images per class, sorted and repeatable, when given a seed', () => {
  const labels = loadDatasetCached(realDatasetDir()).trainLabels;
  const subset = balancedSubset(labels, 512, 0);
  assert.equal(subset.length, 512);
  assert.equal(new Set(subset).size, 512);
  assert.ok(subset.every((value, i) => i === 0 || value > subset[i - 1]!));
  const perClass = new Array<number>(10).fill(0);
  subset.forEach((index) => perClass[labels[index]!]!++);
  assert.deepEqual([...perClass].sort(), [51, 51, 51, 51, 51, 51, 51, 51, 52, 52]);
  assert.deepEqual(balancedSubset(labels, 512, 0), subset);
  assert.notDeepEqual(balancedSubset(labels, 512, 1), subset);
  assert.deepEqual(balancedSubset(labels, 60000, 0), Int32Array.from({ length: 60000 }, (_, i) => i));
});

test('balancedSubset throws a TrainConfigError when size is outside [10, 60000] or not an integer', () => {
  const labels = loadDatasetCached(realDatasetDir()).trainLabels;
  for (const size of [9, 60001, 100.5]) {
    assert.throws(
      () => balancedSubset(labels, size, 0),
      (error: unknown) =>
        error instanceof TrainConfigError &&
        error.field === 'trainSubset' &&
        error.message === `trainSubset must be an integer in [10, 60000], got ${size}`,
    );
  }
});
