/* The addon's exported functions; each file implements one family. */
#ifndef REGSWEEP_KERNELS_H
#define REGSWEEP_KERNELS_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

napi_value native_batch_mat_mul(napi_env env, napi_callback_info info);
napi_value native_set_threads(napi_env env, napi_callback_info info);
napi_value native_get_threads(napi_env env, napi_callback_info info);
napi_value native_blas_info(napi_env env, napi_callback_info info);

napi_value native_binary(napi_env env, napi_callback_info info);
napi_value native_relu(napi_env env, napi_callback_info info);
napi_value native_step(napi_env env, napi_callback_info info);

napi_value native_sum_middle_axis(napi_env env, napi_callback_info info);

napi_value native_dropout_mask(napi_env env, napi_callback_info info);

napi_value native_relu_dropout(napi_env env, napi_callback_info info);
napi_value native_relu_dropout_grad(napi_env env, napi_callback_info info);
napi_value native_softmax_cross_entropy(napi_env env, napi_callback_info info);
napi_value native_softmax_cross_entropy_grad(napi_env env, napi_callback_info info);
napi_value native_sgd_update(napi_env env, napi_callback_info info);
napi_value native_gather_rows(napi_env env, napi_callback_info info);

napi_value native_inference_score(napi_env env, napi_callback_info info);

napi_value native_dense_forward(napi_env env, napi_callback_info info);
napi_value native_dense_backward(napi_env env, napi_callback_info info);

/* One row-major product out [m, n] = op(a) · op(b): op(a) is [m, k] (stored [k, m] when trans_a), op(b) [k, n] (stored [n, k] when trans_b). */
typedef struct {
  bool trans_a, trans_b;
  int64_t m, n, k;
  const float *a, *b;
  float *c;
} gemm_product_t;

/*
 * Computes independent products on this process's threads (gemm-tasks.c): large ones in row
 * blocks, several side by side. The bits depend on the shapes only, never on the thread count.
 */
void gemm_run(const gemm_product_t *products, int count);

/* The most row blocks gemm_run cuts one product into. */
#define GEMM_MAX_BLOCKS 64

/*
 * The row blocks gemm_run computes a product of these sizes in: block i is rows
 * [bounds[i], bounds[i + 1]); returns the count. The blocks follow from the shape alone.
 */
int gemm_row_blocks(int64_t m, int64_t n, int64_t k, int64_t *bounds);

/*
 * Calls run(context, i) for i in [0, count) on gemm_run's threads; each call may run
 * single-threaded sgemms (cblas_sgemm) but not gemm_run. With the pool busy (another Node
 * thread's batch), the calls run one after another on this thread.
 */
void gemm_parallel(int count, void (*run)(void *context, int index), void *context);

/* gemm_run for one product: BatchMatMul's product for one matrix. */
void sgemm_row_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *out);

/* The most threads gemm_run uses (OPENBLAS_NUM_THREADS, else one per core, until set). */
void set_gemm_threads(int threads);
int gemm_threads(void);

#endif
