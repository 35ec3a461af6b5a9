/**
 * Operands for timing a product alone: values in [-0.5, 0.5) from a fixed pattern, so every run
 * multiplies the same numbers and none is a denormal, an infinity or zero-heavy.
 */
export function patternedFloats(length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
}
