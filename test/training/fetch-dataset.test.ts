import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { datasetFileNames, datasetFiles, type DatasetFileName } from '../../training/dataset-files';
import { loadDataset } from '../../training/fashion-mnist';
import { fetchDataset } from '../../training/fetch-dataset';
import { DatasetError } from '../../training/training-errors';
import { makeTempDir, realDatasetDir } from '../helpers/fashion-mnist-fixture';

// MD5 of the files shipped by Debian's dataset-fashion-mnist: the official deflate streams
// with the file name dropped from the gzip header (each file is exactly name length + 1 bytes
// shorter than upstream's), so they differ from the official README's sums.
const debianMd5: Record<DatasetFileName, string> = {
  'train-images-idx3-ubyte.gz': 'cf8536b0aa1a6ac5fa3f23001093305c',
  'train-labels-idx1-ubyte.gz': '10bea18fdb374794d4bb42e356e600c9',
  't10k-images-idx3-ubyte.gz': 'f78720b4224f21cce2f2ccf2d7a94c9a',
  't10k-labels-idx1-ubyte.gz': '0d30e22e447f3c33dab9ed536400ac01',
};

/** Files the server answers with instead of the real ones; null = 404. */
const overrides = new Map<string, Buffer | null>();
const requests: string[] = [];
let server: http.Server;
let baseUrl: string;
const cleanups: Array<() => void> = [];

before(async () => {
  server = http.createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    requests.push(name);
    const override = overrides.get(name);
    const realFile = path.join(realDatasetDir(), name);
    if (override === null || (override === undefined && !fs.existsSync(realFile))) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(override ?? fs.readFileSync(realFile));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
});

after(async () => {
  cleanups.forEach((cleanup) => cleanup());
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function targetDir(prefix: string): string {
  const temp = makeTempDir(prefix);
  cleanups.push(temp.cleanup);
  return path.join(temp.dir, 'fashion-mnist');
}

function md5Of(file: string): string {
  return createHash('md5').update(fs.readFileSync(file)).digest('hex');
}

test('fetchDataset writes the four verified files and nothing else when the checksums match', async () => {
  overrides.clear();
  const dir = targetDir('fetch-ok');
  await fetchDataset(dir, { baseUrl, checksums: debianMd5 });
  assert.deepEqual(fs.readdirSync(dir).sort(), [...datasetFileNames].sort());
  for (const name of datasetFileNames) {
    assert.equal(md5Of(path.join(dir, name)), debianMd5[name]);
  }
  assert.equal(loadDataset(dir).testCount, 10000);

  requests.length = 0;
  await fetchDataset(dir, { baseUrl, checksums: debianMd5 });
  assert.deepEqual(requests, [], 'files already verified are not downloaded again');
});

test('fetchDataset throws expected vs got md5 and writes nothing for that file when its download is corrupt', async () => {
  overrides.clear();
  const corrupt = fs.readFileSync(path.join(realDatasetDir(), datasetFiles.trainLabels));
  corrupt[100] = corrupt[100]! ^ 0xff;
  overrides.set(datasetFiles.trainLabels, corrupt);
  const dir = targetDir('fetch-bad');
  await assert.rejects(fetchDataset(dir, { baseUrl, checksums: debianMd5 }), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.equal(error.file, `${baseUrl}${datasetFiles.trainLabels}`);
    assert.match(error.message, /has the wrong checksum: expected md5 10bea18fdb374794d4bb42e356e600c9, got [0-9a-f]{32} \(29491 bytes\); nothing was written/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), [datasetFiles.trainImages], 'only the file verified before the bad one is present');
});

test('fetchDataset checks against the official checksums when none are given', async () => {
  overrides.clear();
  const dir = targetDir('fetch-official');
  await assert.rejects(
    fetchDataset(dir, { baseUrl }),
    /train-images-idx3-ubyte.gz has the wrong checksum: expected md5 8d4fb7e6c68d591d4c3dfef9ec88bf0d, got cf8536b0aa1a6ac5fa3f23001093305c/,
  );
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('fetchDataset names the URL and the HTTP status when the mirror answers 404', async () => {
  overrides.clear();
  overrides.set(datasetFiles.trainImages, null);
  await assert.rejects(
    fetchDataset(targetDir('fetch-404'), { baseUrl: baseUrl.replace(/\/$/, ''), checksums: debianMd5 }),
    new RegExp(`could not download ${baseUrl}train-images-idx3-ubyte.gz: expected HTTP 200, got 404 Not Found`),
  );
});

test('fetchDataset reports the network error when the server cannot be reached', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(fetchDataset(targetDir('fetch-down'), { baseUrl: `http://127.0.0.1:${port}/` }), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.match(error.message, new RegExp(`could not download http://127.0.0.1:${port}/train-images-idx3-ubyte.gz: .*ECONNREFUSED`));
    return true;
  });
});
