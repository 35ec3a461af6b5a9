#include "napi-args.h"

#include <stdarg.h>
#include <stdio.h>

bool throw_range(napi_env env, const char *format, ...) {
  char message[256];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  napi_throw_range_error(env, NULL, message);
  return false;
}

static bool throw_type(napi_env env, const char *name, const char *expected) {
  char message[160];
  snprintf(message, sizeof message, "%s must be %s", name, expected);
  napi_throw_type_error(env, NULL, message);
  return false;
}

bool read_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t given = count;
  if (napi_get_cb_info(env, info, &given, argv, NULL, NULL) != napi_ok) return throw_type(env, "arguments", "readable");
  if (given < count) return throw_range(env, "expected %zu arguments, got %zu", count, given);
  return true;
}

bool read_floats(napi_env env, napi_value value, const char *name, float **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return throw_type(env, name, "a Float32Array");
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok || type != napi_float32_array) {
    return throw_type(env, name, "a Float32Array");
  }
  *data = (float *)raw;
  return true;
}

bool read_ints(napi_env env, napi_value value, const char *name, int32_t **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return throw_type(env, name, "an Int32Array");
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok || type != napi_int32_array) {
    return throw_type(env, name, "an Int32Array");
  }
  *data = (int32_t *)raw;
  return true;
}

bool read_double(napi_env env, napi_value value, const char *name, double *out) {
  if (napi_get_value_double(env, value, out) != napi_ok) return throw_type(env, name, "a number");
  return true;
}

bool read_int(napi_env env, napi_value value, const char *name, int64_t min, int64_t max, int64_t *out) {
  double number;
  if (!read_double(env, value, name, &number)) return false;
  if (!(number >= (double)min && number <= (double)max) || number != (double)(int64_t)number) {
    return throw_range(env, "%s must be an integer in [%lld, %lld], got %g", name, (long long)min, (long long)max, number);
  }
  *out = (int64_t)number;
  return true;
}

bool read_bool(napi_env env, napi_value value, const char *name, bool *out) {
  if (napi_get_value_bool(env, value, out) != napi_ok) return throw_type(env, name, "a boolean");
  return true;
}

bool read_shape(napi_env env, napi_value value, const char *name, int64_t *dims, size_t *rank) {
  bool is_array = false;
  uint32_t length = 0;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array || napi_get_array_length(env, value, &length) != napi_ok) {
    return throw_type(env, name, "an array of dimensions");
  }
  if (length > MAX_RANK) return throw_range(env, "%s has rank %u; at most %d is supported", name, length, MAX_RANK);
  for (uint32_t d = 0; d < length; d++) {
    napi_value element;
    if (napi_get_element(env, value, d, &element) != napi_ok) return throw_type(env, name, "an array of dimensions");
    if (!read_int(env, element, name, 0, INT32_MAX, &dims[d])) return false;
  }
  *rank = length;
  return true;
}

int64_t shape_size(const int64_t *dims, size_t rank) {
  int64_t size = 1;
  for (size_t d = 0; d < rank; d++) size *= dims[d];
  return size;
}
