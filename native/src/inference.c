/*
 * The MLP's inference-mode score of a chunk in one call: three sgemm products with bias (and
 * ReLU on the hidden layers) applied in place, then the summed cross-entropy and the hit
 * count, with no tensor or tfjs kernel per step. Every step rounds as the kernels it replaces
 * (BatchMatMul's products on the same shapes, the float32 bias add, ReLU, the
 * float64 softmax cross-entropy), so the result equals the kernel-by-kernel path's exactly.
 */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "napi-args.h"
#include "relu.h"
#include "softmax-row.h"

/* The bias (and ReLU when `relu`) over out[rows, n] in place, as the float32 Add and Relu kernels round them. */
static void add_bias(float *out, const float *bias, int64_t rows, int64_t n, bool relu) {
  for (int64_t r = 0; r < rows; r++) {
    float *row = out + r * n;
    for (int64_t j = 0; j < n; j++) {
      const float v = row[j] + bias[j];
      row[j] = relu ? relu_of(v) : v;
    }
  }
}

/* out[rows, n] = act(a[rows, k] · w[k, n] + bias[n]), ReLU when `relu`, through gemm_run. */
static void dense_layer(const float *a, const float *w, const float *bias, float *out, int64_t rows, int64_t n, int64_t k, bool relu) {
  sgemm_row_major(false, false, rows, n, k, a, w, out);
  add_bias(out, bias, rows, n, relu);
}

/* A chunk's network, activations and labels, for scoring it in row blocks. */
typedef struct {
  const float *x, *w1, *b1, *w2, *b2, *w3, *b3;
  float *hidden1, *hidden2, *logits;
  int64_t inputs, h1, h2, classes;
  const int32_t *labels;
  /* Each row's cross-entropy and whether its first maximal logit is its label. */
  double *row_loss;
  uint8_t *row_hit;
  const int64_t *bounds;
} network_t;

/*
 * Each row's −log softmax(z)[label] in float64 and its hit, for rows [first, first + rows).
 * Per row, so blocks can score their own rows; the caller sums the losses in row order, which
 * gives the bits of one sequential float64 sum.
 */
static void score_rows(const network_t *net, int64_t first, int64_t rows) {
  const int64_t classes = net->classes;
  for (int64_t r = first; r < first + rows; r++) {
    const float *z = net->logits + r * classes;
    const softmax_row_t row = softmax_row(z, classes);
    net->row_loss[r] = softmax_row_loss(z, row, net->labels[r]);
    net->row_hit[r] = row.arg == net->labels[r];
  }
}

/*
 * The whole network over row block `index`: each layer's product is the single-threaded sgemm
 * that gemm_run would run for that block, and the block's activations stay in this core's
 * cache from one layer to the next, with no wait for the other blocks in between.
 */
static void score_block(void *context, int index) {
  const network_t *net = context;
  const int64_t first = net->bounds[index], rows = net->bounds[index + 1] - first;
  float *hidden1 = net->hidden1 + first * net->h1, *hidden2 = net->hidden2 + first * net->h2, *logits = net->logits + first * net->classes;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)net->h1, (int)net->inputs, 1.0f, net->x + first * net->inputs, (int)net->inputs,
              net->w1, (int)net->h1, 0.0f, hidden1, (int)net->h1);
  add_bias(hidden1, net->b1, rows, net->h1, true);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)net->h2, (int)net->h1, 1.0f, hidden1, (int)net->h1, net->w2, (int)net->h2, 0.0f,
              hidden2, (int)net->h2);
  add_bias(hidden2, net->b2, rows, net->h2, true);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)net->classes, (int)net->h2, 1.0f, hidden2, (int)net->h2, net->w3,
              (int)net->classes, 0.0f, logits, (int)net->classes);
  add_bias(logits, net->b3, rows, net->classes, false);
  score_rows(net, first, rows);
}

