/*
 * Fused kernels of the training step: each replaces a chain of tfjs kernels with one pass over
 * memory. ReLU+dropout and the SGD update round exactly as the chains they replace (one float32
 * operation at a time, no contraction), so they give bit-identical results; the softmax
 * cross-entropy accumulates in float64.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "napi-args.h"
#include "relu.h"
#include "softmax-row.h"

static bool read_same_length(napi_env env, const char *name, size_t length, size_t expected) {
  if (length != expected) return throw_range(env, "%s holds %zu values, expected %zu", name, length, expected);
  return true;
}

/* reluDropout(x, mask, out): out = max(0, x) · mask, as tf.mul(tf.relu(x), mask) rounds it. */
napi_value native_relu_dropout(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  float *x, *mask, *out;
  size_t n, mask_len, out_len;
  if (!read_args(env, info, 3, argv) || !read_floats(env, argv[0], "x", &x, &n) || !read_floats(env, argv[1], "mask", &mask, &mask_len) ||
      !read_floats(env, argv[2], "out", &out, &out_len) || !read_same_length(env, "mask", mask_len, n) ||
      !read_same_length(env, "out", out_len, n)) {
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    out[i] = relu_of(x[i]) * mask[i];
  }
  return NULL;
}

/*
 * reluDropoutGrad(dy, x, mask, out): the gradient of reluDropout with respect to x,
 * (dy · mask) · step(x), the order in which tfjs's Multiply and Relu gradients apply it.
 */
napi_value native_relu_dropout_grad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  float *dy, *x, *mask, *out;
  size_t n, x_len, mask_len, out_len;
  if (!read_args(env, info, 4, argv) || !read_floats(env, argv[0], "dy", &dy, &n) || !read_floats(env, argv[1], "x", &x, &x_len) ||
      !read_floats(env, argv[2], "mask", &mask, &mask_len) || !read_floats(env, argv[3], "out", &out, &out_len) ||
      !read_same_length(env, "x", x_len, n) || !read_same_length(env, "mask", mask_len, n) || !read_same_length(env, "out", out_len, n)) {
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    out[i] = (dy[i] * mask[i]) * step_of(x[i]);
  }
  return NULL;
}

static bool read_classification(napi_env env, napi_value *argv, float **logits, int32_t **labels, int64_t *rows, int64_t *classes,
                                float **probs) {
  size_t logits_len, labels_len, probs_len;
  if (!read_floats(env, argv[0], "logits", logits, &logits_len) || !read_ints(env, argv[1], "labels", labels, &labels_len) ||
      !read_int(env, argv[2], "rows", 0, INT32_MAX, rows) || !read_int(env, argv[3], "classes", 1, INT32_MAX, classes) ||
      !read_floats(env, argv[4], "probs", probs, &probs_len)) {
    return false;
  }
  const size_t cells = (size_t)(*rows * *classes);
  if (logits_len != cells || probs_len != cells || labels_len != (size_t)*rows) {
    return throw_range(env, "logits, labels and probs hold %zu, %zu and %zu values; %lld rows of %lld classes need %zu, %lld and %zu",
                       logits_len, labels_len, probs_len, (long long)*rows, (long long)*classes, cells, (long long)*rows, cells);
  }
  for (int64_t r = 0; r < *rows; r++) {
    if ((*labels)[r] < 0 || (*labels)[r] >= *classes) {
      return throw_range(env, "labels[%lld] is %d; labels must be in [0, %lld)", (long long)r, (*labels)[r], (long long)*classes);
    }
  }
  return true;
}

/*
 * softmaxCrossEntropy(logits, labels, rows, classes, probs) → [lossSum, hits]: writes the
 * row-wise softmax to probs and returns the summed cross-entropy −log softmax(z)[label]
 * (float64) and the number of rows whose first maximal logit is the label (tfjs's argMax).
 */
