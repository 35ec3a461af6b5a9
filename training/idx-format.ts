import fs from 'node:fs';
import zlib from 'node:zlib';
import { fashionMnistClassCount } from '../domain/training-limits';
import { datasetInstallHint, datasetRepairHint } from './dataset-files';
import { DatasetError } from './training-errors';

/** What one gz IDX file of Fashion-MNIST must hold. */
export interface IdxExpectation {
  kind: 'images' | 'labels';
  count: number;
}

/** IDX magic numbers: 0x08 (unsigned byte) in the third byte, the number of dimensions in the fourth. */
const magicByKind = { images: 2051, labels: 2049 } as const;
const headerBytesByKind = { images: 16, labels: 8 } as const;
export const imageSide = 28;
export const imagePixels = imageSide * imageSide;
export const classCount = fashionMnistClassCount;

function readGunzipped(file: string): Buffer {
  let compressed: Buffer;
  try {
    compressed = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(error)})`;
    throw new DatasetError(`Fashion-MNIST file ${file} ${reason}; ${datasetInstallHint}`, file, { cause: error });
  }
  try {
    return zlib.gunzipSync(compressed);
  } catch (error) {
    throw new DatasetError(
      `Fashion-MNIST file ${file} is not a complete gzip file (${(error as Error).message}, ` +
        `${compressed.length} bytes on disk); ${datasetRepairHint}`,
      file,
      { cause: error },
    );
  }
}

/**
 * Reads one gz IDX file and returns its payload (pixels or labels, one byte each) after
 * checking the header against `expected`: magic number, 28x28 dimensions, item count, and
 * a payload length that matches the header exactly.
 *
 * @throws DatasetError naming the file, expected vs got, and how to repair it.
 */
export function readIdxFile(file: string, expected: IdxExpectation): Uint8Array {
  const bytes = readGunzipped(file);
  const fail = (problem: string): never => {
    throw new DatasetError(`Fashion-MNIST file ${file} ${problem}; ${datasetRepairHint}`, file);
  };
  const headerBytes = headerBytesByKind[expected.kind];
  if (bytes.length < headerBytes) {
    fail(`is too short for an IDX ${expected.kind} header: expected at least ${headerBytes} bytes, got ${bytes.length}`);
  }
  const magic = bytes.readUInt32BE(0);
  if (magic !== magicByKind[expected.kind]) {
    fail(`has a bad magic number: expected ${magicByKind[expected.kind]} (IDX ${expected.kind}), got ${magic}`);
  }
  const count = bytes.readUInt32BE(4);
  if (count !== expected.count) {
    fail(`holds the wrong number of ${expected.kind}: expected ${expected.count}, got ${count}`);
  }
  let itemBytes = 1;
  if (expected.kind === 'images') {
    const rows = bytes.readUInt32BE(8);
    const cols = bytes.readUInt32BE(12);
    if (rows !== imageSide || cols !== imageSide) {
      fail(`has images of the wrong size: expected ${imageSide}x${imageSide}, got ${rows}x${cols}`);
    }
    itemBytes = imagePixels;
  }
  const expectedLength = headerBytes + count * itemBytes;
  if (bytes.length !== expectedLength) {
    fail(
      `has a payload that does not match its header: expected ${expectedLength} bytes for ` +
        `${count} ${expected.kind}, got ${bytes.length}`,
    );
  }
  const payload = new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, count * itemBytes);
  if (expected.kind === 'labels') {
    const bad = payload.findIndex((label) => label >= classCount);
    if (bad >= 0) {
      fail(`has an invalid label: expected labels in [0, ${classCount - 1}], got ${payload[bad]} at index ${bad}`);
    }
  }
  return payload;
}
