import { createHash } from 'node:crypto';
import { CheckpointError } from './training-errors';

/** One named float32 tensor as stored in a checkpoint. */
export interface WeightArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

// Layout (little-endian): "RSWEIGHT", u32 version, u32 tensor count, then per tensor
// u16 name length, UTF-8 name, u8 rank, u32 per dimension, float32 values; finally the
// SHA-256 of everything before it, so a truncated or bit-flipped blob is never loaded.
const magic = 'RSWEIGHT';
const formatVersion = 1;
const digestBytes = 32;
const headerBytes = magic.length + 8;

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Serializes named float32 tensors into a self-describing, checksummed binary. */
export function encodeWeights(tensors: readonly WeightArray[]): Uint8Array {
  const names = tensors.map((t) => Buffer.from(t.name, 'utf8'));
  let size = headerBytes + digestBytes;
  tensors.forEach((t, i) => {
    if (elementCount(t.shape) !== t.data.length) {
      throw new CheckpointError(
        `cannot encode ${t.name}: shape [${t.shape.join(', ')}] needs ${elementCount(t.shape)} values, got ${t.data.length}`,
      );
    }
    size += 2 + names[i]!.length + 1 + 4 * t.shape.length + 4 * t.data.length;
  });
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(Buffer.from(magic, 'ascii'), 0);
  view.setUint32(8, formatVersion, true);
  view.setUint32(12, tensors.length, true);
  let offset = headerBytes;
  tensors.forEach((t, i) => {
    view.setUint16(offset, names[i]!.length, true);
    bytes.set(names[i]!, offset + 2);
    offset += 2 + names[i]!.length;
    view.setUint8(offset, t.shape.length);
    offset += 1;
    for (const dim of t.shape) {
      view.setUint32(offset, dim, true);
      offset += 4;
    }
    for (let k = 0; k < t.data.length; k++, offset += 4) {
      view.setFloat32(offset, t.data[k]!, true);
    }
  });
  bytes.set(sha256(bytes.subarray(0, offset)), offset);
  return bytes;
}

/**
 * Parses a blob written by {@link encodeWeights}.
 *
 * @throws CheckpointError saying what is wrong: not a weight file, unknown version, checksum
 *   mismatch (damaged), or a tensor that runs past the end (truncated).
 */
export function decodeWeights(bytes: Uint8Array): WeightArray[] {
  const fail = (problem: string): never => {
    throw new CheckpointError(`checkpoint (${bytes.length} bytes) ${problem}`);
  };
  if (bytes.length < headerBytes + digestBytes) {
    fail(`is too short: expected at least ${headerBytes + digestBytes} bytes of header and checksum`);
  }
  const gotMagic = Buffer.from(bytes.subarray(0, magic.length)).toString('latin1');
  if (gotMagic !== magic) {
    fail(`is not a regsweep weight file: expected magic ${magic}, got ${JSON.stringify(gotMagic)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== formatVersion) {
    fail(`has format version ${version}; this build reads version ${formatVersion}`);
  }
  const bodyEnd = bytes.length - digestBytes;
  const expectedDigest = Buffer.from(bytes.subarray(bodyEnd)).toString('hex');
  const gotDigest = Buffer.from(sha256(bytes.subarray(0, bodyEnd))).toString('hex');
  if (expectedDigest !== gotDigest) {
    fail(`is damaged or truncated: its SHA-256 should be ${expectedDigest.slice(0, 16)}…, got ${gotDigest.slice(0, 16)}…`);
  }

  const count = view.getUint32(12, true);
  const tensors: WeightArray[] = [];
  let offset = headerBytes;
  const need = (what: string, length: number): void => {
    if (offset + length > bodyEnd) {
      fail(`is truncated: ${what} needs ${length} bytes at offset ${offset}, only ${bodyEnd - offset} remain`);
    }
  };
  for (let i = 0; i < count; i++) {
    need(`tensor ${i}'s name length`, 2);
    const nameLength = view.getUint16(offset, true);
    need(`tensor ${i}'s name`, nameLength + 1);
    const name = Buffer.from(bytes.subarray(offset + 2, offset + 2 + nameLength)).toString('utf8');
    offset += 2 + nameLength;
    const rank = view.getUint8(offset);
    offset += 1;
    need(`${name}'s shape`, 4 * rank);
    const shape = Array.from({ length: rank }, (_, d) => view.getUint32(offset + 4 * d, true));
    offset += 4 * rank;
    const length = elementCount(shape);
    need(`${name}'s ${length} values`, 4 * length);
    const data = new Float32Array(length);
    for (let k = 0; k < length; k++, offset += 4) {
      data[k] = view.getFloat32(offset, true);
    }
    if (tensors.some((t) => t.name === name)) {
      fail(`holds tensor ${name} twice`);
    }
    tensors.push({ name, shape, data });
  }
  if (offset !== bodyEnd) {
    fail(`has ${bodyEnd - offset} unexpected bytes after its ${count} tensors`);
  }
  return tensors;
}