napi_value native_softmax_cross_entropy(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  float *logits, *probs;
  int32_t *labels;
  int64_t rows, classes;
  if (!read_args(env, info, 5, argv) || !read_classification(env, argv, &logits, &labels, &rows, &classes, &probs)) return NULL;
  double loss_sum = 0;
  int64_t hits = 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *z = logits + r * classes;
    float *p = probs + r * classes;
    const softmax_row_t row = softmax_row(z, classes);
    for (int64_t j = 0; j < classes; j++) p[j] = (float)(exp((double)z[j] - row.max) / row.total);
    loss_sum += softmax_row_loss(z, row, labels[r]);
    hits += row.arg == labels[r];
  }
  napi_value result, loss_value, hits_value;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, loss_sum, &loss_value);
  napi_create_double(env, (double)hits, &hits_value);
  napi_set_element(env, result, 0, loss_value);
  napi_set_element(env, result, 1, hits_value);
  return result;
}

/* softmaxCrossEntropyGrad(probs, labels, rows, classes, out, scale): out = (probs − onehot(labels)) · scale. */
napi_value native_softmax_cross_entropy_grad(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  float *probs, *out;
  int32_t *labels;
  int64_t rows, classes;
  double scale;
  if (!read_args(env, info, 6, argv) || !read_classification(env, argv, &probs, &labels, &rows, &classes, &out) ||
      !read_double(env, argv[5], "scale", &scale)) {
    return NULL;
  }
  const float factor = (float)scale;
  for (int64_t r = 0; r < rows; r++) {
    const float *p = probs + r * classes;
    float *g = out + r * classes;
    for (int64_t j = 0; j < classes; j++) g[j] = (p[j] - (j == labels[r] ? 1.0f : 0.0f)) * factor;
  }
  return NULL;
}

/*
 * sgdUpdate(w, grad, lr, weightDecay, out): out = w − lr·(grad + weightDecay·w), rounded as
 * tf.sub(w, tf.mul(tf.add(grad, tf.mul(w, weightDecay)), lr)); without the decay term when it is 0.
 */
napi_value native_sgd_update(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  float *w, *grad, *out;
  size_t n, grad_len, out_len;
  double lr, decay;
  if (!read_args(env, info, 5, argv) || !read_floats(env, argv[0], "w", &w, &n) || !read_floats(env, argv[1], "grad", &grad, &grad_len) ||
      !read_double(env, argv[2], "lr", &lr) || !read_double(env, argv[3], "weightDecay", &decay) ||
      !read_floats(env, argv[4], "out", &out, &out_len) || !read_same_length(env, "grad", grad_len, n) ||
      !read_same_length(env, "out", out_len, n)) {
    return NULL;
  }
  const float rate = (float)lr, wd = (float)decay;
  if (wd == 0.0f) {
    for (size_t i = 0; i < n; i++) out[i] = w[i] - grad[i] * rate;
  } else {
    for (size_t i = 0; i < n; i++) out[i] = w[i] - (grad[i] + w[i] * wd) * rate;
  }
  return NULL;
}

/*
 * gatherRows(x, rowLength, indices, out): out's i-th row of rowLength floats is x's row
 * indices[i] (tfjs's GatherV2 on axis 0). Out-of-range indices throw tfjs's own message.
 */
napi_value native_gather_rows(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  float *x, *out;
  int32_t *indices;
  size_t x_len, count, out_len;
  int64_t row_length;
  if (!read_args(env, info, 4, argv) || !read_floats(env, argv[0], "x", &x, &x_len) ||
      !read_int(env, argv[1], "rowLength", 1, INT32_MAX, &row_length) || !read_ints(env, argv[2], "indices", &indices, &count) ||
      !read_floats(env, argv[3], "out", &out, &out_len)) {
    return NULL;
  }
  const int64_t rows = (int64_t)x_len / row_length;
  if ((int64_t)x_len != rows * row_length || (int64_t)out_len != (int64_t)count * row_length) {
    throw_range(env, "gatherRows: x holds %zu values and out %zu; rows of %lld need multiples, and out needs %lld", x_len, out_len,
                (long long)row_length, (long long)count * row_length);
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    if (indices[i] < 0 || indices[i] >= rows) {
      throw_range(env, "GatherV2: the index value %d is not in [0, %lld]", indices[i], (long long)(rows - 1));
      return NULL;
    }
  }
  for (size_t i = 0; i < count; i++) memcpy(out + i * row_length, x + (int64_t)indices[i] * row_length, (size_t)row_length * sizeof(float));
  return NULL;
}