static bool same_blocks(const int64_t *a, int count_a, const int64_t *b, int count_b) {
  if (count_a != count_b) return false;
  for (int i = 0; i <= count_a; i++) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

/*
 * Memory kept from call to call and grown when a chunk needs more: a fresh allocation of a
 * 5,000-row chunk's 10 MB of activations would be mapped and page-faulted anew every call.
 * Node calls the addon from its main thread only.
 */
typedef struct {
  void *memory;
  size_t capacity;
} kept_space_t;

static void *kept_space(kept_space_t *space, size_t bytes) {
  if (bytes > space->capacity) {
    free(space->memory);
    space->memory = malloc(bytes);
    space->capacity = space->memory == NULL ? 0 : bytes;
  }
  return space->memory;
}

static bool read_layer(napi_env env, napi_value *argv, const char *w_name, const char *b_name, int64_t k, int64_t n, float **w, float **b) {
  size_t w_len, b_len;
  if (!read_floats(env, argv[0], w_name, w, &w_len) || !read_floats(env, argv[1], b_name, b, &b_len)) return false;
  if ((int64_t)w_len != k * n || (int64_t)b_len != n) {
    return throw_range(env, "%s and %s hold %zu and %zu values; a layer of %lld inputs and %lld units needs %lld and %lld", w_name, b_name,
                       w_len, b_len, (long long)k, (long long)n, (long long)(k * n), (long long)n);
  }
  return true;
}

/*
 * inferenceScore(x, labels, rows, w1, b1, w2, b2, w3, b3, hidden1, hidden2, classes, kept1, kept2)
 *   → [lossSum, hits]
 * x is [rows, inputs], w1 [inputs, hidden1], w2 [hidden1, hidden2], w3 [hidden2, classes].
 * lossSum is Σ −log softmax(z)[label] in float64; hits counts rows whose first maximal logit
 * is the label (tfjs's argMax). kept1 and kept2 receive both hidden layers' activations of the
 * chunk's first keptRows rows (keptRows × hidden1 and keptRows × hidden2 values; empty arrays
 * for none): the activation-variance probe, when it is the chunk's first rows.
 */
napi_value native_inference_score(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  float *x, *w1, *b1, *w2, *b2, *w3, *b3, *kept1, *kept2;
  int32_t *labels;
  size_t x_len, labels_len, kept1_len, kept2_len;
  int64_t rows, h1, h2, classes;
  if (!read_args(env, info, 14, argv) || !read_floats(env, argv[0], "x", &x, &x_len) || !read_ints(env, argv[1], "labels", &labels, &labels_len) ||
      !read_int(env, argv[2], "rows", 1, INT32_MAX, &rows) || !read_int(env, argv[9], "hidden1", 1, INT32_MAX, &h1) ||
      !read_int(env, argv[10], "hidden2", 1, INT32_MAX, &h2) || !read_int(env, argv[11], "classes", 1, INT32_MAX, &classes) ||
      !read_floats(env, argv[12], "kept1", &kept1, &kept1_len) || !read_floats(env, argv[13], "kept2", &kept2, &kept2_len)) {
    return NULL;
  }
  const int64_t inputs = (int64_t)x_len / rows;
  if (inputs * rows != (int64_t)x_len || (int64_t)labels_len != rows) {
    throw_range(env, "x holds %zu values and labels %zu; %lld rows need a multiple of %lld and %lld", x_len, labels_len, (long long)rows,
                (long long)rows, (long long)rows);
    return NULL;
  }
  const int64_t kept_rows = (int64_t)kept1_len / h1;
  if (kept_rows * h1 != (int64_t)kept1_len || kept_rows * h2 != (int64_t)kept2_len || kept_rows > rows) {
    throw_range(env, "kept1 holds %zu values and kept2 %zu; they must hold the same number of rows, at most %lld, of %lld and %lld values", kept1_len,
                kept2_len, (long long)rows, (long long)h1, (long long)h2);
    return NULL;
  }
  if (!read_layer(env, argv + 3, "w1", "b1", inputs, h1, &w1, &b1) || !read_layer(env, argv + 5, "w2", "b2", h1, h2, &w2, &b2) ||
      !read_layer(env, argv + 7, "w3", "b3", h2, classes, &w3, &b3)) {
    return NULL;
  }
  for (int64_t r = 0; r < rows; r++) {
    if (labels[r] < 0 || labels[r] >= classes) {
      throw_range(env, "labels[%lld] is %d; labels must be in [0, %lld)", (long long)r, labels[r], (long long)classes);
      return NULL;
    }
  }
  static kept_space_t activations, losses, hit_flags;
  float *scratch = kept_space(&activations, (size_t)(rows * (h1 + h2 + classes)) * sizeof(float));
  double *row_loss = kept_space(&losses, (size_t)rows * sizeof(double));
  uint8_t *row_hit = kept_space(&hit_flags, (size_t)rows);
  if (scratch == NULL || row_loss == NULL || row_hit == NULL) {
    throw_range(env, "inferenceScore: cannot allocate the activations of %lld rows", (long long)rows);
    return NULL;
  }
  float *hidden1 = scratch, *hidden2 = scratch + rows * h1, *logits = hidden2 + rows * h2;
  int64_t bounds[GEMM_MAX_BLOCKS + 1], bounds2[GEMM_MAX_BLOCKS + 1], bounds3[GEMM_MAX_BLOCKS + 1];
  const int blocks = gemm_row_blocks(rows, h1, inputs, bounds);
  network_t net = {x, w1, b1, w2, b2, w3, b3, hidden1, hidden2, logits, inputs, h1, h2, classes, labels, row_loss, row_hit, bounds};
  // When gemm_run would cut all three products into the same row blocks, each block runs the
  // whole network and scores its rows at once: the same sgemms on the same rows, so the same
  // bits, without the other core idling through each layer's bias and ReLU. Otherwise, layer
  // by layer.
  if (blocks > 1 && same_blocks(bounds, blocks, bounds2, gemm_row_blocks(rows, h2, h1, bounds2)) &&
      same_blocks(bounds, blocks, bounds3, gemm_row_blocks(rows, classes, h2, bounds3))) {
    gemm_parallel(blocks, score_block, &net);
  } else {
    dense_layer(x, w1, b1, hidden1, rows, h1, inputs, true);
    dense_layer(hidden1, w2, b2, hidden2, rows, h2, h1, true);
    dense_layer(hidden2, w3, b3, logits, rows, classes, h2, false);
    score_rows(&net, 0, rows);
  }
  memcpy(kept1, hidden1, kept1_len * sizeof(float));
  memcpy(kept2, hidden2, kept2_len * sizeof(float));
  double loss_sum = 0;
  int64_t hits = 0;
  for (int64_t r = 0; r < rows; r++) {
    loss_sum += row_loss[r];
    hits += row_hit[r];
  }
  napi_value result, loss_value, hits_value;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, loss_sum, &loss_value);
  napi_create_double(env, (double)hits, &hits_value);
  napi_set_element(env, result, 0, loss_value);
  napi_set_element(env, result, 1, hits_value);
  return result;
}
