import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, deriveSeed } from '../../training/seeded-random';

test('deriveSeed gives the same seed for the same tuple and unrelated seeds when any part changes', () => {
  assert.equal(deriveSeed(7, 2, 3), deriveSeed(7, 2, 3));
  const seeds = new Set([
    deriveSeed(7, 2, 3),
    deriveSeed(7, 2, 4),
    deriveSeed(7, 3, 3),
    deriveSeed(8, 2, 3),
    deriveSeed(7, 2),
    deriveSeed(7, 2, 3, 0),
    deriveSeed(3, 2, 7),
    deriveSeed(7, 2, 3 + 2 ** 32),
  ]);
  assert.equal(seeds.size, 8);
  for (const seed of seeds) {
    assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
  }
});

test('deriveSeed throws when a part is not a safe integer', () => {
  assert.throws(() => deriveSeed(1, 0.5), /deriveSeed parts must be safe integers, got 0\.5/);
  assert.throws(() => deriveSeed(Number.NaN), /got NaN/);
});

test('createRng repeats its sequence when given the same seed', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const first = Array.from({ length: 5 }, () => a.nextFloat());
  assert.deepEqual(first, Array.from({ length: 5 }, () => b.nextFloat()));
  assert.notDeepEqual(first, Array.from({ length: 5 }, () => c.nextFloat()));
});

test('nextFloat is uniform on [0, 1) and nextNormal is standard normal when sampled 100k times', () => {
  const rng = createRng(deriveSeed(1, 2, 3));
  const n = 100000;
  let sum = 0;
  let min = 1;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.nextFloat();
    sum += u;
    min = Math.min(min, u);
    max = Math.max(max, u);
  }
  assert.ok(min >= 0 && max < 1);
  assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);

  let normalSum = 0;
  let normalSquares = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.nextNormal();
    normalSum += z;
    normalSquares += z * z;
  }
  const mean = normalSum / n;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(normalSquares / n - mean * mean - 1) < 0.02, `variance ${normalSquares / n}`);
});

test('shuffleInPlace permutes every element and repeats the order when given the same seed', () => {
  const values = Int32Array.from({ length: 1000 }, (_, i) => i);
  const shuffled = createRng(9).shuffleInPlace(values.slice());
  assert.notDeepEqual(shuffled, values);
  assert.deepEqual(Int32Array.from(shuffled).sort(), values);
  assert.deepEqual(createRng(9).shuffleInPlace(values.slice()), shuffled);
});
