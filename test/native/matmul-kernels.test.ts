import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeSkipReason, onBothBackends, seededValues } from './kernel-comparison';

const skip = nativeSkipReason();
const unitRoundoff = 2 ** -24;

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Σ_k |a_ik|·|b_kj| per output element (float64), the scale of each dot product's rounding error. */
function absoluteProducts({ a, b, transposeA, transposeB }: Case, aValues: Float32Array, bValues: Float32Array): Float64Array {
  const [aRows, aCols] = a.slice(-2) as [number, number];
  const [bRows, bCols] = b.slice(-2) as [number, number];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const n = transposeB ? bRows : bCols;
  const batchA = aValues.length / (m * k);
  const batchB = bValues.length / (k * n);
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    const aOffset = (p % batchA) * m * k;
    const bOffset = (p % batchB) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let q = 0; q < k; q++) {
          const x = aValues[aOffset + (transposeA ? q * m + i : i * k + q)]!;
          const y = bValues[bOffset + (transposeB ? j * k + q : q * n + j)]!;
          total += Math.abs(x * y);
        }
        out[p * m * n + i * n + j] = total;
      }
    }
  }
  return out;
}

function assertMatMulAgrees(label: string, c: Case, stock: tf.TypedArray, native: tf.TypedArray, scale: Float64Array): void {
  assert.equal(native.length, stock.length, `${label}: result sizes`);
  const k = c.transposeA ? c.a.at(-2)! : c.a.at(-1)!;
  for (let i = 0; i < stock.length; i++) {
    // Both results are within k·u·Σ|a||b| of the exact product, so within twice that of each other.
    const bound = 2 * k * unitRoundoff * scale[i]! + 1e-30;
    assert.ok(Math.abs(native[i]! - stock[i]!) <= bound, `${label}[${i}]: native ${native[i]} vs stock ${stock[i]} (bound ${bound})`);
  }
}

const shapesUsed: Array<{ label: string; m: number; k: number; n: number }> = [
  { label: 'odd sizes', m: 7, k: 13, n: 5 },
  { label: 'layer 1 forward', m: 256, k: 784, n: 256 },
  { label: 'layer 3 forward', m: 33, k: 256, n: 10 },
];

for (const { label, m, k, n } of shapesUsed) {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      const name = `BatchMatMul matches the stock cpu kernel for ${label} when transposeA=${transposeA} transposeB=${transposeB}`;
      test(name, { skip }, async () => {
        const c: Case = { a: transposeA ? [k, m] : [m, k], b: transposeB ? [n, k] : [k, n], transposeA, transposeB };
        const aValues = seededValues(m * k, m + 3 * k);
        const bValues = seededValues(k * n, n + 5 * k);
        const result = await onBothBackends(
          [
            { values: aValues, shape: c.a },
            { values: bValues, shape: c.b },
          ],
          (a, b) => tf.matMul(a!, b!, transposeA, transposeB),
        );
        assert.deepEqual(result.nativeShape, [m, n]);
        assertMatMulAgrees(name, c, result.stock, result.native, absoluteProducts(c, aValues, bValues));
      });
    }
  }
}

test('BatchMatMul matches the stock cpu kernel when batches broadcast or are equal', { skip }, async () => {
  const cases: Case[] = [
    { a: [3, 4, 6], b: [3, 6, 5], transposeA: false, transposeB: false },
    { a: [3, 6, 4], b: [1, 5, 6], transposeA: true, transposeB: true },
    { a: [1, 4, 6], b: [2, 6, 5], transposeA: false, transposeB: false },
    { a: [2, 2, 4, 6], b: [6, 5], transposeA: false, transposeB: false },
  ];
  for (const c of cases) {
    const aValues = seededValues(
      c.a.reduce((x, y) => x * y),
      11,
    );
    const bValues = seededValues(
      c.b.reduce((x, y) => x * y),
      12,
    );
    const result = await onBothBackends(
      [
        { values: aValues, shape: c.a },
        { values: bValues, shape: c.b },
      ],
      (a, b) => tf.matMul(a!, b!, c.transposeA, c.transposeB),
    );
    assert.deepEqual(result.nativeShape, result.stockShape);
    assertMatMulAgrees(`[${c.a}]·[${c.b}]`, c, result.stock, result.native, absoluteProducts(c, aValues, bValues));
  }
});

test('_FusedMatMul matches the stock cpu kernel with a bias and relu or linear activation', { skip }, async () => {
  for (const activation of ['relu', 'linear'] as const) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const c: Case = { a: transposeA ? [9, 6] : [6, 9], b: transposeB ? [4, 9] : [9, 4], transposeA, transposeB };
      const aValues = seededValues(54, 21);
      const bValues = seededValues(36, 22);
      const bias = seededValues(4, 23);
      const result = await onBothBackends(
        [
          { values: aValues, shape: c.a },
          { values: bValues, shape: c.b },
          { values: bias, shape: [4] },
        ],
        (a, b, bi) => tf.fused.matMul({ a: a!, b: b!, bias: bi!, activation, transposeA, transposeB }),
      );
      const scale = absoluteProducts(c, aValues, bValues);
      assertMatMulAgrees(`fused ${activation} ${transposeA}/${transposeB}`, c, result.stock, result.native, scale);
    }
  }
});

test('_FusedMatMul gives the stock result for an activation it leaves to tfjs', { skip }, async () => {
  const aValues = seededValues(12, 31);
  const bValues = seededValues(12, 32);
  const result = await onBothBackends(
    [
      { values: aValues, shape: [3, 4] },
      { values: bValues, shape: [4, 3] },
    ],
    (a, b) => tf.fused.matMul({ a: a!, b: b!, activation: 'elu' }),
  );
  assert.deepEqual(result.native, result.stock);
});

test('BatchMatMul raises tfjs own error when inner sizes differ', { skip }, async () => {
  await assert.rejects(
    onBothBackends(
      [
        { values: seededValues(6, 1), shape: [2, 3] },
        { values: seededValues(8, 2), shape: [4, 2] },
      ],
      (a, b) => tf.matMul(a!, b!),
    ),
    /inner shapes \(3\) and \(4\)/,
  );
});
