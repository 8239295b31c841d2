//===- lower/DelayKernels.h - Delays longer than one step -------*- C++ -*-===//
//
// A projection whose delay is longer than one step (or differs per synapse)
// holds the effect of each spike in a ring buffer until it is due, the
// dendritic ring of GeNN and NEST: `slots` (a power of two, at least the
// longest delay) rows of one value per post neuron and example,
//
//   ring[b * slots * num_post + slot * num_post + n],
//
// where a spike of step t through a synapse of delay d (steps) adds its
// weight to row (t + d - 1) mod slots, and step t drains row t mod slots
// into the target. So d = 1 acts in the step of the spike exactly as the
// direct delivery does, and d steps act d - 1 steps later; a delay never
// exceeds `slots`, so no row is written after its drain and before it is
// due. Parameters, by name: as SynapseKernels.h, and
//   ring         the projection's ring (Real, per example, global)
//   delay        u32 delay of each synapse in steps (shared)
//   delay_steps  the projection's one delay (I64), without `delay`
//   slots        the ring's rows (I64, a power of two)
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/Program.h"

namespace snn::lower {

/// The ring's rows for a longest delay of `max_steps`: the power of two at
/// or above it.
uint64_t ring_slots(uint32_t max_steps);

/// Per-synapse delays of `delay ~ uniform(lo, hi)` (`range`, in steps): the
/// whole step nearest a uniform draw from [lo, hi) of the delay stream of
/// RandomStreams.h, between 1 and `max_steps`.
Kernel build_delay_kernel(const ir::DelayRange &range, uint32_t max_steps, ir::SynapseStorage storage);

/// This step's spikes into the ring: for every spiking presynaptic neuron and
/// each of its synapses, ring[b][(step + d - 1) mod slots][target] += weight,
/// where d is the synapse's delay (`per_synapse`) or the projection's.
Kernel build_ring_delivery_kernel(bool per_synapse, ir::SynapseStorage storage, ElemType real);

/// The effects due in this step: post[b][n] += ring[b][step mod slots][n],
/// and that row cleared. When `gated`, the effect is dropped where the
/// neuron is refractory or spiked in this step, as the direct delivery
/// drops it (build_delivery_kernel).
Kernel build_ring_drain_kernel(bool gated, ElemType real);

/// Zeroes the ring (reset_example): no effect crosses from one example to
/// the next.
Kernel build_ring_clear_kernel(ElemType real);

} // namespace snn::lower
