/*
 * Inverted-dropout masks from the mulberry32 generator, value for value the masks that
 * training/dropout-mask.ts draws in JavaScript, so a run is the same with or without the addon.
 */
#include <math.h>
#include <stdint.h>

#include "kernels.h"
#include "napi-args.h"

/*
 * mulberry32's i-th output (0-based) from stream `seed`. Its state after i+1 steps is
 * seed + (i+1)·0x6d2b79f5, so every draw can be computed on its own: the loop below has no
 * dependency between iterations and vectorizes, where the textbook serial form does not.
 */
static inline uint32_t mulberry32_at(uint32_t seed, uint32_t i) {
  const uint32_t state = seed + (i + 1u) * 0x6d2b79f5u;
  uint32_t t = (state ^ (state >> 15)) * (1u | state);
  t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
  return t ^ (t >> 14);
}

/*
 * Drawn with AVX2 where the CPU has it (eight draws per instruction), else with the x86-64
 * baseline; both give the same values. `dropped_below` is the threshold on the raw draw.
 */
__attribute__((target_clones("avx2", "default"))) static void fill_mask(uint32_t seed, uint32_t dropped_below, float kept,
                                                                           float *out, size_t length) {
  for (size_t i = 0; i < length; i++) out[i] = mulberry32_at(seed, (uint32_t)i) < dropped_below ? 0.0f : kept;
}

/*
 * dropoutMask(seed, p, out): out[i] = 0 when the i-th draw u/2^32 < p, else 1/(1−p) rounded
 * to float32, the comparison as JavaScript does it in float64. Since scaling by 2^32 is exact,
 * u/2^32 < p exactly when the integer u is below ceil(p·2^32).
 */
napi_value native_dropout_mask(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t seed;
  double p;
  float *out;
  size_t length;
  if (!read_args(env, info, 3, argv) || !read_int(env, argv[0], "seed", 0, UINT32_MAX, &seed) ||
      !read_double(env, argv[1], "p", &p) || !read_floats(env, argv[2], "out", &out, &length)) {
    return NULL;
  }
  if (!(p >= 0 && p < 1)) {
    throw_range(env, "p must be in [0, 1), got %g", p);
    return NULL;
  }
  if (length > UINT32_MAX) {
    throw_range(env, "a mask holds at most 2^32 values, got %zu", length);
    return NULL;
  }
  const float kept = (float)(1.0 / (1.0 - p));
  const double threshold = ceil(p * 4294967296.0);
  if (threshold > (double)UINT32_MAX) {
    /* p within 2^-32 of 1: every draw is below it. */
    for (size_t i = 0; i < length; i++) out[i] = 0.0f;
    return NULL;
  }
  fill_mask((uint32_t)seed, (uint32_t)threshold, kept, out, length);
  return NULL;
}
