/*
 * Batched single-precision matrix products through OpenBLAS's cblas_sgemm, which reads
 * transposed operands in place: no transpose copies, unlike tfjs's wasm and cpu kernels.
 */
#include <cblas.h>
#include <stdbool.h>
#include <string.h>

#include "kernels.h"
#include "napi-args.h"

/*
 * batchMatMul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB)
 * out[i] = op(a[i % batchA]) · op(b[i % batchB]) for i < out.length / (m·n), row-major, where
 * op(a) is [m, k] (stored [k, m] when transposed) and op(b) is [k, n] (stored [n, k] when
 * transposed). The modulo batch broadcast is the one tfjs's own BatchMatMul kernel uses.
 */
napi_value native_batch_mat_mul(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  float *a, *b, *out;
  size_t a_len, b_len, out_len;
  int64_t batch_a, batch_b, m, n, k;
  bool trans_a, trans_b;
  if (!read_args(env, info, 10, argv) || !read_floats(env, argv[0], "a", &a, &a_len) ||
      !read_floats(env, argv[1], "b", &b, &b_len) || !read_floats(env, argv[2], "out", &out, &out_len) ||
      !read_int(env, argv[3], "batchA", 1, INT32_MAX, &batch_a) || !read_int(env, argv[4], "batchB", 1, INT32_MAX, &batch_b) ||
      !read_int(env, argv[5], "m", 0, INT32_MAX, &m) || !read_int(env, argv[6], "n", 0, INT32_MAX, &n) ||
      !read_int(env, argv[7], "k", 0, INT32_MAX, &k) || !read_bool(env, argv[8], "transposeA", &trans_a) ||
      !read_bool(env, argv[9], "transposeB", &trans_b)) {
    return NULL;
  }
  const int64_t batch = batch_a > batch_b ? batch_a : batch_b;
  if ((int64_t)a_len < batch_a * m * k || (int64_t)b_len < batch_b * k * n || (int64_t)out_len != batch * m * n) {
    throw_range(env, "batchMatMul sizes disagree: a holds %zu (needs %lld), b holds %zu (needs %lld), out holds %zu (needs %lld)",
                a_len, (long long)(batch_a * m * k), b_len, (long long)(batch_b * k * n), out_len, (long long)(batch * m * n));
    return NULL;
  }
  for (int64_t i = 0; i < batch; i++) sgemm_row_major(trans_a, trans_b, m, n, k, a + (i % batch_a) * m * k, b + (i % batch_b) * k * n, out + i * m * n);
  return NULL;
}

/* setThreads(count): the most OpenBLAS threads any later product uses. */
napi_value native_set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t count;
  if (!read_args(env, info, 1, argv) || !read_int(env, argv[0], "threads", 1, 1024, &count)) return NULL;
  set_gemm_threads((int)count);
  return NULL;
}

/* threads(): the most threads a product uses (OpenBLAS's default until setThreads is called). */
napi_value native_get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_int32(env, gemm_threads(), &result);
  return result;
}

/* blasInfo(): OpenBLAS's build configuration and the CPU kernel set it picked (OPENBLAS_CORETYPE overrides it). */
napi_value native_blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, config, core;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &core);
  napi_set_named_property(env, result, "config", config);
  napi_set_named_property(env, result, "core", core);
  return result;
}
