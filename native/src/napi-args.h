/*
 * Argument readers for the addon's Node-API functions. Each returns false after throwing a
 * JavaScript TypeError that names the argument, so a caller just returns NULL.
 */
#ifndef REGSWEEP_NAPI_ARGS_H
#define REGSWEEP_NAPI_ARGS_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most dimensions a broadcast or reduction accepts (tfjs itself stops at 6 for most ops). */
#define MAX_RANK 8

/* Reads exactly `count` arguments; throws when fewer were passed. */
bool read_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv);

/* A Float32Array's first element (respecting its byteOffset) and element count. */
bool read_floats(napi_env env, napi_value value, const char *name, float **data, size_t *length);

/* An Int32Array's first element (respecting its byteOffset) and element count. */
bool read_ints(napi_env env, napi_value value, const char *name, int32_t **data, size_t *length);

/* A JavaScript number that is an integer in [min, max]. */
bool read_int(napi_env env, napi_value value, const char *name, int64_t min, int64_t max, int64_t *out);

bool read_double(napi_env env, napi_value value, const char *name, double *out);

bool read_bool(napi_env env, napi_value value, const char *name, bool *out);

/* An array of at most MAX_RANK non-negative integers (a tensor shape). */
bool read_shape(napi_env env, napi_value value, const char *name, int64_t *dims, size_t *rank);

/* Throws a RangeError with a formatted message; always returns false. */
bool throw_range(napi_env env, const char *format, ...);

/* The product of the dimensions; 1 for rank 0. */
int64_t shape_size(const int64_t *dims, size_t rank);

#endif
