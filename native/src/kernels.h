/* The addon's exported functions; each file implements one family. */
#ifndef REGSWEEP_KERNELS_H
#define REGSWEEP_KERNELS_H

#include <node_api.h>
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

/* Sets OpenBLAS's thread count for a product of `macs` multiply-adds (gemm.c). */
void use_threads_for(int64_t macs);

#endif
