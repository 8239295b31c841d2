//===- lower/DeliveryStrategy.h - How spikes reach their targets -*- C++ -*-===//
//
// A projection's spikes reach the postsynaptic variable in one of two ways:
//
//   presynaptic   one point per presynaptic neuron; a neuron that spiked
//                 adds each synapse's weight to its target (an atomic add
//                 where points run in parallel, so on a GPU the order of
//                 the sums into one target is not fixed);
//   postsynaptic  one point per postsynaptic neuron, which walks its column
//                 (its synapses by presynaptic neuron) and adds the weight
//                 of each synapse whose presynaptic neuron spiked, in
//                 increasing presynaptic order: the very additions, in the
//                 very order, of the presynaptic strategy on one thread. It
//                 needs no atomics and is deterministic on any device. On a
//                 device, each block of points stages the spike flags in
//                 its shared memory, a tile at a time, and the column's
//                 flags are read from there (SynapseKernels.h); a dense
//                 projection's column is every presynaptic neuron, whose
//                 synapses a device computes rather than reads.
//
// The cost model estimates the memory operations of each per step and
// example, from the sizes, the synapse count, dt and an assumed firing rate,
// with an atomic add costing kAtomicCost plain accesses on a device that
// runs points in parallel (1 on the CPU, which runs them in order, so there
// presynaptic always wins), and a read of a staged flag kStagedReadCost.
// `auto` takes the cheaper; a forced choice wins.
// Only delta-synapse projections without delays have the postsynaptic form;
// the others are presynaptic whatever is asked.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace snn::lower {

enum class DeliveryStrategy : uint8_t { Presynaptic, Postsynaptic };
const char *name_of(DeliveryStrategy strategy);

/// What the schedule is asked for.
enum class DeliveryChoice : uint8_t { Auto, Presynaptic, Postsynaptic };

/// The firing rate the cost model assumes for every presynaptic neuron (Hz).
constexpr double kAssumedRateHz = 10;
/// Plain memory accesses one atomic add costs on a parallel device.
constexpr double kAtomicCost = 4;
/// Plain memory accesses one read of a flag staged in a device block's
/// shared memory costs.
constexpr double kStagedReadCost = 0.25;

/// Estimated memory operations per step and example of each strategy.
struct DeliveryCost {
  double presynaptic = 0, postsynaptic = 0;
};

/// The cost of delivering through `synapses` synapses from `num_pre` to
/// `num_post` neurons in steps of `dt` seconds; `parallel` for a device
/// whose points run at once (atomics cost kAtomicCost); `dense_columns`
/// where the gather computes each column (dense storage on a device) and
/// reads no column arrays.
DeliveryCost delivery_cost(uint64_t num_pre, uint64_t num_post, uint64_t synapses, double dt, bool parallel,
                           bool dense_columns = false);

/// The strategy for `choice` at `cost`, where the postsynaptic form exists
/// when `gatherable`.
DeliveryStrategy choose_delivery(DeliveryChoice choice, const DeliveryCost &cost, bool gatherable);

} // namespace snn::lower
