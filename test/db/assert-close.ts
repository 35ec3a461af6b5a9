import assert from 'node:assert/strict';

/** Equal up to float rounding, or both null; `label` says which cell differed. */
export function assertClose(actual: number | null | undefined, expected: number | null | undefined, label: string, tolerance = 1e-10): void {
  if (expected === null || expected === undefined) {
    assert.equal(actual ?? null, null, `${label}: expected null, got ${actual}`);
    return;
  }
  assert.ok(typeof actual === 'number', `${label}: expected ${expected}, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${label}: expected ${expected}, got ${actual}`);
}
