/*
 * ReLU and its gradient factor as tfjs's Relu and Step kernels round them, NaN kept. Written
 * as selects, not branches: the sign of a pre-activation is a coin flip that a branch
 * mispredicts half the time (it cost a training step 0.4 ms on 2 cores), and selects let
 * the loops that use them vectorize.
 */
#ifndef REGSWEEP_RELU_H
#define REGSWEEP_RELU_H

/* max(0, v); NaN stays NaN. */
static inline float relu_of(float v) {
  const float positive = v > 0.0f ? v : 0.0f;
  return v != v ? v : positive;
}

/* 1 where v > 0, v itself where v is NaN, `low` elsewhere (tfjs's Step with alpha = low). */
static inline float step_below(float v, float low) {
  const float positive = v > 0.0f ? 1.0f : low;
  return v != v ? v : positive;
}

/* ReLU's gradient factor: step_below(v, 0). */
static inline float step_of(float v) { return step_below(v, 0.0f); }

#endif
