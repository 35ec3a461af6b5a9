/*
 * One row of logits read as the fused softmax cross-entropy and tfjs's argMax read it: the
 * first maximal logit, and the sum of exp(z − max) in float64. Shared by the training step's
 * cross-entropy and the evaluation's score, so both round alike.
 */
#ifndef REGSWEEP_SOFTMAX_ROW_H
#define REGSWEEP_SOFTMAX_ROW_H

#include <math.h>
#include <stdint.h>

typedef struct {
  /* Index of the first maximal logit. */
  int64_t arg;
  /* That logit, and Σ_j exp(z_j − max), in float64. */
  double max, total;
} softmax_row_t;

static inline softmax_row_t softmax_row(const float *z, int64_t classes) {
  int64_t arg = 0;
  for (int64_t j = 1; j < classes; j++) {
    if (z[j] > z[arg]) arg = j;
  }
  const double max = z[arg];
  double total = 0;
  for (int64_t j = 0; j < classes; j++) total += exp((double)z[j] - max);
  return (softmax_row_t){arg, max, total};
}

/* −log softmax(z)[label] in float64. */
static inline double softmax_row_loss(const float *z, softmax_row_t row, int32_t label) { return log(row.total) - ((double)z[label] - row.max); }

#endif
