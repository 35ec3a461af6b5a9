/* Registers the addon's functions; native/native-addon.ts documents each one. */
#include "kernels.h"

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"batchMatMul", NULL, native_batch_mat_mul, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, native_set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threads", NULL, native_get_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blasInfo", NULL, native_blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"binary", NULL, native_binary, NULL, NULL, NULL, napi_enumerable, NULL},
      {"relu", NULL, native_relu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"step", NULL, native_step, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumMiddleAxis", NULL, native_sum_middle_axis, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dropoutMask", NULL, native_dropout_mask, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reluDropout", NULL, native_relu_dropout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reluDropoutGrad", NULL, native_relu_dropout_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"softmaxCrossEntropy", NULL, native_softmax_cross_entropy, NULL, NULL, NULL, napi_enumerable, NULL},
      {"softmaxCrossEntropyGrad", NULL, native_softmax_cross_entropy_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sgdUpdate", NULL, native_sgd_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gatherRows", NULL, native_gather_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inferenceScore", NULL, native_inference_score, NULL, NULL, NULL, napi_enumerable, NULL},
      {"denseForward", NULL, native_dense_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"denseBackward", NULL, native_dense_backward, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
