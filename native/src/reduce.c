/*
 * Sums over a block of adjacent axes. Every output element is accumulated in float64 in the
 * reduced axes' row-major order and rounded once, exactly as tfjs's cpu Sum kernel does, so
 * the results match it bit for bit.
 */
#include <stdlib.h>

#include "kernels.h"
#include "napi-args.h"

/* sumMiddleAxis(x, outer, reduce, inner, out): x is [outer, reduce, inner], out[o, i] = Σ_r x[o, r, i]. */
napi_value native_sum_middle_axis(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  float *x, *out;
  size_t x_len, out_len;
  int64_t outer, reduce, inner;
  if (!read_args(env, info, 5, argv) || !read_floats(env, argv[0], "x", &x, &x_len) ||
      !read_int(env, argv[1], "outer", 0, INT32_MAX, &outer) || !read_int(env, argv[2], "reduce", 0, INT32_MAX, &reduce) ||
      !read_int(env, argv[3], "inner", 0, INT32_MAX, &inner) || !read_floats(env, argv[4], "out", &out, &out_len)) {
    return NULL;
  }
  if ((int64_t)x_len != outer * reduce * inner || (int64_t)out_len != outer * inner) {
    throw_range(env, "sum: x holds %zu values and out %zu; [%lld, %lld, %lld] needs %lld and %lld", x_len, out_len,
                (long long)outer, (long long)reduce, (long long)inner, (long long)(outer * reduce * inner),
                (long long)(outer * inner));
    return NULL;
  }
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const float *row = x + o * reduce;
      double total = 0;
      for (int64_t r = 0; r < reduce; r++) total += row[r];
      out[o] = (float)total;
    }
    return NULL;
  }
  double *totals = malloc((size_t)inner * sizeof(double));
  if (totals == NULL) {
    napi_throw_error(env, NULL, "sum: out of memory for the float64 accumulators");
    return NULL;
  }
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) totals[i] = 0;
    const float *block = x + o * reduce * inner;
    for (int64_t r = 0; r < reduce; r++) {
      const float *row = block + r * inner;
      for (int64_t i = 0; i < inner; i++) totals[i] += row[i];
    }
    for (int64_t i = 0; i < inner; i++) out[o * inner + i] = (float)totals[i];
  }
  free(totals);
  return NULL;
}
