/*
 * Batched single-precision matrix products through OpenBLAS's cblas_sgemm, which reads
 * transposed operands in place: no transpose copies, unlike tfjs's wasm and cpu kernels.
 */
#include <cblas.h>
#include <stdbool.h>
#include <string.h>

#include "kernels.h"
#include "napi-args.h"

/* The thread count setThreads fixed; 0 until then, meaning OpenBLAS's own default. */
static int max_threads = 0;
static int active_threads = 0;

/*
 * Below this many multiply-adds a product runs on one thread: waking OpenBLAS's workers costs
 * more than it saves. Measured inside a training step on 2 cores, two threads made the
 * 256x256x10 products 2-5x slower and the 256x256x256 ones no faster, while the 256x784x256
 * and 784x256x256 ones ran 1.3-1.8x faster. The choice depends on the shape alone, so
 * results stay reproducible.
 */
#define PARALLEL_MIN_MACS ((int64_t)1 << 25)

void use_threads_for(int64_t macs) {
  if (max_threads == 0) max_threads = openblas_get_num_threads();
  const int wanted = macs >= PARALLEL_MIN_MACS ? max_threads : 1;
  if (wanted != active_threads) {
    openblas_set_num_threads(wanted);
    active_threads = wanted;
  }
}

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
  if (m == 0 || n == 0) return NULL;
  if (k == 0) {
    memset(out, 0, out_len * sizeof(float));
    return NULL;
  }
  use_threads_for(m * n * k);
  const int lda = (int)(trans_a ? m : k);
  const int ldb = (int)(trans_b ? k : n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                1.0f, a + (i % batch_a) * m * k, lda, b + (i % batch_b) * k * n, ldb, 0.0f, out + i * m * n, (int)n);
  }
  return NULL;
}

/* setThreads(count): the most OpenBLAS threads any later product uses. */
napi_value native_set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t count;
  if (!read_args(env, info, 1, argv) || !read_int(env, argv[0], "threads", 1, 1024, &count)) return NULL;
  max_threads = (int)count;
  active_threads = 0;
  return NULL;
}

/* threads(): the most threads a product uses (OpenBLAS's default until setThreads is called). */
napi_value native_get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_int32(env, max_threads == 0 ? openblas_get_num_threads() : max_threads, &result);
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
