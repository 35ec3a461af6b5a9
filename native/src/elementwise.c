/*
 * Elementwise float32 kernels. Each result equals what tfjs's cpu kernel stores: tfjs computes
 * in float64 and rounds to float32, which for +, −, ×, ÷ of float32 operands is exactly the
 * float32 operation, so these match it bit for bit.
 */
#include <stdbool.h>

#include "kernels.h"
#include "napi-args.h"
#include "relu.h"

/* Per-dimension element strides of an operand broadcast to the output shape (0 where it repeats). */
static bool broadcast_strides(napi_env env, const char *name, const int64_t *shape, size_t rank, const int64_t *out_shape,
                              size_t out_rank, int64_t *strides) {
  if (rank > out_rank) return throw_range(env, "%s has rank %zu, above the output's %zu", name, rank, out_rank);
  int64_t stride = 1;
  for (size_t d = out_rank; d-- > 0;) {
    const size_t own = d + rank >= out_rank ? d + rank - out_rank : SIZE_MAX;
    const int64_t dim = own == SIZE_MAX ? 1 : shape[own];
    if (dim != out_shape[d] && dim != 1) {
      return throw_range(env, "%s dimension %zu is %lld; it must be 1 or the output's %lld", name, d, (long long)dim,
                         (long long)out_shape[d]);
    }
    strides[d] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  return true;
}

/*
 * One output row for each operation and operand-stride pattern: (1, 1) both walk, (1, 0) b
 * repeats, (0, 1) a repeats, anything else strided. Separate small functions, because GCC
 * left the loops unvectorized when they shared one function body.
 */
typedef void (*row_fn)(const float *a, int64_t sa, const float *b, int64_t sb, float *out, int64_t n);

#define ROW_FUNCTIONS(NAME, EXPR)                                                                  \
  static void NAME##_row(const float *a, int64_t sa, const float *b, int64_t sb, float *out, int64_t n) { \
    if (sa == 1 && sb == 1) {                                                                       \
      for (int64_t i = 0; i < n; i++) {                                                             \
        const float x = a[i], y = b[i];                                                             \
        out[i] = (EXPR);                                                                            \
      }                                                                                             \
    } else if (sa == 1 && sb == 0) {                                                                \
      const float y = b[0];                                                                         \
      for (int64_t i = 0; i < n; i++) {                                                             \
        const float x = a[i];                                                                       \
        out[i] = (EXPR);                                                                            \
      }                                                                                             \
    } else if (sa == 0 && sb == 1) {                                                                \
      const float x = a[0];                                                                         \
      for (int64_t i = 0; i < n; i++) {                                                             \
        const float y = b[i];                                                                       \
        out[i] = (EXPR);                                                                            \
      }                                                                                             \
    } else {                                                                                        \
      for (int64_t i = 0; i < n; i++) {                                                             \
        const float x = a[i * sa], y = b[i * sb];                                                   \
        out[i] = (EXPR);                                                                            \
      }                                                                                             \
    }                                                                                               \
  }

ROW_FUNCTIONS(add, x + y)
ROW_FUNCTIONS(sub, x - y)
ROW_FUNCTIONS(mul, x * y)
ROW_FUNCTIONS(div, x / y)

static const row_fn row_functions[] = {add_row, sub_row, mul_row, div_row};

/*
 * binary(kind, a, aShape, b, bShape, out, outShape): out = a ∘ b with numpy broadcasting
 * (0 add, 1 subtract, 2 multiply, 3 divide). `out` may be `a` itself when a has the output's shape.
 */
