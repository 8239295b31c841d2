//===- lower/SpikeRegularizers.h - Dropout and firing-rate terms -*- C++ -*-===//
//
// Training-only kernels that act on a population's spikes (docs/training.md,
// "The training workflow"):
// - dropout: after the population updates in train_step, each spike is
//   kept with probability 1 - rate; the kept flags go to a buffer that the
//   projections and eligibility traces read instead of the spike flags, so
//   the neuron's own reset and the recordings still see every spike. The
//   draw: philox((n, step, step >> 32, tag(DROPOUT, population << 8)),
//   example key), uniform u, kept when u >= rate.
// - firing-rate regularisation (mlGeNN's form): the filtered rate
//   f[t] = a f[t-1] + (1 - a) z[t], a = exp(-dt / tau), kept across the
//   examples of a batch slot; the trace kernels add
//   strength (f[t] - target dt) e[t] to the gradient.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/KernelBuilder.h"

namespace snn::lower {

/// kept[b, n] = spiked[b, n] and u >= hyper[rate_slot]. Parameters: spiked,
/// kept, hyper, size, stream (the population).
Kernel build_dropout_kernel(int rate_slot, ElemType real);

/// rate[b, n] = a rate[b, n] + (1 - a) spiked[b, n], a = exp(-dt /
/// hyper[tau_slot]). Parameters: spiked, rate, hyper, size.
Kernel build_rate_average_kernel(int tau_slot, double dt, ElemType real);

} // namespace snn::lower
