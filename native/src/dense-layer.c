/*
 * A whole dense layer of the training step in one call each way. Forward: the product, the
 * bias, ReLU and the dropout mask (or noise) over the product while it is still in cache;
 * backward: the mask and ReLU gradient, the bias gradient and both products, side by side.
 * Each part rounds exactly as the tfjs kernel it replaces (BatchMatMul's products on the same
 * shapes, the float32 Add, RegsweepReluDropout or Relu, their gradients and the float64 Sum),
 * so a step gives the same bits as the kernel-by-kernel path.
 */
#include <stdlib.h>

#include "kernels.h"
#include "napi-args.h"
#include "relu.h"

/* A Float32Array, or NULL when the argument is null or undefined. */
static bool read_optional_floats(napi_env env, napi_value value, const char *name, float **data, size_t *length) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined)) {
    *data = NULL;
    *length = 0;
    return true;
  }
  return read_floats(env, value, name, data, length);
}

static bool check_length(napi_env env, const char *name, const float *data, size_t length, int64_t expected) {
  if (data != NULL && (int64_t)length != expected) return throw_range(env, "%s holds %zu values, expected %lld", name, length, (long long)expected);
  return true;
}

/*
 * denseForward(x, w, bias, mask, y, z, rows, inputs, units, relu)
 * x [rows, inputs], w [inputs, units], bias [units], y [rows, units]. Linear: y = x·w + bias.
 * ReLU: z = x·w + bias (kept for the backward pass) and y = max(0, z) · mask, or max(0, z)
 * when mask is null.
 */
napi_value native_dense_forward(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  float *x, *w, *bias, *mask, *y, *z;
  size_t x_len, w_len, bias_len, mask_len, y_len, z_len;
  int64_t rows, inputs, units;
  bool relu;
  if (!read_args(env, info, 10, argv) || !read_floats(env, argv[0], "x", &x, &x_len) || !read_floats(env, argv[1], "w", &w, &w_len) ||
      !read_floats(env, argv[2], "bias", &bias, &bias_len) || !read_optional_floats(env, argv[3], "mask", &mask, &mask_len) ||
      !read_floats(env, argv[4], "y", &y, &y_len) || !read_optional_floats(env, argv[5], "z", &z, &z_len) ||
      !read_int(env, argv[6], "rows", 0, INT32_MAX, &rows) || !read_int(env, argv[7], "inputs", 1, INT32_MAX, &inputs) ||
      !read_int(env, argv[8], "units", 1, INT32_MAX, &units) || !read_bool(env, argv[9], "relu", &relu)) {
    return NULL;
  }
  const int64_t cells = rows * units;
  if (!check_length(env, "x", x, x_len, rows * inputs) || !check_length(env, "w", w, w_len, inputs * units) ||
      !check_length(env, "bias", bias, bias_len, units) || !check_length(env, "mask", mask, mask_len, cells) ||
      !check_length(env, "y", y, y_len, cells) || !check_length(env, "z", z, z_len, cells)) {
    return NULL;
  }
  if (relu && z == NULL) {
    throw_range(env, "denseForward: a ReLU layer needs z for its pre-activations");
    return NULL;
  }
  if (rows == 0) return NULL;
  float *product = relu ? z : y;
  sgemm_row_major(false, false, rows, units, inputs, x, w, product);
  for (int64_t r = 0; r < rows; r++) {
    float *p = product + r * units;
    float *out = y + r * units;
    const float *m = mask == NULL ? NULL : mask + r * units;
    for (int64_t j = 0; j < units; j++) {
      const float v = p[j] + bias[j];
      p[j] = v;
      if (relu) out[j] = m == NULL ? relu_of(v) : relu_of(v) * m[j];
    }
  }
  return NULL;
}

/*
 * dz = (dy · mask) · step(z) (dy · step(z) without a mask) into dz, and each column's sum of
 * dz over the rows, in row order, in float64 into totals: RegsweepReluDropoutGrad's (or
 * Relu's gradient's) rounding and the float64 Sum's. One pass, row by row, so each row's
 * columns vectorize; the AVX2 clone runs where the CPU has it.
 */
__attribute__((target_clones("avx2", "default"))) static void relu_gradient(const float *restrict dy, const float *restrict mask,
                                                                             const float *restrict z, float *restrict dz,
                                                                             double *restrict totals, int64_t rows, int64_t units) {
  for (int64_t j = 0; j < units; j++) totals[j] = 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *dy_row = dy + r * units, *z_row = z + r * units;
    float *dz_row = dz + r * units;
    if (mask == NULL) {
      for (int64_t j = 0; j < units; j++) dz_row[j] = dy_row[j] * step_of(z_row[j]);
    } else {
      const float *mask_row = mask + r * units;
      for (int64_t j = 0; j < units; j++) dz_row[j] = dy_row[j] * mask_row[j] * step_of(z_row[j]);
    }
    for (int64_t j = 0; j < units; j++) totals[j] += dz_row[j];
  }
}

