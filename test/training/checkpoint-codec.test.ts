import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWeights, encodeWeights, type WeightArray } from '../../training/checkpoint-codec';
import { CheckpointError } from '../../training/training-errors';

const weights: WeightArray[] = [
  { name: 'W1', shape: [3, 2], data: Float32Array.from([0.1, -0.2, 3e-39, -0, Infinity, 1e30]) },
  { name: 'b1', shape: [2], data: Float32Array.from([0, 1.5]) },
  { name: 'scalar', shape: [], data: Float32Array.from([7]) },
];

function assertCheckpointError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeWeights(bytes), (error: unknown) => error instanceof CheckpointError && pattern.test(error.message));
}

test('decodeWeights returns bit-identical names, shapes and values when given encodeWeights output', () => {
  const decoded = decodeWeights(encodeWeights(weights));
  assert.deepEqual(
    decoded.map((w) => ({ name: w.name, shape: w.shape })),
    weights.map((w) => ({ name: w.name, shape: w.shape })),
  );
  decoded.forEach((w, i) => {
    assert.deepEqual(new Uint8Array(w.data.buffer), new Uint8Array(weights[i]!.data.buffer));
  });
});

test('decodeWeights reads blobs that are views into a larger buffer', () => {
  const bytes = encodeWeights(weights);
  const padded = new Uint8Array(bytes.length + 3);
  padded.set(bytes, 3);
  assert.equal(decodeWeights(padded.subarray(3)).length, 3);
});

test('decodeWeights throws a CheckpointError saying what is wrong when the blob is corrupt', () => {
  const bytes = encodeWeights(weights);
  const flipped = bytes.slice();
  flipped[40] = flipped[40]! ^ 0x01;
  assertCheckpointError(flipped, /is damaged or truncated: its SHA-256 should be/);
  assertCheckpointError(bytes.subarray(0, bytes.length - 5), /is damaged or truncated/);
  assertCheckpointError(new Uint8Array(10), /is too short: expected at least 48 bytes/);
  const foreign = bytes.slice();
  foreign.set(Buffer.from('PKZIPXYZ'), 0);
  assertCheckpointError(foreign, /is not a regsweep weight file: expected magic RSWEIGHT, got "PKZIPXYZ"/);
});

test('encodeWeights throws when a shape does not match the number of values', () => {
  assert.throws(
    () => encodeWeights([{ name: 'W', shape: [2, 2], data: new Float32Array(3) }]),
    /cannot encode W: shape \[2, 2\] needs 4 values, got 3/,
  );
});
