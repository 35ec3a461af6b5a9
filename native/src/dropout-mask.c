/*
 * Inverted-dropout masks from the mulberry32 generator, value for value the masks that
 * training/dropout-mask.ts draws in JavaScript, so a run is the same with or without the addon.
 */
#include <stdint.h>

#include "kernels.h"
#include "napi-args.h"

/* One mulberry32 step, as createRng in training/seeded-random.ts. */
static inline uint32_t mulberry32(uint32_t *state) {
  *state += 0x6d2b79f5u;
  uint32_t t = (*state ^ (*state >> 15)) * (1u | *state);
  t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
  return t ^ (t >> 14);
}

/*
 * dropoutMask(seed, p, out): out[i] = 0 when the i-th draw u/2^32 < p, else 1/(1−p) rounded
 * to float32. The comparison is done in float64 as JavaScript does it.
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
  const float kept = (float)(1.0 / (1.0 - p));
  uint32_t state = (uint32_t)seed;
  for (size_t i = 0; i < length; i++) {
    const double u = (double)mulberry32(&state) / 4294967296.0;
    out[i] = u < p ? 0.0f : kept;
  }
  return NULL;
}