napi_value native_binary(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int64_t kind;
  float *a, *b, *out;
  size_t a_len, b_len, out_len, a_rank, b_rank, out_rank;
  int64_t a_shape[MAX_RANK], b_shape[MAX_RANK], out_shape[MAX_RANK], sa_all[MAX_RANK], sb_all[MAX_RANK];
  if (!read_args(env, info, 7, argv) || !read_int(env, argv[0], "kind", 0, 3, &kind) ||
      !read_floats(env, argv[1], "a", &a, &a_len) || !read_shape(env, argv[2], "aShape", a_shape, &a_rank) ||
      !read_floats(env, argv[3], "b", &b, &b_len) || !read_shape(env, argv[4], "bShape", b_shape, &b_rank) ||
      !read_floats(env, argv[5], "out", &out, &out_len) || !read_shape(env, argv[6], "outShape", out_shape, &out_rank) ||
      !broadcast_strides(env, "a", a_shape, a_rank, out_shape, out_rank, sa_all) ||
      !broadcast_strides(env, "b", b_shape, b_rank, out_shape, out_rank, sb_all)) {
    return NULL;
  }
  if ((int64_t)a_len != shape_size(a_shape, a_rank) || (int64_t)b_len != shape_size(b_shape, b_rank) ||
      (int64_t)out_len != shape_size(out_shape, out_rank)) {
    throw_range(env, "binary: a, b and out hold %zu, %zu and %zu values, their shapes need %lld, %lld and %lld", a_len, b_len,
                out_len, (long long)shape_size(a_shape, a_rank), (long long)shape_size(b_shape, b_rank),
                (long long)shape_size(out_shape, out_rank));
    return NULL;
  }
  if (out_len == 0) return NULL;

  /* Drop size-1 dimensions, then merge neighbours that both operands walk contiguously. */
  int64_t dims[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK];
  size_t rank = 0;
  for (size_t d = 0; d < out_rank; d++) {
    if (out_shape[d] == 1) continue;
    if (rank > 0 && sa[rank - 1] == sa_all[d] * out_shape[d] && sb[rank - 1] == sb_all[d] * out_shape[d]) {
      dims[rank - 1] *= out_shape[d];
      sa[rank - 1] = sa_all[d];
      sb[rank - 1] = sb_all[d];
      continue;
    }
    dims[rank] = out_shape[d];
    sa[rank] = sa_all[d];
    sb[rank] = sb_all[d];
    rank++;
  }
  if (rank == 0) {
    dims[0] = 1;
    sa[0] = sb[0] = 0;
    rank = 1;
  }

  const row_fn apply_row = row_functions[kind];
  const int64_t inner = dims[rank - 1];
  int64_t index[MAX_RANK] = {0};
  int64_t offset_a = 0, offset_b = 0;
  for (int64_t row = 0, rows = (int64_t)out_len / inner; row < rows; row++) {
    apply_row(a + offset_a, sa[rank - 1], b + offset_b, sb[rank - 1], out + row * inner, inner);
    /* Odometer over the outer dimensions. */
    for (size_t d = rank - 1; d-- > 0;) {
      offset_a += sa[d];
      offset_b += sb[d];
      if (++index[d] < dims[d]) break;
      offset_a -= sa[d] * dims[d];
      offset_b -= sb[d] * dims[d];
      index[d] = 0;
    }
  }
  return NULL;
}

static bool read_unary(napi_env env, napi_callback_info info, size_t count, napi_value *argv, float **x, float **out,
                       size_t *length) {
  size_t out_len;
  if (!read_args(env, info, count, argv) || !read_floats(env, argv[0], "x", x, length) ||
      !read_floats(env, argv[1], "out", out, &out_len)) {
    return false;
  }
  if (out_len != *length) return throw_range(env, "x holds %zu values but out holds %zu", *length, out_len);
  return true;
}

/* relu(x, out): max(0, x) as Math.max computes it (NaN stays NaN, −0 becomes +0); out may be x. */
napi_value native_relu(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  float *x, *out;
  size_t length;
  if (!read_unary(env, info, 2, argv, &x, &out, &length)) return NULL;
  for (size_t i = 0; i < length; i++) {
    const float v = x[i];
    out[i] = relu_of(v);
  }
  return NULL;
}

/* step(x, out, alpha): 1 where x > 0, NaN where x is NaN, alpha elsewhere (tfjs's Step). */
napi_value native_step(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  float *x, *out;
  size_t length;
  double alpha;
  if (!read_unary(env, info, 3, argv, &x, &out, &length) || !read_double(env, argv[2], "alpha", &alpha)) return NULL;
  const float low = (float)alpha;
  for (size_t i = 0; i < length; i++) {
    const float v = x[i];
    out[i] = step_below(v, low);
  }
  return NULL;
}