/*
 * The pre-activation gradient of a ReLU layer, kept from call to call: the backward pass needs
 * it only until its products are done. Node calls the addon from its main thread only.
 */
static float *gradient_space(size_t floats) {
  static float *space = NULL;
  static size_t capacity = 0;
  if (floats > capacity) {
    free(space);
    space = malloc(floats * sizeof(float));
    capacity = space == NULL ? 0 : floats;
  }
  return space;
}

/*
 * denseBackward(dy, x, w, z, mask, dw, db, dx, rows, inputs, units, relu)
 * Gradients of denseForward's y with respect to w [inputs, units], bias [units] and, when dx is
 * not null, x [rows, inputs]. With ReLU the pre-activation gradient is (dy · mask) · step(z)
 * (dy · step(z) without a mask), as RegsweepReluDropoutGrad and tfjs's Relu gradient round it;
 * then dw = xᵀ·dz, db = Σ_rows dz in float64, dx = dz·wᵀ.
 */
napi_value native_dense_backward(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  float *dy, *x, *w, *z, *mask, *dw, *db, *dx;
  size_t dy_len, x_len, w_len, z_len, mask_len, dw_len, db_len, dx_len;
  int64_t rows, inputs, units;
  bool relu;
  if (!read_args(env, info, 12, argv) || !read_floats(env, argv[0], "dy", &dy, &dy_len) || !read_floats(env, argv[1], "x", &x, &x_len) ||
      !read_floats(env, argv[2], "w", &w, &w_len) || !read_optional_floats(env, argv[3], "z", &z, &z_len) ||
      !read_optional_floats(env, argv[4], "mask", &mask, &mask_len) || !read_floats(env, argv[5], "dw", &dw, &dw_len) ||
      !read_floats(env, argv[6], "db", &db, &db_len) || !read_optional_floats(env, argv[7], "dx", &dx, &dx_len) ||
      !read_int(env, argv[8], "rows", 0, INT32_MAX, &rows) || !read_int(env, argv[9], "inputs", 1, INT32_MAX, &inputs) ||
      !read_int(env, argv[10], "units", 1, INT32_MAX, &units) || !read_bool(env, argv[11], "relu", &relu)) {
    return NULL;
  }
  const int64_t cells = rows * units;
  if (!check_length(env, "dy", dy, dy_len, cells) || !check_length(env, "x", x, x_len, rows * inputs) ||
      !check_length(env, "w", w, w_len, inputs * units) || !check_length(env, "z", z, z_len, cells) ||
      !check_length(env, "mask", mask, mask_len, cells) || !check_length(env, "dw", dw, dw_len, inputs * units) ||
      !check_length(env, "db", db, db_len, units) || !check_length(env, "dx", dx, dx_len, rows * inputs)) {
    return NULL;
  }
  if (relu && z == NULL) {
    throw_range(env, "denseBackward: a ReLU layer needs its pre-activations z");
    return NULL;
  }
  const float *dz = dy;
  if (relu) {
    float *space = gradient_space((size_t)cells);
    double *totals = malloc((size_t)units * sizeof(double));
    if ((space == NULL && cells > 0) || totals == NULL) {
      free(totals);
      throw_range(env, "denseBackward: cannot allocate the gradient of %lld rows", (long long)rows);
      return NULL;
    }
    relu_gradient(dy, mask, z, space, totals, rows, units);
    for (int64_t j = 0; j < units; j++) db[j] = (float)totals[j];
    free(totals);
    dz = space;
  } else {
    double *totals = malloc((size_t)units * sizeof(double));
    if (totals == NULL) {
      throw_range(env, "denseBackward: cannot allocate the bias gradient's accumulators");
      return NULL;
    }
    for (int64_t j = 0; j < units; j++) totals[j] = 0;
    for (int64_t r = 0; r < rows; r++) {
      for (int64_t j = 0; j < units; j++) totals[j] += dy[r * units + j];
    }
    for (int64_t j = 0; j < units; j++) db[j] = (float)totals[j];
    free(totals);
  }
  // Independent products: one batch, so they run side by side.
  const gemm_product_t products[2] = {{true, false, inputs, units, rows, x, dz, dw}, {false, true, rows, inputs, units, dz, w, dx}};
  gemm_run(products, dx == NULL ? 1 : 2);
  return NULL;
}
